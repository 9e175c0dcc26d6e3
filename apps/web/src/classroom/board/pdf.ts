import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { materialsApi } from "../materials/api";

/**
 * pdf.js for the board's slides, loaded only when a document is on the stage. Its worker, CMaps,
 * standard fonts and wasm decoders are files of our own build (vite.config.ts copies them under
 * /assets/pdfjs/), never a CDN. Documents run with `isEvalSupported: false` (no generated code
 * for fonts) and without scripting: we render pages to a canvas only — no annotation layer, no
 * XFA forms, no scripting sandbox is ever loaded.
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

/**
 * A PDF opened once per page load under `key` (the bytes fetched by `bytes`, once): the class's
 * materials here, a recording's shown documents in the player.
 */
export function openPdf(key: string, bytes: () => Promise<ArrayBuffer>): Promise<PDFDocumentProxy> {
  let opened = documents.get(key);
  if (!opened) {
    opened = Promise.all([pdfjs(), bytes()]).then(
      ([module, data]) =>
        module.getDocument({
          data: new Uint8Array(data),
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

/** The material's PDF, fetched and opened once per page load (both are cached). */
export function openMaterial(roomId: string, materialId: string): Promise<PDFDocumentProxy> {
  return openPdf(`${roomId}/${materialId}`, () => materialsApi.file(roomId, materialId));
}

/** Forget a deleted material's document. */
export function closeMaterial(roomId: string, materialId: string) {
  const key = `${roomId}/${materialId}`;
  const opened = documents.get(key);
  documents.delete(key);
  void opened?.then((doc) => doc.destroy()).catch(() => {});
}

/** Width and height of a page in PDF points at scale 1 (= the board's scene units). */
export function pageSize(page: PDFPageProxy): { width: number; height: number } {
  const viewport = page.getViewport({ scale: 1 });
  return { width: viewport.width, height: viewport.height };
}

/**
 * Renders the part of `page` that a view shows into `canvas` (sized in device pixels): the
 * scene point (x, y) lands at ((x + scrollX) * zoom * dpr, (y + scrollY) * zoom * dpr), the
 * same mapping as Excalidraw's, so the drawings sit exactly on the slide.
 */
export function renderPageView(
  page: PDFPageProxy,
  canvas: HTMLCanvasElement,
  view: { scrollX: number; scrollY: number; zoom: number; dpr: number },
): RenderTask {
  const scale = view.zoom * view.dpr;
  const viewport = page.getViewport({ scale, offsetX: view.scrollX * scale, offsetY: view.scrollY * scale });
  return page.render({ canvas, viewport, background: "#ffffff" });
}

/** A small picture of a page (the thumbnails strip), `width` CSS pixels wide. */
export async function renderThumbnail(page: PDFPageProxy, canvas: HTMLCanvasElement, width: number): Promise<void> {
  const dpr = window.devicePixelRatio || 1;
  const scale = (width * dpr) / page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale });
  canvas.width = Math.round(viewport.width);
  canvas.height = Math.round(viewport.height);
  await page.render({ canvas, viewport, background: "#ffffff" }).promise;
}
