import type { LlPackager } from "./packager.js";
import { PART_TARGET } from "./packager.js";

/** Segments (from the live edge) whose parts the playlist lists. */
const PARTS_FOR_LAST = 3;

const seconds = (value: number) => value.toFixed(5).replace(/0+$/, "").replace(/\.$/, ".0");

/**
 * A rendition's LL-HLS media playlist (RFC 8216bis): complete segments (#EXTINF, valid for any
 * player), the parts of the last segments (#EXT-X-PART), the next part hinted
 * (#EXT-X-PRELOAD-HINT), and blocking reloads offered (#EXT-X-SERVER-CONTROL).
 */
export function mediaPlaylist(packager: LlPackager): string {
  const listed = packager.listed();
  const longest = Math.max(2, ...listed.filter((s) => s.complete).map((s) => Math.round(s.duration)));
  const partLongest = Math.max(PART_TARGET, ...listed.flatMap((s) => s.parts.map((p) => p.duration)));
  const partTarget = Math.ceil(partLongest * 1000) / 1000;
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-TARGETDURATION:${longest}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(partTarget * 3)}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${listed[0]?.msn ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${packager.discontinuitySequence()}`,
    "#EXT-X-INDEPENDENT-SEGMENTS",
  ];
  const lastMsn = listed.at(-1)?.msn ?? 0;
  let init = -1;
  for (const [index, segment] of listed.entries()) {
    if (segment.discontinuity && index > 0) lines.push("#EXT-X-DISCONTINUITY");
    if (segment.init !== init) {
      init = segment.init;
      lines.push(`#EXT-X-MAP:URI="init${init}.mp4"`);
    }
    if (segment.msn > lastMsn - PARTS_FOR_LAST)
      for (const [i, part] of segment.parts.entries())
        lines.push(`#EXT-X-PART:DURATION=${seconds(part.duration)},URI="seg${segment.msn}.${i}.m4s"${part.independent ? ",INDEPENDENT=YES" : ""}`);
    if (segment.complete) lines.push(`#EXTINF:${seconds(segment.duration)},`, `seg${segment.msn}.m4s`);
  }
  if (packager.ended) lines.push("#EXT-X-ENDLIST");
  else {
    const last = listed.at(-1);
    if (last) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${last.complete ? `seg${last.msn + 1}.0.m4s` : `seg${last.msn}.${last.parts.length}.m4s`}"`);
  }
  return `${lines.join("\n")}\n`;
}

/** The LL master playlist: one variant per rendition that has media yet. */
export function masterPlaylist(renditions: { name: string; bandwidth: number; packager: LlPackager }[]): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:9", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const { name, bandwidth, packager } of renditions) {
    const info = packager.info;
    if (!info) continue;
    const attrs = [`BANDWIDTH=${bandwidth}`];
    if (info.width && info.height) attrs.push(`RESOLUTION=${info.width}x${info.height}`);
    if (info.codecs) attrs.push(`CODECS="${info.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, `${name}/index.m3u8`);
  }
  return `${lines.join("\n")}\n`;
}
