import type { MediaSignal } from "./session";

export interface BusyRetryOptions {
  /** Stop trying after this long and let the error through (default 120 s). */
  giveUpMs?: number;
  /** Wait between two tries: from `minMs` to `maxMs`, random (default 1–3 s), so a storm of joiners spreads out. */
  minMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * MEDIA_BUSY: the media worker is setting up other people's connections (a join storm) and asks
 * this one to come back (docs/MEDIA.md "Join storms"). The same request is sent again after a
 * short random wait; the transport kept its state, so the same offer or answer is still the one.
 */
export function retryWhileBusy(request: MediaSignal["request"], options: BusyRetryOptions = {}): MediaSignal["request"] {
  const { giveUpMs = 120_000, minMs = 1000, maxMs = 3000 } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (event, payload) => {
    const end = Date.now() + giveUpMs;
    for (;;) {
      try {
        return await request(event, payload);
      } catch (err) {
        if ((err as { code?: string }).code !== "MEDIA_BUSY" || Date.now() > end) throw err;
        await sleep(minMs + Math.random() * (maxMs - minMs));
      }
    }
  };
}
