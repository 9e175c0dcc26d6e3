import { CaptureUpdateAction, reconcileElements, restoreElements } from "@excalidraw/excalidraw";
import type { ExcalidrawElement, OrderedExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import type { RemoteExcalidrawElement } from "@excalidraw/excalidraw/data/reconcile";
import type { ExcalidrawImperativeAPI } from "@excalidraw/excalidraw/types";
import { BOARD_DRAW_MAX, BOARD_ELEMENT_JSON_MAX, BOARD_ELEMENT_TYPES, type BoardElement } from "@vtp/protocol";
import { needsSplit, type PointsElement, splitToFit, tooManyPoints } from "./splitStroke";

const SENDABLE = new Set<string>(BOARD_ELEMENT_TYPES);
/** While drawing, changes go out at most this often (strokes appear while they are drawn). */
export const DRAW_THROTTLE_MS = 50;

export interface PageKey {
  surfaceId: string;
  page: number;
}

/**
 * The drawings of the page on show, kept in step with the server (docs/PROTOCOL.md "Board"):
 * local changes go out as `board-draw` (only elements whose version changed since the server last
 * had them, throttled); incoming elements merge by Excalidraw's own last-writer-wins rule
 * (`reconcileElements`: higher version wins, then the lower versionNonce — the server's rule), and
 * never enter the local undo stack (CaptureUpdateAction.NEVER).
 */
export class BoardSync {
  /** id → the version the server has (sent by us, or received). */
  private known = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  private again = false;
  /** Events that arrived while the page was loading, applied after it if newer than its `seq`. */
  private buffer: { seq: number; elements: BoardElement[] | null }[] | null = null;
  /** While a page loads: the ids of the page being left (what else is on the scene was drawn meanwhile). */
  private leaving: Set<string> | null = null;
  key: PageKey | null = null;
  canDraw = false;

  constructor(
    private readonly api: ExcalidrawImperativeAPI,
    private readonly send: (key: PageKey, elements: BoardElement[]) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Another page is being loaded: nothing is sent, events wait for the page. */
  loading() {
    if (this.key) this.leaving = new Set(this.api.getSceneElementsIncludingDeleted().map((element) => element.id));
    this.key = null;
    this.buffer = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Shows a page freshly loaded from the server (`board-page`): replaces the scene and the undo
   * stack. What was drawn while it loaded (a stroke begun as the board appeared) stays, and is sent.
   */
  replace(key: PageKey, elements: BoardElement[], seq: number) {
    const leaving = this.leaving ?? new Set<string>();
    this.leaving = null;
    const loaded = new Set(elements.map((element) => element.id));
    const drawnMeanwhile = this.api
      .getSceneElementsIncludingDeleted()
      .filter((element) => !element.isDeleted && !leaving.has(element.id) && !loaded.has(element.id));
    this.key = key;
    this.known = new Map(elements.map((element) => [element.id, element.version]));
    this.api.updateScene({ elements: [...restoreElements(clean(elements), null), ...drawnMeanwhile], captureUpdate: CaptureUpdateAction.NEVER });
    this.api.history.clear();
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) if (event.seq > seq) event.elements ? this.receive(event.elements, event.seq) : this.cleared(event.seq);
    if (drawnMeanwhile.length > 0) this.changed();
  }

  /**
   * The same page again after a reconnect: merges what the server has with what is here, and
   * sends what the server missed (drawn while the connection was down).
   */
  rejoin(elements: BoardElement[]) {
    for (const element of elements) this.known.set(element.id, element.version);
    this.merge(elements);
    this.changed();
  }

  /** Elements from someone else (`board-elements`). */
  receive(elements: BoardElement[], seq: number) {
    if (this.buffer) return void this.buffer.push({ seq, elements });
    for (const element of elements) this.known.set(element.id, Math.max(this.known.get(element.id) ?? 0, element.version));
    this.merge(elements);
  }

  /** The page was cleared (by anyone). */
  cleared(seq: number) {
    if (this.buffer) return void this.buffer.push({ seq, elements: null });
    this.known.clear();
    this.api.updateScene({ elements: [], captureUpdate: CaptureUpdateAction.NEVER });
    this.api.history.clear();
  }

  /** The local scene changed: schedule a send of what changed. */
  changed() {
    if (!this.canDraw || !this.key || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, DRAW_THROTTLE_MS);
  }

  dispose() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.key = null;
  }

  private merge(remote: BoardElement[]) {
    const local = this.api.getSceneElementsIncludingDeleted() as readonly OrderedExcalidrawElement[];
    const restored = restoreElements(clean(remote), local) as unknown as RemoteExcalidrawElement[];
    const merged = reconcileElements(local, restored, this.api.getAppState());
    this.api.updateScene({ elements: merged, captureUpdate: CaptureUpdateAction.NEVER });
  }

  private pending(): ExcalidrawElement[] {
    return this.api.getSceneElementsIncludingDeleted().filter((element) => {
      if (!SENDABLE.has(element.type) || this.known.get(element.id) === element.version) return false;
      // A never-sent element that is already deleted concerns nobody.
      if (element.isDeleted && !this.known.has(element.id)) return false;
      return true;
    });
  }

  /**
   * A finished stroke of more than BOARD_POINTS_MAX points or BOARD_ELEMENT_JSON_MAX bytes becomes
   * several strokes (here and for everyone); while it is still being drawn its last version within
   * the limits is what others see.
   */
  private splitLongStrokes() {
    const drawing = this.api.getAppState().newElement?.id;
    const scene = this.api.getSceneElementsIncludingDeleted();
    const split = (element: ExcalidrawElement): element is PointsElement => element.id !== drawing && !element.isDeleted && needsSplit(element);
    if (!scene.some(split)) return;
    const next = scene.flatMap((element) => (split(element) ? splitToFit(element) : [element]));
    this.api.updateScene({ elements: next, captureUpdate: CaptureUpdateAction.NEVER });
  }

  private async flush() {
    const key = this.key;
    if (!key || !this.canDraw) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    try {
      this.splitLongStrokes();
      const pending = this.pending();
      const changed = pending.filter(fits);
      const drawing = this.api.getAppState().newElement?.id;
      const tooLarge = pending.filter((element) => element.id !== drawing && !fits(element));
      if (tooLarge.length > 0) {
        // Said once per version: the next edit of it is checked again.
        for (const element of tooLarge) this.known.set(element.id, element.version);
        this.onError(
          new Error(
            `${tooLarge.length === 1 ? "One drawing is" : `${tooLarge.length} drawings are`} too large to share (over ${BOARD_ELEMENT_JSON_MAX / 1024} KB): only you see it. Make it smaller or split it.`,
          ),
        );
      }
      for (let i = 0; i < changed.length; i += BOARD_DRAW_MAX) {
        const batch = changed.slice(i, i + BOARD_DRAW_MAX);
        const before = batch.map((element) => [element.id, this.known.get(element.id)] as const);
        for (const element of batch) this.known.set(element.id, element.version);
        try {
          await this.send(key, batch.map(toWire));
        } catch (err) {
          // Lost connection: forget that we sent them, so the next change (or the reconnect) sends them again.
          if ((err as { code?: string }).code === "NETWORK" && this.key === key)
            for (const [id, version] of before) version === undefined ? this.known.delete(id) : this.known.set(id, version);
          this.onError(err);
          return;
        }
      }
    } finally {
      this.sending = false;
      if (this.again) {
        this.again = false;
        this.changed();
      }
    }
  }
}

/** Elements from the wire: no links (a board element opens nothing). */
function clean(elements: BoardElement[]) {
  return elements.map((element) => ({ ...element, link: null })) as unknown as ExcalidrawElement[];
}

function toWire(element: ExcalidrawElement): BoardElement {
  return element as unknown as BoardElement;
}

/**
 * Within the server's limits: a stroke still being drawn past BOARD_POINTS_MAX points waits (it is
 * split when finished); an element too large otherwise (a huge text) is reported, not sent.
 */
function fits(element: ExcalidrawElement): boolean {
  if (tooManyPoints(element)) return false;
  return new TextEncoder().encode(JSON.stringify(element)).length <= BOARD_ELEMENT_JSON_MAX;
}
