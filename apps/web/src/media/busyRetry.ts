import type { MediaSignal } from "./session";

export interface BusyRetryOptions {
  /** Stop trying after this long and let the error through (default 120 s). */
  giveUpMs?: number;
  /** Wait between two tries: from `minMs` to `maxMs`, random (default 1–3 s), so a storm of joiners spreads out. */
  minMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * A set-up request (`create-transport`, `connect-transport`, `consume`) still unanswered after this long counts as
   * waiting too (default 2 s): the worker's gate holds a set-up in its queue, with no answer, for
   * up to MEDIA_ADMISSION_WAIT_MS before it says MEDIA_BUSY.
   */
  slowMs?: number;
  /** Some request started waiting (answered MEDIA_BUSY, or a set-up slower than `slowMs`): the classroom says so. */
  onBusy?: () => void;
  /** No request waits any more: each one was answered, or gave up (its error goes on to the caller). */
  onIdle?: () => void;
}

/**
 * The requests that may wait at the server: at the media worker's admission gate
 * (`connect-transport`, `consume`; docs/MEDIA.md "Join storms"), and `create-transport`, the first of
 * which on a server waits for its media workers to start.
 */
const SETUP_EVENTS = new Set<string>(["create-transport", "connect-transport", "consume"]);

/**
 * MEDIA_BUSY: the media worker is setting up other people's connections (a join storm) and asks
 * this one to come back (docs/MEDIA.md "Join storms"). The same request is sent again after a
 * short random wait; the transport kept its state, so the same offer or answer is still the one.
 * While any request waits, `onBusy` has been called; `onIdle` is called once none does.
 */
export function retryWhileBusy(request: MediaSignal["request"], options: BusyRetryOptions = {}): MediaSignal["request"] {
  const { giveUpMs = 120_000, minMs = 1000, maxMs = 3000, slowMs = 2000, onBusy, onIdle } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let waiting = 0;
  return async (event, payload) => {
    const end = Date.now() + giveUpMs;
    let counted = false;
    const wait = () => {
      if (counted) return;
      counted = true;
      if (waiting++ === 0) onBusy?.();
    };
    const slow = SETUP_EVENTS.has(event) ? setTimeout(wait, slowMs) : undefined;
    try {
      for (;;) {
        try {
          return await request(event, payload);
        } catch (err) {
          if ((err as { code?: string }).code !== "MEDIA_BUSY" || Date.now() > end) throw err;
          wait();
          await sleep(minMs + Math.random() * (maxMs - minMs));
        }
      }
    } finally {
      clearTimeout(slow);
      if (counted && --waiting === 0) onIdle?.();
    }
  };
}
