import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { rtmpRelayArgs } from "./args.js";

/** "connecting": waiting for the playlist or FFmpeg; "pushing": FFmpeg runs; "failed": it keeps failing; "ended". */
export type RtmpState = "connecting" | "pushing" | "failed" | "ended";

/**
 * Pushes the live 720p rendition to an RTMP address (a video platform's ingest): FFmpeg, spawned
 * with an argument array (no shell), copies the HLS segments into FLV. Started again when it
 * exits while the stream lives (the ingest dropped us), at most 20 times in a row. The address
 * carries the platform's stream key: it is never logged.
 */
export class RtmpRelay {
  state: RtmpState = "connecting";
  private proc?: ChildProcess;
  private exited?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private failures = 0;

  constructor(
    private readonly ffmpeg: string,
    private readonly playlist: string,
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.stopping) return;
    if (!existsSync(this.playlist)) {
      this.timer = setTimeout(() => this.start(), 250);
      return;
    }
    const proc = spawn(this.ffmpeg, rtmpRelayArgs(this.playlist, this.url), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    this.proc = proc;
    this.state = "pushing";
    const started = Date.now();
    this.exited = new Promise((resolve) =>
      proc.once("exit", (code) => {
        this.proc = undefined;
        if (this.stopping) {
          this.state = "ended";
          return resolve();
        }
        this.failures = Date.now() - started > 30_000 ? 1 : this.failures + 1;
        // The address (and its stream key) stays out of the log: FFmpeg's messages name it, so they are cut.
        const reason = stderr.split(this.url).join("<rtmp address>").trim().split("\n").slice(-2).join(" | ");
        this.log.warn({ code, failures: this.failures, reason }, "live stream: the RTMP push stopped; trying again");
        this.state = this.failures >= 20 ? "failed" : "connecting";
        if (this.failures < 20) this.timer = setTimeout(() => this.start(), Math.min(10_000, 1000 * this.failures));
        resolve();
      }),
    );
    proc.on("error", (err) => this.log.error({ err: err.message }, "live stream: the RTMP push could not start"));
  }

  /** The playlist has ended: FFmpeg sends the rest and stops (SIGINT after 10 s, SIGKILL after 15 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const proc = this.proc;
    if (!proc) {
      this.state = "ended";
      return;
    }
    const interrupt = setTimeout(() => proc.kill("SIGINT"), 10_000);
    const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(interrupt);
    clearTimeout(killer);
  }
}
