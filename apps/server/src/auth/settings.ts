import type { SettingsReader } from "../config/settings.js";

export interface AuthSettings {
  /**
   * REFRESH_REUSE_GRACE_SECONDS: for this long after a refresh token is rotated, presenting it
   * again (a second tab refreshing at the same moment) gets a fresh session in the same family
   * instead of counting as reuse. 0 turns the grace off.
   */
  refreshReuseGraceSeconds: number;
}

/** Reads the account settings; problems go to the reader (reported at start). */
export function readAuthSettings(read: SettingsReader): AuthSettings {
  return { refreshReuseGraceSeconds: read.int("REFRESH_REUSE_GRACE_SECONDS", 30, 0, 300) };
}
