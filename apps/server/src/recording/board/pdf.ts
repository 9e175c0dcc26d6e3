import { createCanvas, loadImage, type Image } from "@napi-rs/canvas";

/** A PDF page rendered to fit the frame, with where it lies (scene point → frame pixel). */
export interface RenderedPage {
  /** The page's pixels at `scale`, placed at (left, top) of the frame (an image: drawing a canvas onto another costs ~10 ms a frame). */
  image: Image;
  left: number;
  top: number;
  /** Frame pixels per PDF point. */
  scale: number;
}

type PdfModule = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
type PdfDocument = Awaited<ReturnType<PdfModule["getDocument"]>["promise"]>;

let pdfjs: Promise<PdfModule> | undefined;
/** pdf.js's Node build, loaded once and only when a class showed a document. */
const loadPdfjs = () => {
  pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs");
  return pdfjs;
};

/**
 * The documents shown on the board, opened with pdf.js (no scripts, no eval, no font faces: the
 * PDFs were sanitized on upload, and this is a server), each page rendered once per frame size
 * onto a Skia canvas (@napi-rs/canvas) and kept while the recording is rendered.
 */
export class PdfPages {
  private readonly docs = new Map<string, Promise<PdfDocument | undefined>>();
  private readonly pages = new Map<string, Promise<RenderedPage | undefined>>();

  constructor(
    private readonly bytesOf: (surfaceId: string) => Promise<Uint8Array | undefined>,
    private readonly frame: { width: number; height: number },
    private readonly onError: (surfaceId: string, err: unknown) => void = () => {},
  ) {}

  /** The page fitted to the frame; undefined when the document or the page cannot be read. */
  page(surfaceId: string, page: number): Promise<RenderedPage | undefined> {
    const key = `${surfaceId}/${page}`;
    let hit = this.pages.get(key);
    if (!hit) {
      hit = this.render(surfaceId, page).catch((err) => {
        this.onError(surfaceId, err);
        return undefined;
      });
      this.pages.set(key, hit);
    }
    return hit;
  }

  async close(): Promise<void> {
    for (const doc of this.docs.values()) await (await doc.catch(() => undefined))?.destroy();
    this.docs.clear();
    this.pages.clear();
  }

  private doc(surfaceId: string): Promise<PdfDocument | undefined> {
    let hit = this.docs.get(surfaceId);
    if (!hit) {
      hit = (async () => {
        const bytes = await this.bytesOf(surfaceId);
        if (!bytes) return undefined;
        const { getDocument } = await loadPdfjs();
        return getDocument({
          data: new Uint8Array(bytes),
          isEvalSupported: false,
          disableFontFace: true,
          useSystemFonts: false,
          enableXfa: false,
          verbosity: 0,
        }).promise;
      })().catch((err) => {
        this.onError(surfaceId, err);
        return undefined;
      });
      this.docs.set(surfaceId, hit);
    }
    return hit;
  }

  private async render(surfaceId: string, pageNumber: number): Promise<RenderedPage | undefined> {
    const doc = await this.doc(surfaceId);
    if (!doc || pageNumber < 1 || pageNumber > doc.numPages) return undefined;
    const page = await doc.getPage(pageNumber);
    try {
      const unit = page.getViewport({ scale: 1 });
      const scale = Math.min(this.frame.width / unit.width, this.frame.height / unit.height);
      const viewport = page.getViewport({ scale });
      const width = Math.max(1, Math.round(viewport.width));
      const height = Math.max(1, Math.round(viewport.height));
      const canvas = createCanvas(width, height);
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      // pdf.js types its canvas as the DOM's; @napi-rs/canvas is what its Node build draws on.
      const params = { canvas, canvasContext: ctx, viewport } as unknown as Parameters<typeof page.render>[0];
      await page.render(params).promise;
      const image = await loadImage(await canvas.encode("png"));
      return { image, left: Math.round((this.frame.width - width) / 2), top: Math.round((this.frame.height - height) / 2), scale };
    } finally {
      page.cleanup();
    }
  }
}
