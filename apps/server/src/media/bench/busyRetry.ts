/**
 * The bench clients' answer to MEDIA_BUSY (the worker's admission gate said "later", a join
 * storm): send the same request again after a moment, as the web client does (web
 * `media/busyRetry.ts`), until `deadlineMs` has passed. `onBusy` counts the refusals; `pauseMs` is
 * the pause's range (default 0.3–1.3 s; the web client's is 1–3 s).
 */
export async function whileMediaBusy<T>(
  call: () => Promise<T>,
  options: { deadlineMs?: number; onBusy?: () => void; pauseMs?: [min: number, max: number] } = {},
): Promise<T> {
  const [min, max] = options.pauseMs ?? [300, 1300];
  const deadline = performance.now() + (options.deadlineMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: string }).code !== "MEDIA_BUSY" || performance.now() > deadline) throw err;
      options.onBusy?.();
      await new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
    }
  }
}
