import type { BoardElement } from "@vtp/protocol";

/**
 * The history (board_ops) keeps a growing element at most every STROKE_HISTORY_MS, plus its last
 * version: a version that comes sooner after the last kept one waits, replaced by newer ones, and
 * is kept when the interval is over (with the time and seq it was accepted at, so the replay shows
 * it when it happened). The live tables (board_elements) always have the newest version.
 * A server stopped within that interval loses the waiting version from the history only (the
 * page itself has it); `flush` keeps them all at shutdown.
 */
export const STROKE_HISTORY_MS = 250;

/** A version waiting to go into the history as its own `draw` op. */
export interface DeferredDraw {
  roomId: string;
  surfaceId: string;
  page: number;
  authorId: string;
  element: BoardElement;
  seq: number;
  at: Date;
}

/** The key of one element of one page. */
export const elementKey = (roomId: string, surfaceId: string, page: number, elementId: string) => `${roomId}/${surfaceId}/${page}/${elementId}`;

export class StrokeHistory {
  private readonly lastKept = new Map<string, number>();
  private readonly waiting = new Map<string, { draw: DeferredDraw; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly keep: (draw: DeferredDraw) => Promise<void>,
    private readonly everyMs = STROKE_HISTORY_MS,
  ) {}

  /** Whether a version accepted `now` goes into the history at once. */
  due(key: string, now: number): boolean {
    const last = this.lastKept.get(key);
    return last === undefined || now - last >= this.everyMs;
  }

  /** A version went into the history with its write: an older waiting one is not needed any more. */
  kept(key: string, now: number): void {
    const waiting = this.waiting.get(key);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.waiting.delete(key);
    }
    this.remember(key, now);
  }

  /** A version that is not due: it waits (replacing an older waiting one) until the interval is over. */
  defer(key: string, draw: DeferredDraw): void {
    const waiting = this.waiting.get(key);
    if (waiting) {
      waiting.draw = draw;
      return;
    }
    const wait = Math.max(0, (this.lastKept.get(key) ?? 0) + this.everyMs - draw.at.getTime());
    const timer = setTimeout(() => void this.fire(key), wait);
    this.waiting.set(key, { draw, timer });
  }

  /** Keeps every waiting version now (at shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((key) => this.fire(key)));
  }

  private async fire(key: string): Promise<void> {
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.waiting.delete(key);
    this.remember(key, waiting.draw.at.getTime());
    await this.keep(waiting.draw);
  }

  private remember(key: string, at: number): void {
    if (this.lastKept.size > 10_000) {
      const now = Date.now();
      for (const [seen, last] of this.lastKept) if (now - last >= this.everyMs) this.lastKept.delete(seen);
    }
    this.lastKept.set(key, at);
  }
}
