import { useEffect, useRef } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { renderThumbnail } from "./pdf";

const THUMB_WIDTH = 96;

/** One page's picture, drawn by pdf.js at a small scale when it scrolls into view. */
function PdfThumb({ doc, page }: { doc: PDFDocumentProxy; page: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    let done = false;
    const observer = new IntersectionObserver((entries) => {
      if (done || !entries.some((entry) => entry.isIntersecting)) return;
      done = true;
      observer.disconnect();
      void doc
        .getPage(page)
        .then((loaded) => renderThumbnail(loaded, element, THUMB_WIDTH))
        .catch(() => {});
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [doc, page]);
  return <canvas ref={canvas} className="board-thumb-canvas" style={{ width: THUMB_WIDTH }} />;
}

/** The pages strip: pictures of a document's pages (numbers on a whiteboard); the presenter's page is marked. */
export function Thumbnails(props: {
  doc: PDFDocumentProxy | null;
  pageCount: number;
  current: number;
  stagePage: number;
  canAdd: boolean;
  onPick: (page: number) => void;
}) {
  const pages = Array.from({ length: props.pageCount }, (_, i) => i + 1);
  return (
    <nav className="board-thumbs" aria-label="Pages" data-testid="board-thumbs">
      {pages.map((page) => (
        <button
          key={page}
          type="button"
          className={`board-thumb ${page === props.current ? "current" : ""}`}
          aria-current={page === props.current ? "page" : undefined}
          aria-label={`Page ${page}${page === props.stagePage ? " (the teacher's page)" : ""}`}
          onClick={() => props.onPick(page)}
          data-testid="board-thumb"
          data-page={page}
        >
          {props.doc ? <PdfThumb doc={props.doc} page={page} /> : <span className="board-thumb-blank" />}
          <span className="board-thumb-number">
            {page}
            {page === props.stagePage ? " •" : ""}
          </span>
        </button>
      ))}
    </nav>
  );
}
