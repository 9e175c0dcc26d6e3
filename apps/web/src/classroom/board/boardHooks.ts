import { useEffect, useState, type RefObject } from "react";
import type { ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import type { ServerEventPayload } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import type { BoardSync, PageKey } from "./sync";
import type { BoardView } from "./PdfUnderlay";

/** The zoom and scroll that show a whole page of `page` points, centred, in a board of `box` pixels. */
export function fitPage(page: { width: number; height: number }, box: { width: number; height: number }, margin = 0.96): BoardView {
  const zoom = Math.max(0.1, Math.min(30, Math.min(box.width / page.width, box.height / page.height) * margin));
  return { zoom, scrollX: (box.width / zoom - page.width) / 2, scrollY: (box.height / zoom - page.height) / 2 };
}

/**
 * Loads the page's drawings (`board-page`) whenever the page on show changes and after every
 * (re)join; on the same page after a reconnect, merges and sends what the server missed.
 */
export function usePageLoader(
  connection: RefObject<RoomConnection | null>,
  roomId: string,
  joinSeq: number,
  key: PageKey,
  sync: BoardSync | null,
  onError: (err: unknown) => void,
  onLoaded?: (key: PageKey) => void,
) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: onError and onLoaded may change every render; the page, the join and the engine decide.
  useEffect(() => {
    const current = connection.current;
    if (!current || !sync || !joinSeq) return;
    let alive = true;
    const samePage = sync.key?.surfaceId === key.surfaceId && sync.key.page === key.page;
    if (!samePage) sync.loading();
    current.send("board-page", { roomId, surfaceId: key.surfaceId, page: key.page }).then(
      ({ elements, seq }) => {
        if (!alive) return;
        if (samePage) sync.rejoin(elements);
        else sync.replace(key, elements, seq);
        onLoaded?.(key);
      },
      (err) => alive && onError(err),
    );
    return () => {
      alive = false;
    };
  }, [connection, roomId, joinSeq, key, sync]);
}

type Pointer = { pointer: { x: number; y: number; tool: "laser" }; button: "down"; username: string; id: string };

/**
 * The live board events of the classroom's socket: drawings and clears of the page on show go to
 * the sync engine; the laser pointers of others on this page come back as Excalidraw collaborators.
 */
export function useBoardEvents(connection: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, key: PageKey, sync: BoardSync | null) {
  const [pointers, setPointers] = useState<Map<string, Pointer>>(() => new Map());
  useEffect(() => {
    const socket = connection.current?.socket;
    if (!socket || !sync || !joinSeq) return;
    const here = (event: { roomId: string; surfaceId: string; page: number }) =>
      event.roomId === roomId && event.surfaceId === key.surfaceId && event.page === key.page;
    const onElements = (event: ServerEventPayload<"board-elements">) => {
      if (here(event)) sync.receive(event.elements, event.seq);
    };
    const onCleared = (event: ServerEventPayload<"board-cleared">) => {
      if (here(event)) sync.cleared(event.seq);
    };
    const onPointer = (event: ServerEventPayload<"board-pointer">) => {
      if (event.roomId !== roomId) return;
      setPointers((before) => {
        const next = new Map(before);
        if ("hidden" in event || !here(event)) next.delete(event.userId);
        else next.set(event.userId, { pointer: { x: event.x, y: event.y, tool: "laser" }, button: "down", username: event.name, id: event.userId });
        return next;
      });
    };
    socket.on("board-elements", onElements);
    socket.on("board-cleared", onCleared);
    socket.on("board-pointer", onPointer);
    return () => {
      socket.off("board-elements", onElements);
      socket.off("board-cleared", onCleared);
      socket.off("board-pointer", onPointer);
    };
  }, [connection, roomId, joinSeq, key, sync]);
  // Another page: nobody's pointer is here.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the page changes.
  useEffect(() => setPointers(new Map()), [key]);
  return pointers;
}

/** The name of whoever drew the element under (x, y) board pixels, unless it is me. */
export function authorAt(api: ExcalidrawImperativeAPI, view: BoardView, x: number, y: number, meId: string): string | null {
  const sceneX = x / view.zoom - view.scrollX;
  const sceneY = y / view.zoom - view.scrollY;
  const slack = 6 / view.zoom;
  const elements = api.getSceneElements();
  for (let i = elements.length - 1; i >= 0; i--) {
    const element = elements[i];
    if (!element) continue;
    const author = element.customData as { authorId?: string; authorName?: string } | undefined;
    if (!author?.authorName || author.authorId === meId) continue;
    let [minX, minY, maxX, maxY] = [0, 0, element.width, element.height];
    if ("points" in element && element.points.length) {
      minX = Math.min(...element.points.map((point) => point[0]));
      maxX = Math.max(...element.points.map((point) => point[0]));
      minY = Math.min(...element.points.map((point) => point[1]));
      maxY = Math.max(...element.points.map((point) => point[1]));
    }
    if (sceneX >= element.x + minX - slack && sceneX <= element.x + maxX + slack && sceneY >= element.y + minY - slack && sceneY <= element.y + maxY + slack)
      return author.authorName;
  }
  return null;
}
