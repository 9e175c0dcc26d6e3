import type { SettingsReader } from "../config/settings.js";

export interface LiveSettings {
  /**
   * LIVE_CDN_URL: the public address of a CDN (or the bucket itself) serving the S3 bucket's
   * `live/` keys (with S3_PREFIX). When set, a host may publish a stream through it: the HLS is
   * pushed to the bucket as it is written and viewers play it from `<LIVE_CDN_URL>/live/<stream>/master.m3u8`.
   */
  cdnUrl?: string;
}

/** Problems go to the reader (reported at start). A CDN needs the bucket (S3_BUCKET) it reads. */
export function readLiveSettings(read: SettingsReader): LiveSettings {
  const cdnUrl = read.url("LIVE_CDN_URL", ["http:", "https:"]);
  if (cdnUrl && !read.text("S3_BUCKET")) read.problem("LIVE_CDN_URL needs S3_BUCKET: the live stream is pushed to that bucket for the CDN");
  return cdnUrl ? { cdnUrl: cdnUrl.replace(/\/+$/, "") } : {};
}
