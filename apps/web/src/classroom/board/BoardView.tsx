import "@excalidraw/excalidraw/index.css";
import "../../styles/board.css";
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { Excalidraw, MainMenu } from "@excalidraw/excalidraw";
import type { AppState, Collaborator, ExcalidrawImperativeAPI, SocketId } from "@excalidraw/excalidraw/types";
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist";
import { BOARD_WHITEBOARD, type BoardStageDto, type MaterialDto, type ParticipantDto, type RoomRole } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import type { BoardActions } from "./useBoard";
import { boardRights } from "./permissions";
import { BoardSync, type PageKey } from "./sync";
import { openMaterial, pageSize } from "./pdf";
import { PdfUnderlay, type BoardView as View } from "./PdfUnderlay";
import { BoardBar } from "./BoardBar";
import { Thumbnails } from "./Thumbnails";
import { BoardSettings } from "./BoardSettings";
import { authorAt, fitPage, usePageLoader, useBoardEvents } from "./boardHooks";
import { useElementSize } from "../../lib/useElementSize";
import { BOARD_UI_OPTIONS } from "./excalidrawOptions";

// Excalidraw's fonts come from our own build (vite.config.ts copies them), never from a CDN.
(window as unknown as { EXCALIDRAW_ASSET_PATH: string }).EXCALIDRAW_ASSET_PATH = "/assets/excalidraw/";

const POINTER_THROTTLE_MS = 50;
/** The highlighter: a freehand pen, wide, yellow and see-through. */
const HIGHLIGHTER = { currentItemStrokeColor: "#fab005", currentItemOpacity: 40, currentItemStrokeWidth: 4 };

export interface BoardViewProps {
  connection: RefObject<RoomConnection | null>;
  roomId: string;
  joinSeq: number;
  me: { userId: string; role: RoomRole };
  stage: BoardStageDto & { surfaceId: string };
  materials: MaterialDto[];
  participants: ParticipantDto[];
  actions: BoardActions;
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
}

/**
 * The board on the stage: the slide (pdf.js) under a transparent Excalidraw, or a white infinite
 * whiteboard page; follows the presenter's page; syncs drawings live (BoardSync).
 */
