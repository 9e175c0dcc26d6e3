import type { SettingsReader } from "../../config/settings.js";
import { DEFAULT_ADMISSION, type AdmissionSettings } from "./AdmissionGate.js";

/**
 * MEDIA_ADMISSION_*: how fast one media worker admits new connections (docs/MEDIA.md "Join storms").
 * Part of the media settings (media/config.ts): checked at start, posted to each worker in its MediaConfig.
 */
export function readAdmissionSettings(read: SettingsReader): AdmissionSettings {
  const defaults = DEFAULT_ADMISSION;
  return {
    concurrency: read.int("MEDIA_ADMISSION_CONCURRENCY", defaults.concurrency, 1, 1000),
    queueLength: read.int("MEDIA_ADMISSION_QUEUE", defaults.queueLength, 0, 100_000),
    maxWaitMs: read.int("MEDIA_ADMISSION_WAIT_MS", defaults.maxWaitMs, 100, 600_000),
    lagLimitMs: read.int("MEDIA_ADMISSION_LAG_MS", defaults.lagLimitMs, 1, 60_000),
    setupTimeoutMs: read.int("MEDIA_ADMISSION_SETUP_TIMEOUT_MS", defaults.setupTimeoutMs, 100, 600_000),
  };
}
