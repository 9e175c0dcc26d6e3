import { useEffect, useLayoutEffect, useRef } from "react";
import type { PDFPageProxy, RenderTask } from "pdfjs-dist";

export interface BoardView {
  scrollX: number;
  scrollY: number;
  zoom: number;
}

/** After a scroll or zoom, the slide is drawn again at the new scale once the view has been still this long. */
const SETTLE_MS = 120;

/**
 * The slide under the transparent drawing canvas: pdf.js draws the visible part of the page at
 * the view's zoom × devicePixelRatio (crisp at any zoom), into a canvas the size of the board.
 * Between two renders, a CSS transform moves the last picture along with the view.
 */
export function PdfUnderlay({
  page,
  pageKey,
  view,
  width,
  height,
}: {
  page: PDFPageProxy;
  /** Changes when another page is shown (the old picture is dropped at once). */
  pageKey: string;
  view: BoardView;
  width: number;
  height: number;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendered = useRef<(BoardView & { key: string }) | null>(null);

  // Follow the view at once by moving the last picture.
  useLayoutEffect(() => {
    const last = rendered.current;
    const canvas = canvasRef.current;
    if (!canvas) return;
    if (!last || last.key !== pageKey) {
      canvas.style.transform = "";
      return;
    }
    const scale = view.zoom / last.zoom;
    canvas.style.transform = `translate(${(view.scrollX - last.scrollX) * view.zoom}px, ${(view.scrollY - last.scrollY) * view.zoom}px) scale(${scale})`;
  }, [view, pageKey]);

  // Draw it again, crisp, when the view settles.
  useEffect(() => {
    if (width <= 0 || height <= 0) return;
    let task: RenderTask | null = null;
    let cancelled = false;
    const fresh = rendered.current?.key !== pageKey;
    if (fresh) {
      const canvas = canvasRef.current;
      canvas?.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
    }
    const timer = setTimeout(
      () => {
        const dpr = window.devicePixelRatio || 1;
        const scale = view.zoom * dpr;
        const off = document.createElement("canvas");
        off.width = Math.max(1, Math.round(width * dpr));
        off.height = Math.max(1, Math.round(height * dpr));
        // The paper: white where the page is, the stage's colour around it.
        const size = page.getViewport({ scale: 1 });
        const paper = off.getContext("2d");
        if (!paper) return;
        paper.fillStyle = "#ffffff";
        paper.fillRect(view.scrollX * scale, view.scrollY * scale, size.width * scale, size.height * scale);
        const viewport = page.getViewport({ scale, offsetX: view.scrollX * scale, offsetY: view.scrollY * scale });
        task = page.render({ canvas: off, viewport, background: "rgba(0,0,0,0)" });
        task.promise.then(
          () => {
            const canvas = canvasRef.current;
            if (cancelled || !canvas) return;
            canvas.width = off.width;
            canvas.height = off.height;
            canvas.getContext("2d")?.drawImage(off, 0, 0);
            canvas.style.transform = "";
            canvas.dataset.rendered = pageKey;
            rendered.current = { ...view, key: pageKey };
          },
          () => {},
        );
      },
      fresh ? 0 : SETTLE_MS,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
      task?.cancel();
    };
  }, [page, pageKey, view, width, height]);

  return <canvas ref={canvasRef} className="board-underlay" style={{ width, height }} data-testid="board-pdf" data-page-key={pageKey} />;
}
