import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { ComposeInput } from "./compose.js";
import type { Logger } from "pino";
import type { RecordingsRepo } from "./repo.js";
import type { RecorderSource, RecorderTrack } from "./source.js";
import { TrackCapture } from "./TrackCapture.js";

/**
 * One recording being captured: every track the source delivers gets a TrackCapture whose
 * parts are persisted as they change, with offsets on the recording's clock.
 */
export class RecordingSession {
  readonly captures = new Map<string, { capture: TrackCapture; trackId: Promise<string> }>();
  private t0 = performance.now();
  /** False while the source is still handing over the tracks present at start (clock: -1). */
  private running = false;
  private stopped = false;
  /** When the recording's clock started (set by start()). */
  startedAt = new Date();

  constructor(
    readonly recordingId: string,
    readonly roomId: string,
    readonly source: RecorderSource,
    private readonly opts: {
      ffmpeg: string;
      dir: string;
      repo: RecordingsRepo;
      log: Logger;
      /** A track started being recorded, at `offsetMs` on the recording's clock (automatic markers). */
      onTrack?: (track: RecorderTrack, offsetMs: number) => void;
    },
  ) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** Milliseconds since the recording started; -1 before it has (nothing is captured then). */
  clock = () => (this.running ? performance.now() - this.t0 : -1);

  /**
   * Joins the room's media and receives the tracks present now; the recording's clock starts
   * once they are there, so a recording begins with the class rather than with the recorder
   * joining it. Video from before that point is not kept: each track starts at a new key frame.
   */
  async start(): Promise<void> {
    await this.source.start((track) => void this.addTrack(track));
    this.t0 = performance.now();
    this.startedAt = new Date();
    this.running = true;
    for (const { capture } of this.captures.values()) capture.begin();
  }

  private async addTrack(track: RecorderTrack) {
    if (this.stopped || this.captures.has(track.id)) return;
    const { repo, log } = this.opts;
    const baseName = `${track.kind}-${track.source}-${track.id.replace(/[^\w-]/g, "").slice(0, 36)}`;
    let resolveId!: (id: string) => void;
    const trackId = new Promise<string>((resolve) => (resolveId = resolve));
    let persisting = Promise.resolve();
    const capture = new TrackCapture(track, {
      ffmpeg: this.opts.ffmpeg,
      dir: this.opts.dir,
      baseName,
      clock: this.clock,
      log,
      onParts: (parts) => {
        const snapshot = parts.map((p) => ({ ...p }));
        persisting = persisting.then(async () => {
          const id = await trackId;
          const first = snapshot.find((p) => p.offsetMs >= 0);
          await repo
            .updateTrack(id, { parts: snapshot, ...(first ? { startOffsetMs: first.offsetMs } : {}) })
            .catch((err) => log.warn({ err }, "saving track parts failed"));
        });
      },
    });
    this.captures.set(track.id, { capture, trackId });
    const id = await repo.addTrack({
      recordingId: this.recordingId,
      producerId: track.id,
      peerId: track.peerId,
      userId: track.userId,
      kind: track.kind,
      source: track.source,
      codec: track.codec.name,
      startOffsetMs: Math.max(0, Math.round(this.clock())),
      parts: [],
    });
    resolveId(id);
    try {
      this.opts.onTrack?.(track, Math.max(0, Math.round(this.clock())));
    } catch (err) {
      log.warn({ err }, "track listener failed");
    }
    track.onClose(() => void this.finishTrack(track.id, "closed"));
    try {
      await capture.start();
    } catch (err) {
      log.error({ err, track: track.id }, "could not start capturing a track");
    }
    log.info({ recordingId: this.recordingId, track: track.id, kind: track.kind, source: track.source }, "recording a track");
  }

  /** Tracks finished (or finishing): a later stop() must not move their end to its own time. */
  private readonly finishing = new Map<string, Promise<void>>();

  /** The producer closed (or the recording stops): finalize its file, once. */
  private finishTrack(producerId: string, why: "closed" | "stopped"): Promise<void> {
    let finishing = this.finishing.get(producerId);
    if (!finishing) {
      finishing = this.finalize(producerId, why);
      this.finishing.set(producerId, finishing);
    }
    return finishing;
  }

  private async finalize(producerId: string, why: "closed" | "stopped") {
    const entry = this.captures.get(producerId);
    if (!entry) return;
    // A track the publisher closed ends with its last packet (the browser stops sending before
    // its close reaches us: a second or more on a busy machine); one still live when the
    // recording stops ends now. Either way not when FFmpeg is done writing its file.
    const now = this.clock();
    const last = entry.capture.lastPacketAt;
    const end = Math.round(why === "closed" && last >= 0 ? Math.min(now, last) : now);
    await entry.capture.stop(end);
    const id = await entry.trackId;
    const parts = entry.capture.parts.filter((p) => p.offsetMs >= 0);
    await this.opts.repo.updateTrack(id, { parts, status: "finalized", endOffsetMs: end });
  }

  /** Every part captured so far whose file has media, as the composition's inputs (progressive/). */
  composeInputs(): ComposeInput[] {
    const inputs: ComposeInput[] = [];
    for (const { capture } of this.captures.values()) {
      const { track } = capture;
      for (const part of capture.parts) {
        const file = path.join(this.opts.dir, part.file);
        if (part.offsetMs < 0 || !existsSync(file) || statSync(file).size < 1024) continue;
        inputs.push({
          file,
          offsetMs: part.offsetMs,
          ...(part.endOffsetMs !== undefined ? { endOffsetMs: part.endOffsetMs } : {}),
          ...(part.liveFromMs !== undefined ? { liveFromMs: part.liveFromMs } : {}),
          track: { kind: track.kind, source: track.source, user_id: track.userId ?? null, producer_id: track.id },
        });
      }
    }
    return inputs;
  }

  private keyFrameTimer?: NodeJS.Timeout;

  /**
   * Asks every video track for a key frame this often: a window composed during the class is read
   * from the key frame before it, and a browser sends one only when asked, so without this a
   * window late in a long class would decode from the class's start.
   */
  keyFramesEvery(ms: number): void {
    clearInterval(this.keyFrameTimer);
    this.keyFrameTimer = setInterval(() => {
      for (const { capture } of this.captures.values()) if (capture.track.kind === "video") capture.track.requestKeyFrame();
    }, ms);
    this.keyFrameTimer.unref();
  }

  /** Every capture has written what it received. */
  caughtUp(): boolean {
    return [...this.captures.values()].every(({ capture }) => capture.caughtUp);
  }

  /** Stops the source and finalizes every track (waits for each FFmpeg to write its file). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keyFrameTimer);
    await Promise.all(
      [...this.captures.keys()].map((id) => this.finishTrack(id, "stopped").catch((err) => this.opts.log.error({ err }, "finalizing a track failed"))),
    );
    await this.source.stop().catch(() => {});
  }
}
