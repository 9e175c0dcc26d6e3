import { spawn, spawnSync } from "node:child_process";
import { setPriority } from "node:os";

export const FFMPEG_INSTALL_HINT =
  "FFmpeg is not installed on the server: install it (Debian/Ubuntu: `apt-get install ffmpeg`) or set FFMPEG_PATH to the ffmpeg binary, then restart VTP.";

/** The ffmpeg and ffprobe binaries (FFMPEG_PATH / FFPROBE_PATH, else from PATH), or undefined. */
export function findFfmpeg(paths: { ffmpegPath?: string; ffprobePath?: string } = {}): { ffmpeg: string; ffprobe: string } | undefined {
  const ffmpeg = paths.ffmpegPath || "ffmpeg";
  const ok = spawnSync(ffmpeg, ["-hide_banner", "-version"], { stdio: "ignore" }).status === 0;
  if (!ok) return undefined;
  const ffprobe = paths.ffprobePath || (paths.ffmpegPath ? paths.ffmpegPath.replace(/ffmpeg([^/]*)$/, "ffprobe$1") : "ffprobe");
  return { ffmpeg, ffprobe };
}

/**
 * Runs FFmpeg to completion with `-progress pipe:1`, calling onProgress with the seconds of
 * output written. Rejects with the tail of stderr when FFmpeg fails; SIGKILLs it on abort.
 */
export function runFfmpeg(
  bin: string,
  args: string[],
  opts: { onProgress?: (outSeconds: number) => void; signal?: AbortSignal /** A lower priority (work done beside a live class). */; nice?: number } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    // An abort before the start fires no "abort" event: without this check FFmpeg would run to the end.
    if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
    const proc = spawn(bin, ["-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    if (opts.nice && proc.pid) lowerPriority(proc.pid, opts.nice);
    let err = "";
    let buf = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const match = /^out_time_(?:us|ms)=(\d+)/.exec(line);
        if (match) opts.onProgress?.(Number(match[1]) / 1e6);
      }
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    const onAbort = () => proc.kill("SIGKILL");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    proc.on("error", reject);
    proc.on("close", (code, sig) => {
      opts.signal?.removeEventListener("abort", onAbort);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${code ?? sig}): ${err.trim().split("\n").slice(-6).join(" | ")}`));
    });
  });
}

/** Lowers a process's priority (ignored where the system refuses). */
export function lowerPriority(pid: number, nice: number): void {
  try {
    setPriority(pid, nice);
  } catch {
    // not permitted here: it runs at the normal priority
  }
}

/** ffprobe's JSON for a file. */
export function ffprobe(
  bin: string,
  file: string,
): Promise<{
  format?: { duration?: string; size?: string };
  streams?: { codec_type: string; codec_name: string; width?: number; height?: number; duration?: string }[];
}> {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.stderr.on("data", (chunk) => (err += chunk));
    proc.on("error", reject);
    proc.on("close", (code) => {
      if (code !== 0) return reject(new Error(`ffprobe ${file}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
