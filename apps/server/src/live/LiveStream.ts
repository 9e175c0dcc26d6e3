import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { RecorderSource, RecorderTrack } from "../recording/source.js";
import { liveComposeArgs } from "./args.js";
import { LlPackager } from "./llhls/packager.js";
import type { LlRendition } from "./llhls/serve.js";
import { RtmpRelay, type RtmpState } from "./RtmpRelay.js";
import { TrackFeed } from "./track-feed.js";

export const RENDITIONS = ["720p", "360p"] as const;
/** The LL master playlist's BANDWIDTH per rung (video maxrate + audio). */
const BANDWIDTH: Record<(typeof RENDITIONS)[number], number> = { "720p": 3_128_000, "360p": 1_028_000 };

export interface LiveStreamOptions {
  ffmpeg: string;
  /** Where the HLS files are written (this stream's own directory). */
  dir: string;
  hostId: string | null;
  log: Logger;
  /** Where to push RTMP (validated by the caller), if anywhere. */
  rtmpUrl?: string;
  /** How long the track set must stay unchanged before the layout is rebuilt (ms). */
  settleMs?: number;
}

/**
 * One class streamed live. The stream is "just another client of the room", as the recorder is:
 * a RecorderSource (the recorder's MediaRecorderSource) consumes every producer; each track is
 * fed as RTP to one compositor FFmpeg that lays the class out as the recording does and writes
 * live HLS (720p/360p). A track appearing or ending rebuilds the compositor after `settleMs`
 * (its playlists continue with a discontinuity). An RTMP push copies the 720p rendition.
 * The same encode also comes as fragmented MP4 on a pipe per rung, packaged in memory as
 * low-latency HLS (llhls/: partial segments, blocking playlist reload).
 */
export class LiveStream {
  readonly feeds = new Map<string, TrackFeed>();
  readonly startedAt = new Date();
  private proc?: ChildProcess;
  /** The compositor told to stop (FFmpeg answers SIGINT with exit code 255: not a crash). */
  private readonly stopping = new WeakSet<ChildProcess>();
  private exited?: Promise<void>;
  private runStarted = 0;
  private openTimer?: NodeJS.Timeout;
  private settleTimer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private started = false;
  private crashes = 0;
  private relay?: RtmpRelay;
  /** Compositor runs so far (a new layout or a restart after a crash). */
  runs = 0;
  /** The low-latency HLS of each rung (in memory, across compositor runs). */
  readonly ll: LlRendition[] = RENDITIONS.map((name) => ({ name, bandwidth: BANDWIDTH[name], packager: new LlPackager() }));

  constructor(
    readonly id: string,
    readonly roomId: string,
    private readonly source: RecorderSource,
    private readonly opts: LiveStreamOptions,
  ) {
    for (const rendition of RENDITIONS) mkdirSync(path.join(opts.dir, rendition), { recursive: true });
  }

  get rtmp(): RtmpState | null {
    return this.relay?.state ?? null;
  }

  /** Joins the room's media, then composes what is there (black with silence while nothing is). */
  async start(): Promise<void> {
    await this.source.start((track) => this.addTrack(track));
    this.started = true;
    this.enqueue(() => this.run());
    if (this.opts.rtmpUrl) {
      this.relay = new RtmpRelay(this.opts.ffmpeg, path.join(this.opts.dir, "720p", "index.m3u8"), this.opts.rtmpUrl, this.opts.log);
      this.relay.start();
    }
  }

  private addTrack(track: RecorderTrack) {
    if (this.stopped || this.feeds.has(track.id)) return;
    const feed = new TrackFeed(track, () => this.relayout());
    this.feeds.set(track.id, feed);
    track.onClose(() => {
      feed.close();
      this.feeds.delete(track.id);
      this.relayout();
    });
    this.opts.log.info({ streamId: this.id, track: track.id, kind: track.kind, source: track.source }, "live stream: a track joined");
    if (this.started) this.relayout();
  }

