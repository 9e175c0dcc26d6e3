import type { BoardElement, RecordingBoardResponse } from "@vtp/protocol";

/** When the board was on the stage, in ms from the recording's start. */
export interface BoardSpan {
  startMs: number;
  endMs: number;
}

/** A laser pointer sample drawn for this long after it came. */
export const POINTER_SHOWN_MS = 1000;

interface StageLike {
  surfaceId: string | null;
  page: number;
}

const stageOf = (payload: Record<string, unknown>): StageLike | undefined => {
  const stage = payload.stage as Partial<StageLike> | undefined;
  if (!stage || typeof stage !== "object") return undefined;
  const surfaceId = typeof stage.surfaceId === "string" ? stage.surfaceId : null;
  const page = typeof stage.page === "number" && Number.isInteger(stage.page) && stage.page >= 1 ? stage.page : 1;
  return { surfaceId, page };
};

/** The spans of the recording during which the board was on the stage (surfaceId not null). */
export function boardSpans(board: RecordingBoardResponse, durationMs: number): BoardSpan[] {
  const spans: BoardSpan[] = [];
  let from: number | undefined = board.stage?.surfaceId ? 0 : undefined;
  for (const op of board.ops) {
    const stage = op.kind === "present" || op.kind === "turn" || op.kind === "settings" ? stageOf(op.payload) : undefined;
    if (!stage) continue;
    const at = Math.min(durationMs, Math.max(0, op.offsetMs));
    if (stage.surfaceId && from === undefined) from = at;
    else if (!stage.surfaceId && from !== undefined) {
      if (at > from) spans.push({ startMs: from, endMs: at });
      from = undefined;
    }
  }
  if (from !== undefined && durationMs > from) spans.push({ startMs: from, endMs: durationMs });
  return spans;
}

/** A pointer shown on a page, with when it goes. */
export interface PointerDot {
  surfaceId: string;
  page: number;
  x: number;
  y: number;
  untilMs: number;
}

/**
 * The board replayed op by op: the stage, every page's live elements (last accepted version per
 * element id; a clear empties a page or, `all`, every page) and the laser pointers. `advance(t)`
 * applies the ops up to t and says whether what is shown changed.
 */
export class BoardTimeline {
  stage: StageLike;
  private readonly pages = new Map<string, Map<string, BoardElement>>();
  /** One pointer per user. */
  private readonly pointers = new Map<string, PointerDot>();
  private next = 0;
  /** Bumped by every change of a page's elements (the whiteboard view follows its bounds). */
  private readonly pageVersions = new Map<string, number>();

  constructor(private readonly board: RecordingBoardResponse) {
    this.stage = { surfaceId: board.stage?.surfaceId ?? null, page: board.stage?.page ?? 1 };
    for (const page of board.pages) {
      const elements = this.page(page.surfaceId, page.page);
      for (const element of page.elements) elements.set(element.id, element);
    }
  }

  /** The live elements of the shown page (bottom first). */
  shownElements(): BoardElement[] {
    if (!this.stage.surfaceId) return [];
    const elements = [...(this.pages.get(`${this.stage.surfaceId}/${this.stage.page}`)?.values() ?? [])].filter((element) => !element.isDeleted);
    // Excalidraw's z-order: its fractional `index` (compared as plain strings), then arrival.
    return elements.sort((a, b) => {
      const left = typeof a.index === "string" ? a.index : undefined;
      const right = typeof b.index === "string" ? b.index : undefined;
      if (left === right) return 0;
      if (left === undefined) return 1;
      if (right === undefined) return -1;
      return left < right ? -1 : 1;
    });
  }

  /** The pointers on the shown page at time t. */
  shownPointers(t: number): PointerDot[] {
    return [...this.pointers.values()].filter((dot) => dot.untilMs > t && dot.surfaceId === this.stage.surfaceId && dot.page === this.stage.page);
  }

  /** Applies the ops at or before t; true when the picture may have changed. */
  advance(t: number): boolean {
    let changed = false;
    const shownKey = () => `${this.stage.surfaceId}/${this.stage.page}`;
    for (const [userId, dot] of this.pointers) if (dot.untilMs <= t) changed = this.pointers.delete(userId) || changed;
    const ops = this.board.ops;
    while (this.next < ops.length && ops[this.next].offsetMs <= t) {
      const op = ops[this.next++];
      const payload = op.payload;
      if (op.kind === "present" || op.kind === "turn" || op.kind === "settings") {
        const stage = stageOf(payload);
        if (stage && (stage.surfaceId !== this.stage.surfaceId || stage.page !== this.stage.page)) {
          this.stage = stage;
          changed = true;
        }
      } else if (op.kind === "draw" && typeof payload.surfaceId === "string" && typeof payload.page === "number") {
        const elements = this.page(payload.surfaceId, payload.page);
        for (const element of (Array.isArray(payload.elements) ? payload.elements : []) as BoardElement[]) {
          if (!element || typeof element.id !== "string") continue;
          if (element.isDeleted) elements.delete(element.id);
          else elements.set(element.id, element);
        }
        this.bump(`${payload.surfaceId}/${payload.page}`);
        changed = changed || `${payload.surfaceId}/${payload.page}` === shownKey();
      } else if (op.kind === "clear") {
        if (payload.all === true) {
          for (const [pageKey, elements] of this.pages) {
            elements.clear();
            this.bump(pageKey);
          }
          changed = true;
        } else if (typeof payload.surfaceId === "string" && typeof payload.page === "number") {
          const pageKey = `${payload.surfaceId}/${payload.page}`;
          this.pages.get(pageKey)?.clear();
          this.bump(pageKey);
          changed = changed || pageKey === shownKey();
        }
      } else if (op.kind === "pointer") {
        const userId = String(payload.userId ?? "");
        if (payload.hidden === true) changed = this.pointers.delete(userId) || changed;
        else if (typeof payload.surfaceId === "string" && typeof payload.page === "number" && Number.isFinite(payload.x) && Number.isFinite(payload.y)) {
          const dot = { surfaceId: payload.surfaceId, page: payload.page, x: Number(payload.x), y: Number(payload.y), untilMs: op.offsetMs + POINTER_SHOWN_MS };
          this.pointers.set(userId, dot);
          changed = true;
        }
      }
    }
    return changed;
  }

  /** A number that changes whenever the shown page's elements do. */
  shownVersion(): number {
    return this.pageVersions.get(`${this.stage.surfaceId}/${this.stage.page}`) ?? 0;
  }

  private bump(pageKey: string): void {
    this.pageVersions.set(pageKey, (this.pageVersions.get(pageKey) ?? 0) + 1);
  }

  private page(surfaceId: string, page: number): Map<string, BoardElement> {
    const pageKey = `${surfaceId}/${page}`;
    let elements = this.pages.get(pageKey);
    if (!elements) {
      elements = new Map();
      this.pages.set(pageKey, elements);
    }
    return elements;
  }
}
