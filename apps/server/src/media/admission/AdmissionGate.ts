import { AppError } from "../../errors/index.js";
import { LoopLag } from "./LoopLag.js";

/** The admission settings of a media worker (MEDIA_ADMISSION_*, read in media/config.ts). */
export interface AdmissionSettings {
  /** Transport set-ups (ICE + DTLS until connected) one worker runs at once. */
  concurrency: number;
  /** Set-ups that may wait for a place; one more is refused at once (MEDIA_BUSY). */
  queueLength: number;
  /** A set-up that waited this long without a place is refused (MEDIA_BUSY: the client tries again). */
  maxWaitMs: number;
  /** No set-up starts while the worker's event loop runs later than this (forwarding and consent first). */
  lagLimitMs: number;
  /** A set-up holds its place at most this long (a client that never completes ICE/DTLS). */
  setupTimeoutMs: number;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  concurrency: 4,
  queueLength: 2000,
  maxWaitMs: 8000,
  lagLimitMs: 50,
  setupTimeoutMs: 15_000,
};

export interface AdmissionStats {
  inFlight: number;
  queued: number;
  admitted: number;
  refused: number;
  /** Admissions held back because the loop ran late, counted once per paused check. */
  lagPauses: number;
  lagMs: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Admits transport set-ups at the rate one worker can take them (one per event loop). A set-up
 * (the first SDP exchange of a transport: ICE checks and the DTLS handshake, JS crypto on this
 * loop) takes a place before it starts and gives it back once the transport is connected, failed,
 * closed, or after `setupTimeoutMs`. At most `concurrency` run at once; the others wait in order;
 * while the loop runs later than `lagLimitMs` only one runs at a time, so established transports'
 * forwarding, STUN consent answers and keep-alives come first, and joins still progress. A full queue, or a wait past `maxWaitMs`,
 * answers MEDIA_BUSY (503): the client tries again later (the ack says so).
 */
export class AdmissionGate {
  readonly #queue: Waiter[] = [];
  readonly #lag: LoopLag;
  #inFlight = 0;
  #admitted = 0;
  #refused = 0;
  #lagPauses = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    public settings: AdmissionSettings = DEFAULT_ADMISSION,
    lag?: LoopLag,
  ) {
    this.#lag = lag ?? new LoopLag();
    this.#lag.start();
  }

  /** Waits for a place; resolves with the function that gives it back (idempotent). */
  admit(): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length >= this.settings.queueLength) {
        this.#refused++;
        reject(busy(`${this.#queue.length} connections are waiting to be set up on this media worker`));
        return;
      }
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = this.#queue.indexOf(waiter);
          if (at < 0) return;
          this.#queue.splice(at, 1);
          this.#refused++;
          reject(busy(`No place to set up the connection within ${this.settings.maxWaitMs} ms`));
        }, this.settings.maxWaitMs),
      };
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.settings.concurrency) {
      // A late loop holds back the second and later set-ups, never the first: the lateness may
      // come from outside (other processes on a busy machine), and a gate that admitted nothing
      // until the machine went quiet would stop every join (seen: a class on a machine at load 12).
      if (this.#inFlight > 0 && this.#lag.lagMs > this.settings.lagLimitMs) {
        this.#lagPauses++;
        this.#retry ??= setTimeout(() => {
          this.#retry = undefined;
          this.#pump();
        }, this.#lag.intervalMs);
        return;
      }
      const waiter = this.#queue.shift() as Waiter;
      clearTimeout(waiter.timer);
      this.#inFlight++;
      this.#admitted++;
      let released = false;
      const hold = setTimeout(() => release(), this.settings.setupTimeoutMs);
      const release = () => {
        if (released) return;
        released = true;
        clearTimeout(hold);
        this.#inFlight--;
        this.#pump();
      };
      waiter.resolve(release);
    }
  }

  stats(): AdmissionStats {
    return {
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      admitted: this.#admitted,
      refused: this.#refused,
      lagPauses: this.#lagPauses,
      lagMs: Math.round(this.#lag.lagMs),
    };
  }
}

function busy(detail: string): AppError {
  return new AppError("MEDIA_BUSY", `The media server is busy setting up other connections; try again in a few seconds (${detail})`);
}
