import "@excalidraw/excalidraw/index.css";
import "./boardReplay.css";
import { useEffect, useMemo, useRef, useState } from "react";
import { CaptureUpdateAction, Excalidraw, restoreElements } from "@excalidraw/excalidraw";
import type { AppState, ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist";
import { BOARD_WHITEBOARD, type BoardElement } from "@vtp/protocol";
import type { BoardSource } from "./api";
import { openDocument, pageSize } from "./pdf";
import { PageUnderlay, type View } from "./PageUnderlay";
import type { ReplayPointer } from "./replayState";
import { useElementSize } from "../../lib/useElementSize";
import { BOARD_UI_OPTIONS } from "../../classroom/board/excalidrawOptions";

// Excalidraw's fonts come from our own build, never from a CDN.
(window as unknown as { EXCALIDRAW_ASSET_PATH: string }).EXCALIDRAW_ASSET_PATH = "/assets/excalidraw/";

/** A document page whose PDF is gone: a plain A4 landscape sheet. */
const PLAIN_PAGE = { width: 842, height: 595 };

export interface BoardCanvasProps {
  /** The recording (or its share link) whose documents the slides are read from. */
  source: BoardSource;
  surfaceId: string;
  page: number;
  elements: BoardElement[];
  pointers: ReplayPointer[];
}

/** The zoom and scroll that show a whole page, centred, in a box of `box` pixels. */
function fitPage(page: { width: number; height: number }, box: { width: number; height: number }, margin = 0.96): View {
  const zoom = Math.max(0.1, Math.min(30, Math.min(box.width / page.width, box.height / page.height) * margin));
  return { zoom, scrollX: (box.width / zoom - page.width) / 2, scrollY: (box.height / zoom - page.height) / 2 };
}

/**
 * The board of a recording at the playback time, as vectors: the page's drawings in a read-only
 * Excalidraw (zoom and pan with the wheel, pinch or its zoom buttons) over the slide, which
 * pdf.js draws again, crisp, at every zoom. Laser pointers show as red dots.
 */
export default function BoardCanvas({ source, surfaceId, page, elements, pointers }: BoardCanvasProps) {
  const whiteboard = surfaceId === BOARD_WHITEBOARD;
  const pageKey = `${surfaceId}/${page}`;
  const [api, setApi] = useState<ExcalidrawImperativeAPI | null>(null);
  const [view, setView] = useState<View>({ scrollX: 0, scrollY: 0, zoom: 1 });
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [pdfPage, setPdfPage] = useState<PDFPageProxy | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  // The board's size (the slide's canvas follows it).
  const size = useElementSize(wrap);

  // The document on show.
  useEffect(() => {
    setDoc(null);
    setProblem(null);
    if (whiteboard) return;
    let alive = true;
    openDocument(source, surfaceId).then(
      (opened) => alive && setDoc(opened),
      () => alive && setProblem("This document is no longer available: the drawings are shown on a plain page."),
    );
    return () => {
      alive = false;
    };
  }, [source, surfaceId, whiteboard]);
  useEffect(() => {
    setPdfPage(null);
    if (!doc || page > doc.numPages) return;
    let alive = true;
    doc.getPage(page).then(
      (loaded) => alive && setPdfPage(loaded),
      () => alive && setProblem("This page could not be shown."),
    );
    return () => {
      alive = false;
    };
  }, [doc, page]);

  // The drawings at the playback time.
  const scene = useMemo(() => restoreElements(elements as never, null), [elements]);
  // The scene at mount goes in as initial data too: Excalidraw loads its initial data after the
  // API is handed out, which would otherwise replace a first update.
  const initialScene = useRef(scene);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!api) return;
    // Should Excalidraw report no change of its own after loading, take over after a moment.
    const timer = setTimeout(() => setReady(true), 500);
    return () => clearTimeout(timer);
  }, [api]);
  useEffect(() => {
    if (ready) api?.updateScene({ elements: scene, captureUpdate: CaptureUpdateAction.NEVER });
  }, [api, scene, ready]);
  useEffect(() => {
    api?.updateScene({ appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" } });
  }, [api, whiteboard]);

  // Each page opens fitted to the board (a whiteboard page: fitted to its drawings).
  const paper = whiteboard ? null : pdfPage ? pageSize(pdfPage) : problem ? PLAIN_PAGE : null;
  const fitted = useRef("");
  useEffect(() => {
    if (!api || size.width <= 0 || size.height <= 0) return;
    const fitKey = `${pageKey}@${size.width}x${size.height}@${paper ? `${paper.width}x${paper.height}` : "content"}`;
    if (fitted.current === fitKey) return;
    if (whiteboard) {
      fitted.current = fitKey;
      if (scene.length > 0) api.scrollToContent(scene, { fitToContent: true, animate: false });
      return;
    }
    if (!paper) return;
    fitted.current = fitKey;
    const next = fitPage(paper, size);
    api.updateScene({ appState: { scrollX: next.scrollX, scrollY: next.scrollY, zoom: { value: next.zoom } as AppState["zoom"] } });
    setView(next);
  }, [api, pageKey, size, paper, whiteboard, scene]);

  /** Zooms around the board's centre (`factor` > 1: closer), or fits the page again (null). */
  const zoomBy = (factor: number | null) => {
    if (!api || size.width <= 0) return;
    if (factor === null) {
      fitted.current = "";
      const next = paper ? fitPage(paper, size) : null;
      if (next) {
        api.updateScene({ appState: { scrollX: next.scrollX, scrollY: next.scrollY, zoom: { value: next.zoom } as AppState["zoom"] } });
        setView(next);
      } else if (scene.length > 0) api.scrollToContent(scene, { fitToContent: true, animate: false });
      return;
    }
    const zoom = Math.max(0.1, Math.min(30, view.zoom * factor));
    const centreX = size.width / 2 / view.zoom - view.scrollX;
    const centreY = size.height / 2 / view.zoom - view.scrollY;
    const next = { zoom, scrollX: size.width / 2 / zoom - centreX, scrollY: size.height / 2 / zoom - centreY };
    api.updateScene({ appState: { scrollX: next.scrollX, scrollY: next.scrollY, zoom: { value: zoom } as AppState["zoom"] } });
    setView(next);
  };

  return (
    <div
      className={`board-replay-canvas ${whiteboard ? "board-replay-whiteboard" : "board-replay-document"}`}
      ref={wrap}
      data-testid="recording-board-canvas"
      data-zoom={view.zoom}
    >
      {!whiteboard && <PageUnderlay pdfPage={pdfPage} paper={pdfPage ? null : paper} pageKey={pageKey} view={view} width={size.width} height={size.height} />}
      <div className="board-replay-excalidraw">
        <Excalidraw
          excalidrawAPI={setApi}
          initialData={{ elements: initialScene.current, appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" } }}
          onChange={() => !ready && setReady(true)}
          viewModeEnabled
          zenModeEnabled
          autoFocus={false}
          handleKeyboardGlobally={false}
          detectScroll
          UIOptions={BOARD_UI_OPTIONS}
          onScrollChange={(scrollX, scrollY, zoom) => setView({ scrollX, scrollY, zoom: zoom.value })}
        />
      </div>
      <fieldset className="board-replay-zoom" aria-label="Zoom the board">
        <button type="button" onClick={() => zoomBy(1 / 1.25)} aria-label="Zoom out" data-testid="recording-board-zoom-out">
          −
        </button>
        <button type="button" onClick={() => zoomBy(null)} aria-label="Fit the page" data-testid="recording-board-zoom-fit">
          Fit
        </button>
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in" data-testid="recording-board-zoom-in">
          +
        </button>
      </fieldset>
      {pointers.map((pointer) => (
        <span
          key={pointer.userId}
          className="board-replay-pointer"
          style={{ left: (pointer.x + view.scrollX) * view.zoom, top: (pointer.y + view.scrollY) * view.zoom }}
          title={pointer.name}
          data-testid="recording-board-pointer"
        />
      ))}
      {problem && (
        <p className="board-replay-problem small" role="status" data-testid="recording-board-problem">
          {problem}
        </p>
      )}
    </div>
  );
}