  /** The track set changed: the compositor is rebuilt once it has been stable for a moment. */
  private relayout() {
    if (this.stopped || !this.started) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.enqueue(() => this.restart()), this.opts.settleMs ?? 1500);
  }

  private enqueue(job: () => Promise<void>) {
    this.chain = this.chain.then(job).catch((err) => this.opts.log.error({ err, streamId: this.id }, "live stream: the compositor failed to (re)start"));
  }

  private async restart() {
    await this.stopCompositor();
    if (!this.stopped) await this.run();
  }

  /** One compositor run over the tracks present now. */
  private async run() {
    if (this.stopped) return;
    const feeds = [...this.feeds.values()].filter((feed) => !feed.closed);
    const inputs = [];
    for (const [index, feed] of feeds.entries()) {
      const sdpFile = await feed.prepare(this.opts.dir, index);
      const track = feed.track;
      inputs.push({ sdpFile, offsetMs: 0, track: { kind: track.kind, source: track.source, user_id: track.userId, producer_id: track.id } });
    }
    if (this.stopped) return;
    const args = liveComposeArgs(inputs, { hostId: this.opts.hostId, dir: this.opts.dir });
    const logFd = openSync(path.join(this.opts.dir, "compositor.log"), "a");
    const proc = spawn(this.opts.ffmpeg, args, { stdio: ["ignore", logFd, logFd, "pipe", "pipe"] });
    closeSync(logFd);
    for (const [index, { packager }] of this.ll.entries()) {
      packager.beginRun();
      const pipe = proc.stdio[3 + index];
      pipe?.on("data", (chunk: Buffer) => {
        try {
          if (this.proc === proc) packager.push(chunk);
        } catch (err) {
          this.opts.log.warn({ err, streamId: this.id }, "live stream: the LL-HLS packager could not read the compositor's MP4");
          pipe.destroy();
        }
      });
      pipe?.on("error", () => {});
    }
    this.proc = proc;
    this.runs++;
    this.runStarted = performance.now();
    this.exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve(this.onExit(proc, code, signal))));
    proc.on("error", (err) => this.opts.log.error({ err }, "live stream: the compositor could not start"));
    // FFmpeg opens its inputs one after another: each feed flows once its port is bound.
    this.openTimer = setInterval(() => {
      const clock = performance.now() - this.runStarted;
      const waiting = feeds.filter((feed) => !feed.closed && !feed.openWhenBound(clock));
      if (waiting.length === 0 || this.proc !== proc) clearInterval(this.openTimer);
    }, 25);
    this.opts.log.info({ streamId: this.id, tracks: feeds.length, run: this.runs }, "live stream: compositor started");
  }

  private onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (this.proc !== proc) return;
    this.proc = undefined;
    for (const { packager } of this.ll) packager.endRun();
    clearInterval(this.openTimer);
    for (const feed of this.feeds.values()) feed.pause();
    if (this.stopped || this.stopping.has(proc)) return;
    this.crashes++;
    const tail = readTail(path.join(this.opts.dir, "compositor.log"));
    this.opts.log.warn({ streamId: this.id, code, signal, crashes: this.crashes, tail }, "live stream: the compositor exited; starting it again");
    if (this.crashes > 30) return;
    setTimeout(() => this.enqueue(() => this.run()), Math.min(5000, 500 * this.crashes)).unref?.();
  }

  private async stopCompositor() {
    clearInterval(this.openTimer);
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    this.stopping.add(proc);
    proc.kill("SIGINT");
    const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Ends the stream: the compositor stops, the playlists end (#EXT-X-ENDLIST), the RTMP push finishes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    await this.chain;
    await this.stopCompositor();
    for (const { packager } of this.ll) packager.end();
    for (const rendition of RENDITIONS) {
      const playlist = path.join(this.opts.dir, rendition, "index.m3u8");
      if (existsSync(playlist) && !readFileSync(playlist, "utf8").includes("#EXT-X-ENDLIST")) appendFileSync(playlist, "#EXT-X-ENDLIST\n");
    }
    await this.relay?.stop();
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
    await this.source.stop().catch(() => {});
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-4).join(" | ");
  } catch {
    return "";
  }
}
