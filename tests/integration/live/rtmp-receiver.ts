import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../helpers/process.js";
import { waitFor } from "../../helpers/wait.js";

/**
 * An RTMP server on loopback for a test: FFmpeg listening (`-listen 1`), writing what it
 * receives to an FLV file (copied, as a platform's ingest keeps it) that the test then decodes.
 */
export class RtmpReceiver {
  readonly url: string;
  readonly file: string;
  private readonly proc: ChildProcess;
  private readonly exited: Promise<number | null>;
  private stderr = "";

  private constructor(port: number, dir: string) {
    this.url = `rtmp://127.0.0.1:${port}/live/test-stream-key`;
    this.file = path.join(dir, `rtmp-received-${port}.flv`);
    this.proc = spawn(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "warning", "-nostdin", "-y", "-listen", "1", "-f", "flv", "-i", this.url, "-c", "copy", "-f", "flv", this.file],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    this.proc.stderr?.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-3000)));
    this.exited = new Promise((resolve) => this.proc.once("exit", (code) => resolve(code)));
  }

  /** Listens on a free port; resolves once FFmpeg accepts connections. */
  static async start(dir: string): Promise<RtmpReceiver> {
    const receiver = new RtmpReceiver(await freePort(), dir);
    const port = Number(new URL(receiver.url).port);
    await waitFor("the RTMP receiver to listen", async () => {
      const { readFileSync } = await import("node:fs");
      const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
      return readFileSync("/proc/net/tcp", "utf8")
        .split("\n")
        .some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex) && line.trim().split(/\s+/)[3] === "0A");
    });
    return receiver;
  }

  /** Bytes received so far. */
  received(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  /** Waits for the sender to hang up (the receiver then ends its file), killing it after `timeoutMs`. */
  async finished(timeoutMs = 30_000): Promise<number | null> {
    const killer = setTimeout(() => this.proc.kill("SIGINT"), timeoutMs);
    const code = await this.exited;
    clearTimeout(killer);
    return code;
  }

  log(): string {
    return this.stderr;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }
}
