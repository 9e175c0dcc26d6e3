import type { SettingsReader } from "../config/settings.js";

export interface SignallingSettings {
  /** VTP_REDIS_PREFIX: key prefix for everything this deployment keeps in Redis. */
  redisPrefix: string;
  /** VTP_SOCKET_EVENT_RATE="perSecond/burst": each socket's event budget. */
  socketEventRate: { perSecond: number; burst: number };
  /** VTP_CHAT_RATE_LIMIT="max/seconds": chat messages per user and room. */
  chatLimits: { max: number; windowMs: number };
}

/** Reads the signalling settings; problems go to the reader (reported at start). */
export function readSignallingSettings(read: SettingsReader): SignallingSettings {
  const prefix = read.text("VTP_REDIS_PREFIX") ?? "vtp:";
  if (!/^[\w:.-]{1,64}$/.test(prefix)) read.problem(`VTP_REDIS_PREFIX must be 1–64 letters, digits or _ : . - (got "${prefix}")`);
  const [perSecond, burst] = read.pair("VTP_SOCKET_EVENT_RATE", [50, 200], "perSecond/burst");
  const [max, seconds] = read.pair("VTP_CHAT_RATE_LIMIT", [10, 10], "max/seconds");
  return { redisPrefix: prefix, socketEventRate: { perSecond, burst }, chatLimits: { max, windowMs: seconds * 1000 } };
}
