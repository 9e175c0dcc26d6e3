import { useEffect, useLayoutEffect, useRef } from "react";
import type { PDFPageProxy, RenderTask } from "pdfjs-dist";

export interface View {
  scrollX: number;
  scrollY: number;
  zoom: number;
}

/** After a zoom or pan, the page is drawn again at the new scale once the view has been still this long. */
const SETTLE_MS = 120;

/**
 * The page under the replay's drawings: pdf.js draws the visible part of the slide at the view's
 * zoom × devicePixelRatio (crisp at any zoom); without a PDF (`paper`), a plain white sheet of
 * that size. Between two renders a CSS transform moves the last picture along with the view.
 * The scene point (x, y) lands at ((x + scrollX) × zoom, (y + scrollY) × zoom), as in Excalidraw.
 */
export function PageUnderlay({
  pdfPage,
  paper,
  pageKey,
  view,
  width,
  height,
}: {
  pdfPage: PDFPageProxy | null;
  paper: { width: number; height: number } | null;
  pageKey: string;
  view: View;
  width: number;
  height: number;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendered = useRef<(View & { key: string }) | null>(null);
  const source = pdfPage ? `pdf:${pageKey}` : paper ? `plain:${paper.width}x${paper.height}` : "";

  useLayoutEffect(() => {
    const last = rendered.current;
    const canvas = canvasRef.current;
    if (!canvas) return;
    if (!last || last.key !== source) {
      canvas.style.transform = "";
      return;
    }
    canvas.style.transform = `translate(${(view.scrollX - last.scrollX) * view.zoom}px, ${(view.scrollY - last.scrollY) * view.zoom}px) scale(${view.zoom / last.zoom})`;
  }, [view, source]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width <= 0 || height <= 0) return;
    const fresh = rendered.current?.key !== source;
    if (fresh) {
      canvas.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
      canvas.removeAttribute("data-rendered");
    }
    if (!source) return;
    let task: RenderTask | null = null;
    let cancelled = false;
    const timer = setTimeout(
      () => {
        const dpr = window.devicePixelRatio || 1;
        const scale = view.zoom * dpr;
        const off = document.createElement("canvas");
        off.width = Math.max(1, Math.round(width * dpr));
        off.height = Math.max(1, Math.round(height * dpr));
        const context = off.getContext("2d");
        if (!context) return;
        const sheet = pdfPage ? pdfPage.getViewport({ scale: 1 }) : (paper as { width: number; height: number });
        context.fillStyle = "#ffffff";
        context.fillRect(view.scrollX * scale, view.scrollY * scale, sheet.width * scale, sheet.height * scale);
        const done = () => {
          if (cancelled || !canvasRef.current) return;
          const target = canvasRef.current;
          target.width = off.width;
          target.height = off.height;
          target.getContext("2d")?.drawImage(off, 0, 0);
          target.style.transform = "";
          target.dataset.rendered = source;
          target.dataset.zoom = String(view.zoom);
          rendered.current = { ...view, key: source };
        };
        if (!pdfPage) {
          done();
          return;
        }
        const viewport = pdfPage.getViewport({ scale, offsetX: view.scrollX * scale, offsetY: view.scrollY * scale });
        task = pdfPage.render({ canvas: off, viewport, background: "rgba(0,0,0,0)" });
        task.promise.then(done, () => {});
      },
      fresh ? 0 : SETTLE_MS,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
      task?.cancel();
    };
  }, [pdfPage, paper, source, view, width, height]);

  return <canvas ref={canvasRef} className="board-replay-underlay" style={{ width, height }} data-testid="recording-board-page" />;
}
