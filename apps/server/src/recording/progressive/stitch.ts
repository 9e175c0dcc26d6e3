import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runFfmpeg } from "../ffmpeg.js";
import { concatList, stitchHlsArgs, stitchMp4Args } from "./args.js";
import { completeManifest, MANIFEST, type ProgressiveManifest } from "./manifest.js";

/** The composer's directory inside a recording's capture directory. */
export const PROGRESSIVE_DIR = "progressive";

/** The manifest of a recording composed during the class, when it covers all of it and its files are here. */
export function composedDuringClass(captureDir: string, durationMs: number): ProgressiveManifest | undefined {
  const dir = path.join(captureDir, PROGRESSIVE_DIR);
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  const manifest = completeManifest(readFileSync(file, "utf8"), durationMs);
  if (!manifest || !existsSync(path.join(dir, manifest.audio))) return undefined;
  return manifest.windows.every((w) => existsSync(path.join(dir, w.v720)) && existsSync(path.join(dir, w.v360))) ? manifest : undefined;
}

/**
 * The MP4 and the HLS ladder of a recording composed during the class: its windows joined and its
 * sound added, copied, not encoded (about 15 s for a 10-minute class: BENCHMARKS).
 */
export async function stitch(
  ffmpeg: string,
  captureDir: string,
  manifest: ProgressiveManifest,
  out: { mp4: string; hlsDir: string },
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<void> {
  const dir = path.join(captureDir, PROGRESSIVE_DIR);
  const list = (rung: "v720" | "v360") => {
    const file = path.join(dir, `${rung}.ffconcat`);
    writeFileSync(file, concatList(manifest.windows.map((w) => ({ file: path.join(dir, w[rung]), durationMs: w.toMs - w.fromMs }))));
    return file;
  };
  const list720 = list("v720");
  const durationS = manifest.durationMs / 1000;
  const audio = path.join(dir, manifest.audio);
  await runFfmpeg(ffmpeg, ["-loglevel", "error", ...stitchMp4Args(list720, audio, durationS, out.mp4)], {
    signal: opts.signal,
    onProgress: (s) => opts.onProgress?.((0.5 * s) / durationS),
  });
  await runFfmpeg(ffmpeg, ["-loglevel", "error", ...stitchHlsArgs(list720, list("v360"), audio, durationS, out.hlsDir)], {
    signal: opts.signal,
    onProgress: (s) => opts.onProgress?.(0.5 + (0.5 * s) / durationS),
  });
}
