import type { BoardElement } from "@vtp/protocol";

/**
 * Rapid updates from one drawer's socket on one page are merged: the first goes out at once, the
 * ones that arrive while a write is running or within DRAW_COALESCE_MS of its start wait and go
 * as one write with the newest version of each element (last-writer-wins). A stroke being drawn
 * sends its growing element every ~50 ms; merged, the server writes (one transaction: 4 database
 * round trips) and fans out about half as often, and a busy database merges more.
 */
export const DRAW_COALESCE_MS = 100;

/** One merged write: what the lane's draws share (room, page, drawer), the newest version of each element. */
export interface DrawLaneBatch<Context> {
  context: Context;
  elements: BoardElement[];
}

/** What a write answers: the change's seq and the elements kept (the winners). */
export interface DrawWritten {
  seq: number;
  accepted: BoardElement[];
}

interface Waiter {
  ids: Set<string>;
  resolve: (answer: { seq: number; accepted: number }) => void;
  reject: (err: unknown) => void;
}

interface Lane<Context> {
  context: Context | null;
  byId: Map<string, BoardElement>;
  waiters: Waiter[];
  busy: boolean;
  /** The running write (settles when it is done, never rejects). */
  running: Promise<void> | null;
  lastStart: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Merges the draws of each lane (room, surface, page, author, socket) and writes them through `write`. */
export class DrawCoalescer<Context> {
  private readonly lanes = new Map<string, Lane<Context>>();

  constructor(
    private readonly write: (batch: DrawLaneBatch<Context>) => Promise<DrawWritten>,
    private readonly wins: (next: BoardElement, current: BoardElement) => boolean,
    private readonly windowMs = DRAW_COALESCE_MS,
  ) {}

  /** Resolves once the write that carries these elements is committed (the ack's seq and how many of them were kept). */
  submit(laneKey: string, batch: DrawLaneBatch<Context>): Promise<{ seq: number; accepted: number }> {
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { context: null, byId: new Map(), waiters: [], busy: false, running: null, lastStart: 0, timer: null };
      this.lanes.set(laneKey, lane);
    }
    lane.context = batch.context;
    for (const element of batch.elements) {
      const seen = lane.byId.get(element.id);
      if (!seen || this.wins(element, seen)) lane.byId.set(element.id, element);
    }
    const promise = new Promise<{ seq: number; accepted: number }>((resolve, reject) => {
      lane.waiters.push({ ids: new Set(batch.elements.map((element) => element.id)), resolve, reject });
    });
    this.schedule(laneKey, lane);
    return promise;
  }

  /**
   * Writes the waiting draws of every lane whose key starts with `prefix` now and resolves once
   * they are written (a clear of the page comes after the strokes drawn before it).
   */
  async drain(prefix: string): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const running: Promise<void>[] = [];
      for (const [laneKey, lane] of this.lanes) {
        if (!laneKey.startsWith(prefix)) continue;
        if (lane.timer) {
          clearTimeout(lane.timer);
          lane.timer = null;
          if (!lane.busy) this.run(laneKey, lane);
        }
        if (lane.running) running.push(lane.running);
      }
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private schedule(laneKey: string, lane: Lane<Context>): void {
    if (lane.busy || lane.timer || lane.context === null) return;
    const wait = lane.lastStart + this.windowMs - Date.now();
    if (wait <= 0) return void this.run(laneKey, lane);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.run(laneKey, lane);
    }, wait);
  }

  private run(laneKey: string, lane: Lane<Context>): void {
    const context = lane.context;
    if (context === null) return;
    const waiters = lane.waiters;
    const elements = [...lane.byId.values()];
    lane.context = null;
    lane.byId = new Map();
    lane.waiters = [];
    lane.busy = true;
    lane.lastStart = Date.now();
    lane.running = this.write({ context, elements })
      .then(
        (written) => {
          const kept = new Set(written.accepted.map((element) => element.id));
          for (const waiter of waiters) waiter.resolve({ seq: written.seq, accepted: [...waiter.ids].filter((id) => kept.has(id)).length });
        },
        (err: unknown) => {
          for (const waiter of waiters) waiter.reject(err);
        },
      )
      .finally(() => {
        lane.busy = false;
        lane.running = null;
        if (lane.context !== null) return this.schedule(laneKey, lane);
        // An idle lane goes once its window is over (the next draw then writes at once).
        const forget = setTimeout(() => {
          if (!lane.busy && lane.context === null && !lane.timer && this.lanes.get(laneKey) === lane) this.lanes.delete(laneKey);
        }, this.windowMs);
        forget.unref?.();
      });
  }
}
