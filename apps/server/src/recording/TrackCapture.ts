import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { openSync, closeSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { RecorderTrack } from "./source.js";
import type { TrackPartColumn } from "./tables.js";
import { OrderedRtp } from "./ordered-rtp.js";
import { freePortPair, udpBound, udpQueued } from "./udp-ports.js";

export interface TrackCaptureOptions {
  ffmpeg: string;
  /** Directory for this recording's track files. */
  dir: string;
  /** Base file name (no extension) for this track's parts. */
  baseName: string;
  /** The recording's clock: ms since its start. */
  clock: () => number;
  log: Logger;
  /** Called whenever a part starts or ends (persist it). */
  onParts: (parts: TrackPartColumn[]) => void;
  /** Restart FFmpeg at most this many times (default 20). */
  maxRestarts?: number;
}

/** An empty RTCP receiver report (V=2, PT=201, length 1 word, SSRC 0): harmless to FFmpeg. */
const rtcpWakeUp = Buffer.from([0x80, 201, 0x00, 0x01, 0, 0, 0, 0]);

function sdpFor(track: RecorderTrack, port: number): string {
  const codec = track.codec;
  const media = track.kind === "video" ? "video" : "audio";
  const rtpmap = `${codec.name}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : track.kind === "audio" && codec.name.toLowerCase() === "opus" ? "/2" : ""}`;
  return [
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=vtp-recorder",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=${media} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(codec.fmtp ? [`a=fmtp:${codec.payloadType} ${codec.fmtp}`] : []),
    "a=recvonly",
    "",
  ].join("\r\n");
}

/**
 * Records one track: its RTP goes over loopback UDP into an FFmpeg (`-c copy`, Matroska) that
 * writes one file per part. FFmpeg is started when the track's first packet is there (video: the
 * first packet of a key frame), so its 1 s probe always begins with media it can read; a track
 * whose media comes late (a slow connection) no longer leaves an FFmpeg that gives up before it.
 * FFmpeg dying (or giving up on a silent track) ends the part; the next packet (video: key frame,
 * asked for at once) starts a new part, with the gap kept in the parts list. stop() ends FFmpeg
 * with SIGINT so that it finalizes the file.
 */
export class TrackCapture {
  readonly parts: TrackPartColumn[] = [];
  private proc?: ChildProcess;
  private udp = dgram.createSocket("udp4");
  private port = 0;
  private forwarding = false;
  private stopping = false;
  /** Parts in a row that ended early (see onExit); the track is given up after maxRestarts. */
  private restarts = 0;
  private givenUp = false;
  /** Why the last part ended: the next part records it as the gap before it. */
  private gapReason?: string;
  private unsubscribe?: () => void;
  private keyTimer?: NodeJS.Timeout;
  private exited?: Promise<void>;
  /** Packets (and when they arrived, on the recording's clock) kept while FFmpeg starts. */
  private pending: { packet: Buffer; at: number }[] = [];
  /** In order, once each, video from a key frame on: what FFmpeg gets. */
  readonly ordered: OrderedRtp;
  /** Packets handed to FFmpeg. */
  packets = 0;
  /** When the last packet was handed to FFmpeg, on the recording's clock (-1: none yet). */
  lastPacketAt = -1;

  constructor(
    readonly track: RecorderTrack,
    private readonly opts: TrackCaptureOptions,
  ) {
    this.udp.on("error", () => {});
    this.ordered = new OrderedRtp({
      kind: track.kind,
      codec: track.codec.name,
      clockRate: track.codec.clockRate,
      emit: (packet) => this.deliver(packet),
      onNeedKeyFrame: () => this.track.requestKeyFrame(),
    });
  }

  /** Listens to the track; the first part starts with its first packet once the recording's clock runs. */
  async start(): Promise<void> {
    this.unsubscribe = this.track.onRtp((packet) => this.ordered.push(packet));
    if (this.track.kind === "video") {
      // Ask again every second while video waits for a key frame: a PLI or its answer can be lost.
      this.keyTimer = setInterval(() => {
        if (this.opts.clock() >= 0 && !this.stopping && !this.givenUp && this.ordered.waitingForKeyFrame) this.track.requestKeyFrame();
      }, 1000);
      this.keyTimer.unref?.();
    }
  }

  /** A video present when the clock started: live from 0 on the recording's clock (see TrackPartColumn.liveFromMs). */
  private liveFromStart = false;

  /** The recording's clock started: what came before is dropped, video restarts at a key frame. */
  begin(): void {
    this.pending = [];
    this.ordered.requireKeyFrame();
    this.liveFromStart = this.track.kind === "video";
  }

  private deliver(packet: Buffer) {
    if (this.stopping || this.givenUp || this.opts.clock() < 0) return;
    if (!this.forwarding) {
      // The first packet of a part (video: of a key frame) starts its FFmpeg.
      if (!this.proc && !this.spawning) void this.spawnPart();
      // FFmpeg is still binding its port: keep what comes (video from a key frame on).
      const item = { packet, at: this.opts.clock() };
      if (this.track.kind === "audio") this.pending = [...this.pending.slice(-50), item];
      else if (this.pending.length < 2000) this.pending.push(item);
      else {
        this.pending = [];
        this.ordered.requireKeyFrame();
      }
      return;
    }
    const part = this.parts[this.parts.length - 1];
    if (part && part.offsetMs < 0) {
      part.offsetMs = Math.max(0, Math.round(this.opts.clock()));
      this.opts.onParts(this.parts);
    }
    this.packets++;
    this.lastPacketAt = this.opts.clock();
    this.udp.send(packet, this.port, "127.0.0.1");
  }

  /** The part being started, so stop() can wait for it instead of racing it. */
  private spawning?: Promise<void>;

  private spawnPart(): Promise<void> {
    const spawning = this.startPart()
      .catch((err) => {
        // No FFmpeg for this part (no port, spawn failed): what was held is dropped, the next packet tries again.
        this.opts.log.error({ err, track: this.track.id }, "could not start the recorder FFmpeg");
        this.pending = [];
        this.ordered.requireKeyFrame();
      })
      .finally(() => {
        if (this.spawning === spawning) this.spawning = undefined;
      });
    this.spawning = spawning;
    return spawning;
  }

  private async startPart(): Promise<void> {
    this.port = await freePortPair();
    if (this.stopping) return; // stopped while a part was looking for a port
    const gapReason = this.gapReason;
    this.gapReason = undefined;
    const partNo = this.parts.length + 1;
    const file = `${this.opts.baseName}.p${partNo}.mkv`;
    const sdpFile = path.join(this.opts.dir, `${this.opts.baseName}.p${partNo}.sdp`);
    writeFileSync(sdpFile, sdpFor(this.track, this.port));
    const logFd = openSync(path.join(this.opts.dir, `${this.opts.baseName}.p${partNo}.log`), "a");
    const proc = spawn(
      this.opts.ffmpeg,
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "warning",
        "-protocol_whitelist",
        "file,udp,rtp",
        "-reorder_queue_size",
        "0",
        "-analyzeduration",
        "1000000",
        "-i",
        sdpFile,
        "-map",
        "0",
        "-c",
        "copy",
        "-flush_packets",
        "1",
        "-f",
        "matroska",
        "-cluster_time_limit",
        "500",
        "-y",
        path.join(this.opts.dir, file),
      ],
      { stdio: ["ignore", logFd, logFd], detached: false },
    );
    closeSync(logFd);
    this.proc = proc;
    // offsetMs is set from the first packet FFmpeg receives (-1 until then).
    this.parts.push({
      file,
      offsetMs: -1,
      pid: proc.pid,
      ...(gapReason ? { gapReason } : {}),
      ...(this.liveFromStart && partNo === 1 ? { liveFromMs: 0 } : {}),
    });
    this.opts.onParts(this.parts);
    this.exited = new Promise((resolve) =>
      proc.once("exit", (code, sig) => {
        void this.onExit(proc, code, sig).finally(resolve);
      }),
    );
    // Wait until FFmpeg listens (or a second at most where /proc is not available).
    const deadline = Date.now() + 5000;
    for (;;) {
      const bound = udpBound(this.port);
      if (bound || proc.exitCode !== null || Date.now() > deadline) break;
      if (bound === undefined && Date.now() > deadline - 4000) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // stop() signals this FFmpeg, or it already exited (onExit has ended the part): no forwarding.
    if (this.stopping || this.proc !== proc) return;
    this.forwarding = true;
    const pending = this.pending;
    this.pending = [];
    // The part starts when its first packet arrived, not when FFmpeg was ready for it.
    const part = this.parts[this.parts.length - 1];
    if (part && part.offsetMs < 0 && pending.length) {
      part.offsetMs = Math.max(0, Math.round(pending[0].at));
      this.opts.onParts(this.parts);
    }
    for (const { packet } of pending) this.deliver(packet);
  }

  private async onExit(proc: ChildProcess, code: number | null, sig: NodeJS.Signals | null) {
    const part = this.parts[this.parts.length - 1];
    if (part && part.endOffsetMs === undefined) part.endOffsetMs = Math.round(this.opts.clock());
    this.opts.onParts(this.parts);
    if (this.proc !== proc) return;
    this.proc = undefined;
    this.forwarding = false;
    if (this.stopping) return;
    // The next part is a new file: it starts at a key frame (asked for now), with the next packet.
    this.pending = [];
    this.ordered.requireKeyFrame();
    // A part that captured for a while is not a failure in a row (FFmpeg also leaves after 10 s
    // without packets: a paused track); one that ended early is, and too many of them give up.
    const lived = part && part.offsetMs >= 0 && part.endOffsetMs !== undefined ? part.endOffsetMs - part.offsetMs : 0;
    this.restarts = lived >= 5000 ? 0 : this.restarts + 1;
    if (this.restarts > (this.opts.maxRestarts ?? 20)) {
      this.givenUp = true;
      this.opts.log.error({ track: this.track.id }, "recorder FFmpeg keeps dying; this track is no longer captured");
      return;
    }
    this.gapReason = `ffmpeg exited (${code ?? sig}) at ${part?.endOffsetMs ?? "?"} ms`;
    this.opts.log.warn(
      { track: this.track.id, part: part?.file, reason: this.gapReason },
      "recorder FFmpeg ended; a new part (gap) starts with the track's next packet",
    );
  }

  /** Ends the track (at `endAt` on the recording's clock, default now): SIGINT to FFmpeg and wait for it to finalize the file. */
  async stop(endAt?: number): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
    await this.spawning?.catch(() => {});
    if (this.keyTimer) clearInterval(this.keyTimer);
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const part = this.parts[this.parts.length - 1];
      if (part && part.endOffsetMs === undefined) part.endOffsetMs = Math.round(endAt ?? this.opts.clock());
      await this.drainIntoFfmpeg();
      proc.kill("SIGINT");
      // FFmpeg leaves its UDP read at the next packet (or after its 10 s read timeout): when the
      // track has stopped sending, an RTCP receiver report on its RTCP port wakes it up.
      const wake = setInterval(() => this.udp.send(rtcpWakeUp, this.port + 1, "127.0.0.1"), 200);
      this.udp.send(rtcpWakeUp, this.port + 1, "127.0.0.1");
      // A part written with 500 ms clusters and flushed packets stays readable if it must be killed.
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await this.exited;
      clearTimeout(killer);
      clearInterval(wake);
    }
    this.unsubscribe?.();
    this.ordered.close();
    this.opts.log.info(
      { track: this.track.id, kind: this.track.kind, source: this.track.source, packets: this.packets, ...this.ordered.stats },
      "recorder track stopped",
    );
    this.udp.close();
  }

  /**
   * Before FFmpeg is told to stop, it gets what is still on its way: the packets held for
   * reordering, and what waits in its socket's receive queue (a busy machine's FFmpeg can be a
   * second behind; SIGINT makes it stop reading, and that tail would be lost). At most 3 s.
   */
  private async drainIntoFfmpeg(): Promise<void> {
    this.ordered.flush();
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline && this.proc?.exitCode === null) {
      const queued = udpQueued(this.port);
      if (!queued) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** FFmpeg has every packet sent to it so far (none held while it starts, none waiting in its socket). */
  get caughtUp(): boolean {
    if (this.stopping || this.givenUp) return true;
    if (this.pending.length || this.spawning) return false;
    return !this.forwarding || !udpQueued(this.port);
  }

  /** For tests: kill FFmpeg as if it crashed. */
  crashForTest(): void {
    this.proc?.kill("SIGKILL");
  }
}
