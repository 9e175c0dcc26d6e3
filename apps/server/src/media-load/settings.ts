import type { SettingsReader } from "../config/settings.js";

export interface MediaLoadSettings {
  /** MEDIA_LOAD_INTERVAL_SECONDS: how often the app server reads the media load (default 60). */
  intervalSeconds: number;
  /** MEDIA_LOAD_RETENTION_DAYS: samples older than this are deleted (default 400: a school year and more). */
  retentionDays: number;
}

/** Reads the media load sampler's settings; problems go to the reader (reported at start). */
export function readMediaLoadSettings(read: SettingsReader): MediaLoadSettings {
  return {
    intervalSeconds: read.int("MEDIA_LOAD_INTERVAL_SECONDS", 60, 1, 3600),
    retentionDays: read.int("MEDIA_LOAD_RETENTION_DAYS", 400, 1, 3650),
  };
}
