/**
 * Waiting in tests: poll for the condition a person would see, never wait a fixed time for
 * something to have happened.
 */

/** Resolves after `ms`. Only for a poll interval or a pause the test itself is about; to wait for something, use waitFor. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Time between two polls (default 50 ms). */
  intervalMs?: number;
}

/**
 * Polls `fn` until it returns a truthy value, and returns that value. After the timeout it throws
 * with `what` and the last value seen, so a test that never gets there fails with a reason.
 */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, options: WaitOptions | number = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 20_000, intervalMs = 50 } = typeof options === "number" ? { timeoutMs: options } : options;
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last value: ${describe(last)})`);
    await sleep(intervalMs);
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
