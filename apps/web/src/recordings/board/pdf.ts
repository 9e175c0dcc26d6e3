import type { PDFDocumentProxy } from "pdfjs-dist";
import { openPdf } from "../../classroom/board/pdf";
import { type BoardSource, materialPdf } from "./api";

export { pageSize } from "../../classroom/board/pdf";

/**
 * The replay's slides: the live board's pdf.js loader (lazy; worker and data files from our own
 * build; no eval, no scripting, canvas only), fed with the recording's own copy of a document.
 */
export function openDocument(source: BoardSource, materialId: string): Promise<PDFDocumentProxy> {
  return openPdf(`recording:${JSON.stringify(source)}/${materialId}`, () => materialPdf(source, materialId));
}
