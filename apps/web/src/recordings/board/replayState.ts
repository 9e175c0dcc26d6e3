import {
  BOARD_WHITEBOARD,
  type BoardElement,
  type BoardStageDto,
  type RecordingBoardOpDto,
  type RecordingBoardResponse,
  type RecordingMarkerDto,
} from "@vtp/protocol";

/** How long a laser-pointer sample stays on the board (samples come at most ~5 per second). */
export const POINTER_SHOWN_MS = 1500;

/** A laser pointer on the board at the playback time. */
export interface ReplayPointer {
  userId: string;
  name: string;
  surfaceId: string;
  page: number;
  x: number;
  y: number;
}

const pageKey = (surfaceId: string, page: number) => `${surfaceId}/${page}`;

/** The contract's last-writer-wins: `incoming` replaces `stored` iff a higher version, or the same with a lower nonce. */
export function wins(incoming: BoardElement, stored: BoardElement | undefined): boolean {
  if (!stored) return true;
  return incoming.version > stored.version || (incoming.version === stored.version && incoming.versionNonce < stored.versionNonce);
}

/** Ops in playback order: by offset, then seq, then as the server listed them. */
export function sortOps(ops: RecordingBoardOpDto[]): RecordingBoardOpDto[] {
  return ops
    .map((op, index) => ({ op, index }))
    .sort((a, b) => a.op.offsetMs - b.op.offsetMs || a.op.seq - b.op.seq || a.index - b.index)
    .map(({ op }) => op);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * The board of a recording at any playback time: the board at the recording's start, then the
 * ops up to the time applied in order (sorted once by offset, then seq). Playing forward moves a
 * cursor over the ops; a backwards seek starts again from the recording's start.
 */
export class BoardReplayState {
  readonly ops: RecordingBoardOpDto[];
  private readonly initial: RecordingBoardResponse;
  private cursor = 0;
  private timeMs = Number.NEGATIVE_INFINITY;
  private pages = new Map<string, Map<string, BoardElement>>();
  private pointers = new Map<string, ReplayPointer & { offsetMs: number }>();
  stage: BoardStageDto | null = null;
  /** Grows on every change the view must show (stage, elements); pointer moves do not count. */
  revision = 0;

  constructor(response: RecordingBoardResponse) {
    this.initial = response;
    this.ops = sortOps(response.ops);
    this.reset();
  }

  /** The recording has anything of the board: a stage at its start or any op. */
  get used(): boolean {
    return this.initial.stage !== null || this.ops.length > 0;
  }

  /** Moves the board to `timeMs` (ops at exactly `timeMs` included). Returns whether what is shown changed. */
  seek(timeMs: number): boolean {
    const before = this.revision;
    if (timeMs < this.timeMs) {
      this.reset();
      this.revision = before + 1;
    }
    this.timeMs = timeMs;
    while (this.cursor < this.ops.length && (this.ops[this.cursor] as RecordingBoardOpDto).offsetMs <= timeMs) {
      this.apply(this.ops[this.cursor] as RecordingBoardOpDto);
      this.cursor++;
    }
    return this.revision !== before;
  }

  /** The live (non-deleted) elements of a page. */
  elementsOf(surfaceId: string, page: number): BoardElement[] {
    const scene = this.pages.get(pageKey(surfaceId, page));
    return scene ? [...scene.values()].filter((element) => !element.isDeleted) : [];
  }

  /** The page on the stage, or null when the board is not on the stage. */
  get shown(): { surfaceId: string; page: number } | null {
    return this.stage?.surfaceId ? { surfaceId: this.stage.surfaceId, page: this.stage.page } : null;
  }

  /** Laser pointers on the shown page, sampled within POINTER_SHOWN_MS before the time. */
  pointersShown(): ReplayPointer[] {
    const shown = this.shown;
    if (!shown) return [];
    return [...this.pointers.values()]
      .filter((pointer) => pointer.surfaceId === shown.surfaceId && pointer.page === shown.page && this.timeMs - pointer.offsetMs <= POINTER_SHOWN_MS)
      .map(({ offsetMs: _offset, ...pointer }) => pointer);
  }

  private reset(): void {
    this.cursor = 0;
    this.timeMs = Number.NEGATIVE_INFINITY;
    this.stage = this.initial.stage;
    this.pages = new Map();
    this.pointers = new Map();
    for (const entry of this.initial.pages) {
      const scene = new Map<string, BoardElement>();
      for (const element of entry.elements) if (wins(element, scene.get(element.id))) scene.set(element.id, element);
      this.pages.set(pageKey(entry.surfaceId, entry.page), scene);
    }
  }

  private apply(op: RecordingBoardOpDto): void {
    const payload = op.payload;
    switch (op.kind) {
      case "present":
      case "turn":
      case "settings": {
        if (!isRecord(payload.stage)) return;
        this.stage = payload.stage as unknown as BoardStageDto;
        this.revision++;
        return;
      }
      case "draw": {
        const { surfaceId, page, elements } = payload;
        if (typeof surfaceId !== "string" || typeof page !== "number" || !Array.isArray(elements)) return;
        const key = pageKey(surfaceId, page);
        const scene = this.pages.get(key) ?? new Map<string, BoardElement>();
        this.pages.set(key, scene);
        for (const element of elements as BoardElement[]) {
          if (!isRecord(element) || typeof element.id !== "string") continue;
          if (wins(element, scene.get(element.id))) scene.set(element.id, element);
        }
        this.revision++;
        return;
      }
      case "clear": {
        if (payload.all === true) this.pages.clear();
        else if (typeof payload.surfaceId === "string" && typeof payload.page === "number") this.pages.delete(pageKey(payload.surfaceId, payload.page));
        this.revision++;
        return;
      }
      case "pointer": {
        const userId = typeof payload.userId === "string" ? payload.userId : "";
        if (payload.hidden === true) {
          this.pointers.delete(userId);
          return;
        }
        const { surfaceId, page, x, y, name } = payload;
        if (typeof surfaceId !== "string" || typeof page !== "number" || typeof x !== "number" || typeof y !== "number") return;
        this.pointers.set(userId, { userId, name: typeof name === "string" ? name : "", surfaceId, page, x, y, offsetMs: op.offsetMs });
        return;
      }
    }
  }
}

/** What a surface is called on the timeline: the document's title, or "Whiteboard". */
export function surfaceTitle(surfaceId: string, titles: ReadonlyMap<string, string>): string {
  if (surfaceId === BOARD_WHITEBOARD) return "Whiteboard";
  return titles.get(surfaceId) ?? "Document";
}

/**
 * The slide changes of a recording as timeline moments of kind "slide": each present or turn
 * op that puts a page on the stage, unless the same page was already shown.
 * `titles`: document titles by material id (unknown ones are called "Document").
 */
export function slideMoments(response: RecordingBoardResponse, startedAt: string, titles: ReadonlyMap<string, string>): RecordingMarkerDto[] {
  const moments: RecordingMarkerDto[] = [];
  let last = response.stage?.surfaceId ? pageKey(response.stage.surfaceId, response.stage.page) : "";
  const start = new Date(startedAt).getTime();
  for (const op of sortOps(response.ops)) {
    if (op.kind !== "present" && op.kind !== "turn") continue;
    const stage = op.payload.stage as BoardStageDto | undefined;
    if (!isRecord(stage)) continue;
    if (!stage.surfaceId) {
      last = "";
      continue;
    }
    const key = pageKey(stage.surfaceId, stage.page);
    if (key === last) continue;
    last = key;
    const whiteboard = stage.surfaceId === BOARD_WHITEBOARD;
    moments.push({
      id: `slide-${op.seq}-${op.offsetMs}`,
      kind: "slide",
      label: whiteboard ? `Whiteboard page ${stage.page}` : `Slide ${stage.page} — ${surfaceTitle(stage.surfaceId, titles)}`,
      offsetMs: op.offsetMs,
      createdAt: Number.isFinite(start) ? new Date(start + op.offsetMs).toISOString() : op.at,
    });
  }
  return moments;
}
