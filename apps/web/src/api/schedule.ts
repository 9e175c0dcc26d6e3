/**
 * When to refresh an access token that lives `expiresInSeconds`: a little before it expires
 * (a quarter of its life, at most one minute early), never sooner than one second.
 */
export function refreshDelayMs(expiresInSeconds: number): number {
  const life = Math.max(0, expiresInSeconds * 1000);
  const margin = Math.min(60_000, life / 4);
  return Math.max(1_000, Math.round(life - margin));
}

/** True when a token expiring at `expiresAt` (ms epoch) should be refreshed now. */
export function isExpiringSoon(expiresAt: number, now: number): boolean {
  return expiresAt - now < 30_000;
}