export default function BoardView(props: BoardViewProps) {
  const { stage, me, roomId } = props;
  const rights = boardRights(stage, me.role, me.userId);
  const whiteboard = stage.surfaceId === BOARD_WHITEBOARD;
  const material = whiteboard ? null : (props.materials.find((m) => m.id === stage.surfaceId) ?? null);
  const pageCount = whiteboard ? stage.whiteboardPages : (material?.pages ?? 1);
  const [browsing, setBrowsing] = useState<number | null>(null);
  const shownPage = Math.min(pageCount, Math.max(1, rights.present || browsing === null ? stage.page : browsing));
  const key: PageKey = useMemo(() => ({ surfaceId: stage.surfaceId, page: shownPage }), [stage.surfaceId, shownPage]);

  const [api, setApi] = useState<ExcalidrawImperativeAPI | null>(null);
  const [sync, setSync] = useState<BoardSync | null>(null);
  const [view, setView] = useState<View>({ scrollX: 0, scrollY: 0, zoom: 1 });
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [pdfPage, setPdfPage] = useState<PDFPageProxy | null>(null);
  const [docError, setDocError] = useState<string | null>(null);
  const [thumbs, setThumbs] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [laser, setLaser] = useState(false);
  const [hover, setHover] = useState<{ x: number; y: number; name: string } | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  // The board's size (the slide's canvas follows it).
  const size = useElementSize(wrap);
  // The parent's callbacks change on every render; effects read the latest ones.
  const latest = useRef(props);
  latest.current = props;
  const describe = useCallback((err: unknown) => latest.current.describe(err), []);

  // A new surface: follow the presenter again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the surface changes.
  useEffect(() => setBrowsing(null), [stage.surfaceId]);

  // The sync engine lives as long as Excalidraw's API.
  useEffect(() => {
    if (!api) return;
    const engine = new BoardSync(
      api,
      (target, elements) => {
        const connection = props.connection.current;
        if (!connection) return Promise.reject(Object.assign(new Error("Not connected"), { code: "NETWORK" }));
        return connection.send("board-draw", { roomId, surfaceId: target.surfaceId, page: target.page, elements });
      },
      // A lost connection shows its own banner; the reconnect sends what is missing.
      (err) => (err as { code?: string }).code !== "NETWORK" && latest.current.run("", () => Promise.reject(err)),
    );
    setSync(engine);
    // `localStorage.vtpDebug = "board"`: the board's socket and scene for the browser console (and the e2e test's direct sends).
    if (globalThis.localStorage?.getItem("vtpDebug")?.includes("board"))
      (globalThis as unknown as { __vtpBoard?: unknown }).__vtpBoard = { connection: props.connection, api };
    return () => engine.dispose();
  }, [api, roomId, props.connection]);
  if (sync) sync.canDraw = rights.draw;

  // The document and the page on show.
  useEffect(() => {
    setDoc(null);
    setDocError(null);
    if (whiteboard) return;
    let alive = true;
    openMaterial(roomId, stage.surfaceId).then(
      (opened) => alive && setDoc(opened),
      (err) => alive && setDocError(describe(err)),
    );
    return () => {
      alive = false;
    };
  }, [roomId, stage.surfaceId, whiteboard, describe]);
  useEffect(() => {
    if (!doc || shownPage > doc.numPages) return setPdfPage(null);
    let alive = true;
    doc.getPage(shownPage).then(
      (loaded) => alive && setPdfPage(loaded),
      (err) => alive && setDocError(describe(err)),
    );
    return () => {
      alive = false;
    };
  }, [doc, shownPage, describe]);

  // Drawings: the page from the server on every page change and (re)join, then live events.
  // The page's drawings are in (`data-loaded` for tests; the pens work from the moment Excalidraw is up).
  const [loadedKey, setLoadedKey] = useState<PageKey | null>(null);
  usePageLoader(props.connection, roomId, props.joinSeq, key, sync, (err) => setDocError(describe(err)), setLoadedKey);
  const collaborators = useBoardEvents(props.connection, roomId, props.joinSeq, key, sync);
  useEffect(() => {
    api?.updateScene({ collaborators: collaborators as Map<SocketId, Collaborator> });
  }, [api, collaborators]);

  // The background: transparent over a slide, white on a whiteboard.
  useEffect(() => {
    api?.updateScene({ appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" } });
  }, [api, whiteboard]);

  // A slide fits the board when it opens (and when the board changes size).
  const fitted = useRef("");
  useEffect(() => {
    if (!api || !pdfPage || size.width <= 0 || size.height <= 0) return;
    const fitKey = `${stage.surfaceId}/${pdfPage.pageNumber}@${size.width}x${size.height}`;
    if (fitted.current === fitKey) return;
    fitted.current = fitKey;
    const next = fitPage(pageSize(pdfPage), size);
    api.updateScene({ appState: { scrollX: next.scrollX, scrollY: next.scrollY, zoom: { value: next.zoom } as AppState["zoom"] } });
    setView(next);
  }, [api, pdfPage, stage.surfaceId, size]);

  // The laser pointer: others see it while the button is down; it is not kept.
  const lastPointer = useRef(0);
  const sendPointer = useCallback(
    (payload: { x: number; y: number } | null) => {
      const connection = props.connection.current;
      if (!connection || !rights.draw) return;
      const body = payload ? { roomId, surfaceId: key.surfaceId, page: key.page, x: payload.x, y: payload.y } : { roomId, hidden: true as const };
      connection.send("board-pointer", body).catch(() => {});
    },
    [props.connection, rights.draw, roomId, key],
  );

  const turn = (page: number) => {
    if (page < 1 || page > pageCount) return;
    if (rights.present) props.run("", () => props.actions.turn(page));
    else setBrowsing(page === stage.page ? null : page);
  };

  return (
    <section
      className={`board ${whiteboard ? "board-whiteboard" : "board-document"}`}
      aria-label="Class board"
      data-testid="board"
      data-surface-id={stage.surfaceId}
      data-page={shownPage}
      data-stage-page={stage.page}
      data-can-draw={rights.draw ? "true" : "false"}
      data-loaded={loadedKey === key ? "true" : "false"}
    >
      <BoardBar
        title={whiteboard ? "Whiteboard" : (material?.title ?? "Document")}
        page={shownPage}
        pageCount={pageCount}
        stagePage={stage.page}
        rights={rights}
        ready={api !== null}
        whiteboard={whiteboard}
        thumbs={thumbs}
        laser={laser}
        settingsOpen={settingsOpen}
        onTurn={turn}
        onFollow={() => setBrowsing(null)}
        onThumbs={() => setThumbs((open) => !open)}
        onHighlighter={() => {
          setLaser(false);
          api?.updateScene({ appState: HIGHLIGHTER });
          api?.setActiveTool({ type: "freedraw" });
        }}
        onPen={(colour) => {
          setLaser(false);
          api?.updateScene({ appState: { currentItemStrokeColor: colour, currentItemOpacity: 100, currentItemStrokeWidth: 2 } });
          api?.setActiveTool({ type: "freedraw" });
        }}
        onLaser={() => {
          const on = !laser;
          setLaser(on);
          api?.setActiveTool({ type: on ? "laser" : "freedraw" });
          if (!on) sendPointer(null);
        }}
        onAddPage={() =>
          props.run("Page added.", async () => {
            const next = await props.actions.addPage();
            await props.actions.turn(next.whiteboardPages);
          })
        }
        onClear={() => props.run("Page cleared.", () => props.actions.clearPage(key.surfaceId, key.page).then(({ seq }) => sync?.cleared(seq)))}
        onStop={() => props.run("The board left the stage.", () => props.actions.present(null))}
        onSettings={() => setSettingsOpen((open) => !open)}
      />
      {settingsOpen && rights.settings && (
        <BoardSettings
          stage={stage}
          participants={props.participants}
          meId={me.userId}
          actions={props.actions}
          run={props.run}
          onClose={() => setSettingsOpen(false)}
        />
      )}
      <div
        className="board-canvas"
        ref={wrap}
        data-testid="board-canvas"
        data-scroll-x={view.scrollX}
        data-scroll-y={view.scrollY}
        data-zoom={view.zoom}
        onPointerMove={(event) => {
          const rect = wrap.current?.getBoundingClientRect();
          if (!rect || !api) return;
          const found = authorAt(api, view, event.clientX - rect.left, event.clientY - rect.top, me.userId);
          setHover(found ? { x: event.clientX - rect.left, y: event.clientY - rect.top, name: found } : null);
        }}
        onPointerLeave={() => setHover(null)}
      >
        {pdfPage && <PdfUnderlay page={pdfPage} pageKey={`${stage.surfaceId}/${pdfPage.pageNumber}`} view={view} width={size.width} height={size.height} />}
        <div className="board-excalidraw">
          <Excalidraw
            excalidrawAPI={setApi}
            initialData={{ appState: { viewBackgroundColor: whiteboard ? "#ffffff" : "transparent" } }}
            viewModeEnabled={!rights.draw}
            isCollaborating
            autoFocus={false}
            handleKeyboardGlobally={false}
            detectScroll
            UIOptions={BOARD_UI_OPTIONS}
            onChange={() => sync?.changed()}
            onScrollChange={(scrollX, scrollY, zoom) => setView({ scrollX, scrollY, zoom: zoom.value })}
            onPointerUpdate={({ pointer, button }) => {
              if (pointer.tool !== "laser" || !rights.draw) return;
              if (button === "up") {
                if (lastPointer.current) sendPointer(null);
                lastPointer.current = 0;
                return;
              }
              const now = Date.now();
              if (now - lastPointer.current < POINTER_THROTTLE_MS) return;
              lastPointer.current = now;
              sendPointer({ x: pointer.x, y: pointer.y });
            }}
          >
            <MainMenu>
              <MainMenu.DefaultItems.Help />
            </MainMenu>
          </Excalidraw>
        </div>
        {hover && (
          <span className="board-author" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="board-author">
            {hover.name}
          </span>
        )}
        {docError && (
          <p className="board-error" role="alert">
            {docError}
          </p>
        )}
      </div>
      {thumbs && (
        <Thumbnails
          doc={whiteboard ? null : doc}
          pageCount={pageCount}
          current={shownPage}
          stagePage={stage.page}
          onPick={turn}
          canAdd={rights.present && whiteboard}
        />
      )}
    </section>
  );
}
