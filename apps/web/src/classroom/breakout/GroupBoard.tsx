import "@excalidraw/excalidraw/index.css";
import "../../styles/board.css";
import { useEffect, useRef, useState, type RefObject } from "react";
import { CaptureUpdateAction, Excalidraw, restoreElements } from "@excalidraw/excalidraw";
import type { ExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import type { AppState, ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist";
import { BOARD_WHITEBOARD, type BoardElement, type BreakoutBoardDto, type ServerEventPayload } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { fitPage } from "../board/boardHooks";
import { openMaterial, pageSize } from "../board/pdf";
import { PdfUnderlay, type BoardView } from "../board/PdfUnderlay";
import { BoardSync } from "../board/sync";
import { useElementSize } from "../../lib/useElementSize";
import { BOARD_UI_OPTIONS } from "../board/excalidrawOptions";

(window as unknown as { EXCALIDRAW_ASSET_PATH: string }).EXCALIDRAW_ASSET_PATH = "/assets/excalidraw/";

/** Elements from the wire: no links (a board element opens nothing). */
const wireElements = (elements: BoardElement[]) => elements.map((element) => ({ ...element, link: null })) as unknown as ExcalidrawElement[];

/** The group board's pens (Excalidraw's own tools and colours stay available too). */
const PENS = [
  { name: "Red", colour: "#e03131" },
  { name: "Blue", colour: "#1971c2" },
  { name: "Black", colour: "#1e1e1e" },
];

export interface GroupBoardProps {
  connection: RefObject<RoomConnection | null>;
  roomId: string;
  joinSeq: number;
  /** Live: my group's board (drawn on, in step with the group). */
  groupId?: string;
  /** Shown: a page of a group's board the host showed to the class (read only). */
  shown?: { board: BreakoutBoardDto; page: number; elements: BoardElement[] };
  describe: (err: unknown) => string;
}

/**
 * A breakout group's own board (docs/PROTOCOL.md "Breakout rooms"): the document the teacher
 * picked for the group under a transparent Excalidraw, or a whiteboard of its own; drawings go to
 * the group only (`breakout-board-draw`, `breakout-board-elements`), with the class board's sync
 * engine. With `shown`, a page the host showed to the class, read only.
 */
export default function GroupBoard(props: GroupBoardProps) {
  const { connection, roomId, joinSeq, groupId, shown } = props;
  const [board, setBoard] = useState<BreakoutBoardDto | null>(shown?.board ?? null);
  const [page, setPage] = useState(shown?.page ?? 1);
  const [api, setApi] = useState<ExcalidrawImperativeAPI | null>(null);
  const [sync, setSync] = useState<BoardSync | null>(null);
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [pdfPage, setPdfPage] = useState<PDFPageProxy | null>(null);
  const [view, setView] = useState<BoardView>({ scrollX: 0, scrollY: 0, zoom: 1 });
  const [error, setError] = useState<string | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const size = useElementSize(wrap);
  const describe = useRef(props.describe);
  describe.current = props.describe;
  const surfaceId = board?.surfaceId ?? null;
  const whiteboard = surfaceId === BOARD_WHITEBOARD;

  // Live: the sync engine sends my drawings to my group's board.
  useEffect(() => {
    if (!api || !groupId) return;
    const engine = new BoardSync(
      api,
      (key, elements) => {
        const current = connection.current;
        if (!current) return Promise.reject(Object.assign(new Error("Not connected"), { code: "NETWORK" }));
        return current.send("breakout-board-draw", { roomId, groupId, page: key.page, elements });
      },
      (err) => (err as { code?: string }).code !== "NETWORK" && setError(describe.current(err)),
    );
    engine.canDraw = true;
    setSync(engine);
    return () => engine.dispose();
  }, [api, groupId, roomId, connection]);

  // Live: the page from the server on every page change and (re)join, then the group's events.
  useEffect(() => {
    const current = connection.current;
    if (!current || !sync || !groupId || !joinSeq) return;
    let alive = true;
    const same = sync.key?.page === page && sync.key.surfaceId === groupId;
    if (!same) sync.loading();
    current.send("breakout-board-page", { roomId, groupId, page }).then(
      (result) => {
        if (!alive) return;
        setBoard(result.board);
        if (same) sync.rejoin(result.elements);
        else sync.replace({ surfaceId: groupId, page }, result.elements, result.board.seq);
      },
      (err) => alive && setError(describe.current(err)),
    );
    const socket = current.socket;
    const onElements = (event: ServerEventPayload<"breakout-board-elements">) => {
      if (event.groupId === groupId && event.page === page) sync.receive(event.elements, event.seq);
    };
    socket.on("breakout-board-elements", onElements);
    return () => {
      alive = false;
      socket.off("breakout-board-elements", onElements);
    };
  }, [connection, roomId, joinSeq, groupId, page, sync]);

  // Shown: the page's elements as the host showed them.
  useEffect(() => {
    if (!api || !shown) return;
    setBoard(shown.board);
    setPage(shown.page);
    api.updateScene({ elements: restoreElements(wireElements(shown.elements), null), captureUpdate: CaptureUpdateAction.NEVER });
  }, [api, shown]);

  // The document under the drawings.
  useEffect(() => {
    setDoc(null);
    if (!surfaceId || whiteboard) return;
    let alive = true;
    openMaterial(roomId, surfaceId).then(
      (opened) => alive && setDoc(opened),
      (err) => alive && setError(describe.current(err)),
    );
    return () => {
      alive = false;
    };
  }, [roomId, surfaceId, whiteboard]);
  useEffect(() => {
    if (!doc || page > doc.numPages) return setPdfPage(null);
    let alive = true;
    doc.getPage(page).then(
      (loaded) => alive && setPdfPage(loaded),
      (err) => alive && setError(describe.current(err)),
    );
    return () => {
      alive = false;
    };
  }, [doc, page]);
  useEffect(() => {
    api?.updateScene({ appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" } });
  }, [api, whiteboard]);
  useEffect(() => {
    if (!api || !pdfPage || size.width <= 0 || size.height <= 0) return;
    const next = fitPage(pageSize(pdfPage), size);
    api.updateScene({ appState: { scrollX: next.scrollX, scrollY: next.scrollY, zoom: { value: next.zoom } as AppState["zoom"] } });
    setView(next);
  }, [api, pdfPage, size]);

  const pages = board?.pages ?? 1;
  return (
    <section
      className={`board group-board ${whiteboard ? "board-whiteboard" : "board-document"}`}
      aria-label={board ? `${board.groupName}'s board` : "The group's board"}
      data-testid={shown ? "breakout-board-shown" : "breakout-board"}
      data-group-id={board?.groupId ?? groupId}
      data-surface-id={surfaceId ?? ""}
      data-page={page}
    >
      <div className="board-bar">
        <strong className="grow">
          {board?.groupName ?? "Group"} — {whiteboard ? "whiteboard" : "document"}
        </strong>
        {!shown &&
          PENS.map((pen) => (
            <button
              key={pen.colour}
              type="button"
              className="board-pen"
              style={{ background: pen.colour }}
              title={`${pen.name} pen`}
              onClick={() => {
                api?.updateScene({ appState: { currentItemStrokeColor: pen.colour, currentItemOpacity: 100, currentItemStrokeWidth: 2 } });
                api?.setActiveTool({ type: "freedraw" });
              }}
              aria-label={`${pen.name} pen`}
              data-testid="breakout-board-pen"
              data-color={pen.colour}
            />
          ))}
        {!shown && pages > 1 && (
          <>
            <button type="button" className="btn btn-ghost btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)} aria-label="Previous page">
              ‹
            </button>
            <span data-testid="breakout-board-page">
              {page} / {pages}
            </span>
            <button type="button" className="btn btn-ghost btn-sm" disabled={page >= pages} onClick={() => setPage(page + 1)} aria-label="Next page">
              ›
            </button>
          </>
        )}
      </div>
      <div
        className="board-canvas"
        ref={wrap}
        data-testid="breakout-board-canvas"
        data-scroll-x={view.scrollX}
        data-scroll-y={view.scrollY}
        data-zoom={view.zoom}
      >
        {pdfPage && surfaceId && <PdfUnderlay page={pdfPage} pageKey={`${surfaceId}/${page}`} view={view} width={size.width} height={size.height} />}
        <div className="board-excalidraw">
          <Excalidraw
            excalidrawAPI={setApi}
            // Excalidraw applies its initial data after mounting (over earlier scene updates): a shown
            // board's drawings go in here, and the background stays see-through until a whiteboard says otherwise.
            initialData={{
              elements: shown ? restoreElements(wireElements(shown.elements), null) : [],
              appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" },
            }}
            viewModeEnabled={!!shown}
            isCollaborating={!shown}
            autoFocus={false}
            handleKeyboardGlobally={false}
            detectScroll
            UIOptions={BOARD_UI_OPTIONS}
            onChange={() => sync?.changed()}
            onScrollChange={(scrollX, scrollY, zoom) => setView({ scrollX, scrollY, zoom: zoom.value })}
          />
        </div>
        {error && (
          <p className="board-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}
