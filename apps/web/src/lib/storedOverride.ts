/**
 * A positive integer a test or a developer set in this browser's localStorage under `key`
 * (e.g. `vtpMediaTimeoutMs`, `vtpRecvCompactAfter`), or `fallback` when unset, not a positive
 * integer, or storage is unavailable (private mode, a sandboxed frame).
 */
export function storedPositiveInt(key: string, fallback: number): number {
  try {
    const value = Number(globalThis.localStorage?.getItem(key));
    if (Number.isInteger(value) && value > 0) return value;
  } catch {
    /* storage unavailable */
  }
  return fallback;
}
