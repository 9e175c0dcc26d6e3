import { spawn } from "node:child_process";

/**
 * Raw RGBA frames piped into FFmpeg (`-f rawvideo -pix_fmt rgba`), encoded as a crisp
 * intermediate: x264 ultrafast at a low CRF in 4:4:4 (no chroma blur on thin coloured strokes
 * before the composition's own 4:2:0 pass); mostly still frames cost next to nothing.
 */
export class FrameWriter {
  private readonly proc;
  private stderr = "";
  private readonly exited: Promise<number | null>;
  private failed?: Error;

  constructor(bin: string, opts: { width: number; height: number; fps: number; output: string; signal?: AbortSignal }) {
    const args = [
      "-hide_banner",
      "-nostdin",
      "-y",
      "-loglevel",
      "error",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgba",
      "-s",
      `${opts.width}x${opts.height}`,
      "-r",
      String(opts.fps),
      "-i",
      "pipe:0",
      "-an",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-crf",
      "12",
      "-pix_fmt",
      "yuv444p",
      "-g",
      String(opts.fps * 10),
      opts.output,
    ];
    this.proc = spawn(bin, args, { stdio: ["pipe", "ignore", "pipe"], signal: opts.signal });
    this.proc.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.proc.stdin.on("error", (err) => {
      this.failed ??= err;
    });
    this.exited = new Promise((resolve) => {
      this.proc.on("error", (err) => {
        this.failed ??= err;
        resolve(null);
      });
      this.proc.on("close", (code) => resolve(code));
    });
  }

  /**
   * Writes one frame (width·height·4 bytes) and waits until it was handed to FFmpeg's pipe: one
   * frame in flight, so memory stays flat however far FFmpeg falls behind.
   */
  async write(frame: Buffer): Promise<void> {
    if (this.failed) throw this.error();
    const written = new Promise<void>((resolve) => this.proc.stdin.write(frame, () => resolve()));
    await Promise.race([written, this.exited]);
    if (this.failed || this.proc.exitCode !== null) throw this.error();
  }

  /** Ends the input and waits for FFmpeg to finish its file. */
  async finish(): Promise<void> {
    this.proc.stdin.end();
    const code = await this.exited;
    if (code !== 0 || this.failed) throw this.error();
  }

  /** Stops FFmpeg (an error while rendering). */
  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }

  private error(): Error {
    const detail = this.stderr.trim().split("\n").slice(-4).join(" | ");
    return new Error(`the board video's ffmpeg failed${this.failed ? ` (${this.failed.message})` : ""}: ${detail}`);
  }
}
