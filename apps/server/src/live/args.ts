import path from "node:path";
import { composeArgs, type ComposeInput } from "../recording/compose.js";

/** One input of a compositor run: the SDP of a track, and when its first media can arrive (ms into the run). */
export interface LiveInput {
  sdpFile: string;
  offsetMs: number;
  track: ComposeInput["track"];
}

/** Segment length of the live HLS (s): key frames every 2 s, so each segment starts with one. */
export const SEGMENT_SECONDS = 2;
const FPS = 30;
/** A live stream lasts at most this long (the recording's graph needs an end; a day is plenty). */
const MAX_SECONDS = 24 * 3600;

/**
 * The compositor's FFmpeg arguments: the recording's layout (recording/compose.ts — teacher, screen
 * or board full size, other cameras in the strip, all audio mixed) laid over the tracks' live RTP,
 * encoded once per rung of a 720p/360p ladder and written as live HLS into `dir`
 * (master.m3u8, 720p/index.m3u8, 360p/index.m3u8). Segments beyond the playlist's window are
 * deleted; the end of the stream (#EXT-X-ENDLIST) is written by the caller, not by FFmpeg, so that
 * a compositor restarted for a new layout continues the same playlists (a discontinuity).
 */
export function liveComposeArgs(inputs: LiveInput[], opts: { hostId: string | null; dir: string }): string[] {
  const composed = composeArgs(
    inputs.map((input) => ({ file: input.sdpFile, offsetMs: input.offsetMs, track: input.track })),
    { hostId: opts.hostId, durationS: MAX_SECONDS, output: "-" },
  );
  const graph = composed[composed.indexOf("-filter_complex") + 1];
  if (!graph) throw new Error("the composition has no filter graph");
  const args = ["-hide_banner", "-nostdin", "-loglevel", "warning"];
  for (const input of inputs)
    args.push(
      "-protocol_whitelist",
      "file,udp,rtp",
      "-reorder_queue_size",
      "0",
      "-analyzeduration",
      "1000000",
      "-probesize",
      "500000",
      "-fflags",
      "nobuffer",
      "-reinit_filter",
      "0",
      "-i",
      input.sdpFile,
    );
  const ladder = `${graph};[vout]realtime,split=2[v720][v360in];[v360in]scale=-2:360,setsar=1[v360];[aout]arealtime,asplit=2[a720][a360]`;
  const keyEvery = String(FPS * SEGMENT_SECONDS);
  args.push(
    "-filter_complex",
    ladder,
    "-map",
    "[v720]",
    "-map",
    "[v360]",
    "-map",
    "[a720]",
    "-map",
    "[a360]",
    "-c:v",
    "libx264",
    "-preset",
    "superfast",
    "-tune",
    "zerolatency",
    "-pix_fmt",
    "yuv420p",
    "-r",
    String(FPS),
    "-g",
    keyEvery,
    "-keyint_min",
    keyEvery,
    "-sc_threshold",
    "0",
    "-b:v:0",
    "2500k",
    "-maxrate:v:0",
    "3000k",
    "-bufsize:v:0",
    "3000k",
    "-b:v:1",
    "700k",
    "-maxrate:v:1",
    "900k",
    "-bufsize:v:1",
    "900k",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-flags",
    "+global_header",
    "-f",
    "tee",
    teeOutputs(opts.dir),
  );
  return args;
}

/** A value inside a tee slave's options: escaped for the option list and again for the tee's bracket. */
const teeValue = (value: string) => value.replace(/[\\:'|[\]]/g, (char) => `\\\\${char}`);

/** Fragmented MP4 for the LL-HLS packager: a fragment every 0.5 s (a part) and at each key frame. */
const LL_FRAGMENTS = "movflags=frag_keyframe+empty_moov+default_base_moof:frag_duration=500000:onfail=ignore";

/**
 * The compositor's outputs, from one encode (FFmpeg's tee muxer): plain live HLS (MPEG-TS segments)
 * into `dir` as before, and each rung's fragmented MP4 on a pipe (fd 3: 720p, fd 4: 360p) for the
 * low-latency HLS packager (llhls/). A pipe that fails does not stop the plain HLS (onfail=ignore).
 */
function teeOutputs(dir: string): string {
  const hls = [
    "f=hls",
    `hls_time=${SEGMENT_SECONDS}`,
    "hls_list_size=15",
    "hls_flags=independent_segments+delete_segments+append_list+omit_endlist+discont_start+program_date_time",
    "master_pl_name=master.m3u8",
    `var_stream_map=${teeValue("v:0,a:0,name:720p v:1,a:1,name:360p")}`,
    `hls_segment_filename=${teeValue(path.join(dir, "%v", "seg%05d.ts"))}`,
  ].join(":");
  return [
    `[${hls}]${path.join(dir, "%v", "index.m3u8")}`,
    `[f=mp4:select=\\'v:0,a:0\\':${LL_FRAGMENTS}]pipe\\:3`,
    `[f=mp4:select=\\'v:1,a:1\\':${LL_FRAGMENTS}]pipe\\:4`,
  ].join("|");
}

/**
 * The RTMP push: the 720p rendition's live playlist, copied (no second encode) into FLV to the
 * host's address. It reads from the newest segment and ends with the playlist (#EXT-X-ENDLIST).
 */
export function rtmpRelayArgs(playlist: string, url: string): string[] {
  return [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "warning",
    "-live_start_index",
    "-1",
    "-re",
    "-i",
    playlist,
    "-map",
    "0:v:0",
    "-map",
    "0:a:0?",
    "-c",
    "copy",
    "-f",
    "flv",
    "-flvflags",
    "no_duration_filesize",
    url,
  ];
}

/** Whether `value` is an RTMP address FFmpeg may push to: rtmp:// or rtmps://, a host, no spaces or controls. */
export function validRtmpUrl(value: string): boolean {
  if (value.length > 1000 || [...value].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "rtmp:" || url.protocol === "rtmps:") && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
