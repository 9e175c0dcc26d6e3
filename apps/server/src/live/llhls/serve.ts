import { AppError } from "../../errors/index.js";
import type { LlPackager } from "./packager.js";
import { masterPlaylist } from "./playlist.js";

/** A blocking request (reload or hinted part) is answered 503 after this long (3 target durations). */
export const BLOCK_LIMIT_MS = 6000;

export interface LlFile {
  body: Buffer | string;
  contentType: string;
  /** Playlists change with every part; parts, segments and init segments never change. */
  immutable: boolean;
}

export interface LlRendition {
  name: string;
  bandwidth: number;
  packager: LlPackager;
}

const notFound = () => new AppError("NOT_FOUND", "Not found");
const badRequest = (field: string, problem: string) => new AppError("VALIDATION_FAILED", `${field}: ${problem}`, [{ field, problem }]);

function delivery(query: Record<string, unknown>): { msn?: number; part?: number } {
  const read = (field: "_HLS_msn" | "_HLS_part") => {
    const raw = query[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string" || !/^\d{1,9}$/.test(raw)) throw badRequest(field, "must be a non-negative integer");
    return Number(raw);
  };
  const msn = read("_HLS_msn");
  const part = read("_HLS_part");
  if (part !== undefined && msn === undefined) throw badRequest("_HLS_part", "needs _HLS_msn");
  return { msn, part };
}

/** Waits until `ready` holds, the stream ends, or BLOCK_LIMIT_MS pass (then 503). */
async function block(packager: LlPackager, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + BLOCK_LIMIT_MS;
  while (!ready() && !packager.ended) {
    const left = deadline - Date.now();
    if (left <= 0) throw new AppError("SERVICE_UNAVAILABLE", "The asked part of the live stream did not come in time");
    await packager.changed(left);
  }
}

/**
 * A low-latency HLS file (`ll/master.m3u8`, `ll/<rendition>/index.m3u8`, `ll/<rendition>/init<N>.mp4`,
 * `…/seg<msn>.m4s`, `…/seg<msn>.<part>.m4s`). A playlist asked with `_HLS_msn` (and `_HLS_part`) is held
 * until it holds that segment (part); a hinted part not yet made is held until it is.
 */
export async function llFile(renditions: LlRendition[], rel: string, query: Record<string, unknown>): Promise<LlFile> {
  if (rel === "ll/master.m3u8") {
    if (!renditions.some((r) => r.packager.info)) await block(renditions[0]?.packager as LlPackager, () => renditions.some((r) => r.packager.info));
    return { body: masterPlaylist(renditions), contentType: "application/vnd.apple.mpegurl", immutable: false };
  }
  const match = /^ll\/(\w+)\/([\w.-]+)$/.exec(rel);
  const rendition = match && renditions.find((r) => r.name === match[1]);
  if (!match || !rendition) throw notFound();
  const { packager } = rendition;
  const name = match[2] as string;
  if (name === "index.m3u8") {
    const { msn, part } = delivery(query);
    if (msn !== undefined) {
      const edge = packager.edge();
      if (msn > (edge?.msn ?? 0) + 2) throw badRequest("_HLS_msn", "is more than two segments past the live edge");
      await block(packager, () => packager.has(msn, part));
    } else if (!packager.edge()) await block(packager, () => packager.edge() !== undefined);
    return { body: packager.playlist(), contentType: "application/vnd.apple.mpegurl", immutable: false };
  }
  const type = name.endsWith(".mp4") ? "video/mp4" : "video/iso.segment";
  let file = packager.file(name);
  if (file === "later") {
    await block(packager, () => packager.file(name) !== "later");
    file = packager.file(name);
  }
  if (!file || file === "later") throw notFound();
  return { body: file, contentType: type, immutable: true };
}
