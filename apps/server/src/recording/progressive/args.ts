import type { ComposeGraph } from "../compose.js";
import { CANVAS, hlsLadderOutput } from "../compose.js";

/** Key frames every 4 s: each window (a multiple of 4 s) starts with one, and so does every HLS segment. */
export const GOP_SECONDS = 4;
/** Audio between the windows and the encoder: raw stereo 48 kHz, 16-bit. */
export const PCM = { rate: 48000, channels: 2, bytesPerFrame: 4 };

/** One window's files: the 720p and 360p pictures (H.264, MPEG-TS) and its mixed sound (raw PCM). */
export interface WindowFiles {
  v720: string;
  v360: string;
  pcm: string;
}

const x264 = (crf: string) => ["-c:v", "libx264", "-preset", "veryfast", "-crf", crf, "-pix_fmt", "yuv420p"];
const keyFrames = () => {
  const every = String(CANVAS.fps * GOP_SECONDS);
  return ["-r", String(CANVAS.fps), "-g", every, "-keyint_min", every, "-sc_threshold", "0"];
};

/**
 * A window's composition encoded once per rung of the recording's ladder (720p as the MP4's
 * picture, 360p for the second HLS variant, as recording/compose.ts's hlsArgs makes them after
 * class) and its sound as PCM for the recording's single AAC encoder (one encoder for the whole
 * class: AAC encoded per window would gain a priming gap at every window).
 */
export function windowArgs(graph: ComposeGraph, out: WindowFiles): string[] {
  const duration = graph.durationS.toFixed(3);
  return [
    ...graph.inputArgs,
    "-filter_complex",
    [...graph.filters, "[vout]split=2[v720][v360in]", "[v360in]scale=-2:360,setsar=1[v360]"].join(";"),
    "-map",
    "[v720]",
    ...x264("23"),
    "-profile:v",
    "high",
    ...keyFrames(),
    "-t",
    duration,
    "-f",
    "mpegts",
    out.v720,
    "-map",
    "[v360]",
    ...x264("26"),
    "-b:v",
    "700k",
    "-maxrate",
    "900k",
    "-bufsize",
    "1800k",
    ...keyFrames(),
    "-t",
    duration,
    "-f",
    "mpegts",
    out.v360,
    "-map",
    "[aout]",
    "-t",
    duration,
    "-f",
    "s16le",
    "-ar",
    String(PCM.rate),
    "-ac",
    String(PCM.channels),
    out.pcm,
  ];
}

/** The recording's sound: PCM from every window in order, on standard input, to AAC (in MP4: its encoder delay is kept in the edit list). */
export function audioEncoderArgs(output: string): string[] {
  return ["-f", "s16le", "-ar", String(PCM.rate), "-ac", String(PCM.channels), "-i", "pipe:0", "-c:a", "aac", "-b:a", "128k", "-f", "mp4", output];
}

/** An ffconcat list of the windows' files of one rung, each with its exact length. */
export function concatList(windows: { file: string; durationMs: number }[]): string {
  const lines = ["ffconcat version 1.0"];
  for (const w of windows) lines.push(`file '${w.file.replace(/'/g, "'\\''")}'`, `duration ${(w.durationMs / 1000).toFixed(3)}`);
  return `${lines.join("\n")}\n`;
}

/** An ffconcat list as an input (its paths are absolute: `-safe 0`). */
const concatInput = (list: string) => ["-f", "concat", "-safe", "0", "-i", list];

/** The MP4: the 720p windows joined and the AAC sound, copied (no encoding), playable from its first byte. */
export function stitchMp4Args(list720: string, audio: string, durationS: number, output: string): string[] {
  return [...concatInput(list720), "-i", audio, "-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart", "-t", durationS.toFixed(3), output];
}

/** The HLS ladder from the windows' rungs and the AAC sound, copied: 4 s segments (a key frame each). */
export function stitchHlsArgs(list720: string, list360: string, audio: string, durationS: number, dir: string): string[] {
  return [
    ...concatInput(list720),
    ...concatInput(list360),
    "-i",
    audio,
    "-map",
    "0:v",
    "-map",
    "1:v",
    "-map",
    "2:a",
    "-map",
    "2:a",
    "-c",
    "copy",
    "-t",
    durationS.toFixed(3),
    ...hlsLadderOutput(dir),
  ];
}
