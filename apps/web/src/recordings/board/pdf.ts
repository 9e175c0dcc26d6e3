import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { type BoardSource, materialPdf } from "./api";

/**
 * pdf.js for the replay's slides, loaded only when a recording's board shows a document. The
 * worker and pdf.js's data files come from our own build (never a CDN); documents are opened
 * with `isEvalSupported: false` and rendered to a canvas only (no annotation layer, no XFA, no
 * scripting).
 */
const PDFJS_ASSETS = "/assets/pdfjs/";

let library: Promise<typeof import("pdfjs-dist")> | null = null;
function pdfjs() {
  library ??= import("pdfjs-dist").then((module) => {
    module.GlobalWorkerOptions.workerSrc = workerUrl;
    return module;
  });
  return library;
}

const documents = new Map<string, Promise<PDFDocumentProxy>>();

/** A document the recording's board showed, fetched and opened once per page load. */
export function openDocument(source: BoardSource, materialId: string): Promise<PDFDocumentProxy> {
  const key = `${JSON.stringify(source)}/${materialId}`;
  let opened = documents.get(key);
  if (!opened) {
    opened = Promise.all([pdfjs(), materialPdf(source, materialId)]).then(
      ([module, bytes]) =>
        module.getDocument({
          data: new Uint8Array(bytes),
          isEvalSupported: false,
          enableXfa: false,
          cMapUrl: `${PDFJS_ASSETS}cmaps/`,
          cMapPacked: true,
          standardFontDataUrl: `${PDFJS_ASSETS}standard_fonts/`,
          wasmUrl: `${PDFJS_ASSETS}wasm/`,
          iccUrl: `${PDFJS_ASSETS}iccs/`,
        }).promise,
    );
    documents.set(key, opened);
    opened.catch(() => documents.delete(key));
  }
  return opened;
}

/** Width and height of a page in PDF points (= the board's scene units on a document page). */
export function pageSize(page: PDFPageProxy): { width: number; height: number } {
  const viewport = page.getViewport({ scale: 1 });
  return { width: viewport.width, height: viewport.height };
}
