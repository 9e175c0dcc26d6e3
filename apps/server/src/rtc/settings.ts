import type { SettingsReader } from "../config/settings.js";

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret?: string;
  ttlSeconds: number;
}

/** STUN_URLS, TURN_URLS (comma-separated), TURN_SECRET, TURN_TTL_SECONDS (default 1 day). */
export function readIceSettings(read: SettingsReader): IceConfig {
  const ice = (name: string, schemes: string[]) =>
    read.list(name).filter((url) => {
      const ok = schemes.some((p) => url.startsWith(p));
      if (!ok) read.problem(`${name} entries must start with ${schemes.join(" or ")} (got "${url}")`);
      return ok;
    });
  return {
    stunUrls: ice("STUN_URLS", ["stun:", "stuns:"]),
    turnUrls: ice("TURN_URLS", ["turn:", "turns:"]),
    turnSecret: read.text("TURN_SECRET"),
    ttlSeconds: read.int("TURN_TTL_SECONDS", 86400, 60, 30 * 86400),
  };
}
