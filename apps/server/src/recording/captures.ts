import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { LocalStorage } from "../storage/index.js";
import { AppError } from "../errors/index.js";
import { FFMPEG_INSTALL_HINT } from "./ffmpeg.js";
import { PROCESS_QUEUE, type ProcessPayload } from "./Processor.js";
import type { RecordingNotifier, RecordingServiceDeps } from "./ports.js";
import type { RecordingRow } from "./repo.js";
import { RecordingSession } from "./RecordingSession.js";
import { ProgressiveComposer } from "./progressive/ProgressiveComposer.js";
import { PROGRESSIVE_DIR } from "./progressive/stitch.js";
import { ComposeSlots } from "./progressive/slots.js";
import type { RecorderSourceFactory, RecorderTrack } from "./source.js";

/** How often a server checks whether one of its captures was stopped through another server. */
export const STOP_CHECK_MS = 1000;
/** While a recording is composed during the class, its video tracks are asked for a key frame this often. */
const KEY_FRAME_EVERY_MS = 8000;
/** A row stopped through another server this recently may still be finalized by its holder: recovery leaves it. */
const HOLDER_GRACE_MS = 60_000;

export interface CapturesDeps
  extends Pick<RecordingServiceDeps, "repo" | "storage" | "jobs" | "ffmpeg" | "log" | "nodeId" | "onEnqueue" | "board" | "composeLive"> {
  /** The recorder's source now (tests replace it). */
  sourceFactory: () => RecorderSourceFactory | undefined;
  captureDir: (recordingId: string) => string;
  notify: RecordingNotifier;
  /** A track started being recorded (automatic markers). */
  onTrack: (row: RecordingRow, track: RecorderTrack, offsetMs: number) => void;
}

/**
 * The captures running on this app server (`sessions`; their rows carry this server's
 * `node_id`), and stopping any recording wherever the stop is asked (DECISIONS 33):
 * - the server holding the capture stops it, finalizes its files, then queues the processing;
 * - another server (the host's Stop, the class's end or the groups' close landed there) only marks
 *   the row stopped; the holder sees that within `STOP_CHECK_MS` (it reads the status of its
 *   running rows every second) and does the rest. Nobody queues files still being written;
 * - a holder gone for good: its rows are finalized by `recover()` when it starts again, and a row
 *   already stopped elsewhere (`processing` without a job) is queued by any server's `recover()`.
 */
export class Captures {
  private readonly sessions = new Map<string, RecordingSession>();
  /** Each capture's composition during the class (progressive/), by recording id. */
  private readonly composers = new Map<string, ProgressiveComposer>();
  private readonly composeSlots = new ComposeSlots();
  /** Captures being finalized, then queued (by recording id; stop and stopAll wait for them). */
  private readonly finishing = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly deps: CapturesDeps) {}

  session(recordingId: string): RecordingSession | undefined {
    return this.sessions.get(recordingId);
  }

  /** Starts capturing a new recording row from a media room (the class's or a group's); the row fails when it cannot. */
  async capture(row: RecordingRow, mediaRoomId: string): Promise<void> {
    const { repo, log, ffmpeg } = this.deps;
    const factory = this.deps.sourceFactory();
    if (!ffmpeg || !factory) throw new AppError("RECORDING_UNAVAILABLE", FFMPEG_INSTALL_HINT);
    try {
      const source = await factory(mediaRoomId, row.id);
      const session = new RecordingSession(row.id, mediaRoomId, source, {
        ffmpeg: ffmpeg.ffmpeg,
        dir: this.deps.captureDir(row.id),
        repo,
        log,
        onTrack: (track, offsetMs) => this.deps.onTrack(row, track, offsetMs),
      });
      this.sessions.set(row.id, session);
      this.watch();
      await session.start();
      // The recording starts when its clock does (the recorder has the class's tracks).
      row.started_at = session.startedAt;
      await repo.update(row.id, { started_at: session.startedAt });
      if (this.deps.composeLive !== false) await this.composeLive(row, session, ffmpeg.ffmpeg);
    } catch (err) {
      this.sessions.delete(row.id);
      await repo.update(row.id, { status: "failed", error: `could not start capture: ${String(err)}`, stopped_at: new Date() });
      throw err;
    }
  }

  /** Starts composing the recording while the class runs (a failure here only means it is composed after class). */
  private async composeLive(row: RecordingRow, session: RecordingSession, ffmpeg: string) {
    try {
      const room = await this.deps.repo.room(row.room_id);
      // Stopped while the room was read: nothing to compose.
      if (this.sessions.get(row.id) !== session) return;
      // The class board is the main room's: a breakout group's recording has its media only.
      const board =
        this.deps.board && !row.breakout_group_id ? { source: this.deps.board, roomId: row.room_id, startedAt: () => session.startedAt } : undefined;
      const composer = new ProgressiveComposer(
        { inputs: () => session.composeInputs(), clock: session.clock, caughtUp: () => session.caughtUp() },
        {
          ffmpeg,
          dir: path.join(this.deps.captureDir(row.id), PROGRESSIVE_DIR),
          log: this.deps.log.child({ recordingId: row.id }),
          hostId: room?.host_id ?? null,
          board,
          slots: this.composeSlots,
        },
      );
      this.composers.set(row.id, composer);
      composer.start();
      session.keyFramesEvery(KEY_FRAME_EVERY_MS);
    } catch (err) {
      this.deps.log.warn({ err, recordingId: row.id }, "could not compose during the class; the recording is composed after class");
    }
  }

  /** The capture's files are final: the composer does the rest of the class (or is dropped with a deleted row). */
  private async finishComposing(recordingId: string, keep: boolean) {
    const composer = this.composers.get(recordingId);
    if (!composer) return;
    this.composers.delete(recordingId);
    const row = keep ? await this.deps.repo.byId(recordingId) : undefined;
    if (!row?.stopped_at) return composer.cancel();
    await composer.finish(row.stopped_at.getTime() - row.started_at.getTime());
  }

  /**
   * Stops a recording, asked on this server. Its capture here is finalized and queued; one held
   * by another server is left to that server (it notices the row stopped).
   */
  async stop(recording: RecordingRow): Promise<void> {
    const stoppedAt = new Date();
    const marked = await this.deps.repo.markStopped(recording.id, stoppedAt);
    // A group's recording is shown in the group (the groups' `recordGroups`), not as the class's.
    if (marked && !recording.breakout_group_id)
      this.deps.notify(
        recording.room_id,
        "recording-stopped",
        { roomId: recording.room_id, recordingId: recording.id, stoppedAt: stoppedAt.toISOString() },
        false,
      );
    // Held here: finalize and queue, even when another server marked it first.
    if (this.sessions.has(recording.id)) return this.finish(recording.id, true);
    // The watch took it a moment ago (the row was stopped): it finalizes, then queues.
    const finishing = this.finishing.get(recording.id);
    if (finishing) return finishing;
    if (!marked) return;
    if (recording.node_id && recording.node_id !== this.deps.nodeId) {
      this.deps.log.info({ recordingId: recording.id, node: recording.node_id }, "recording stopped here; the server capturing it finalizes and queues it");
      return;
    }
    // Ours without a capture (it failed, or a restart lost it): what is on disk is processed.
    await this.enqueue(recording.id);
  }

  /** Takes a capture off this server, finalizes its files and (`queue`) queues its processing. */
  private finish(recordingId: string, queue: boolean): Promise<void> {
    const session = this.sessions.get(recordingId);
    if (!session) return Promise.resolve();
    this.sessions.delete(recordingId);
    // Finalize the files, then queue the processing (a crash in between is recovered at start).
    this.composers.get(recordingId)?.halt();
    const filesFinal = session.stop();
    const done = (async () => {
      try {
        await filesFinal;
      } finally {
        // The last seconds composed (not awaited by the Stop: `filesFinal` is what it waits for).
        await this.finishComposing(recordingId, queue).catch((err) => this.deps.log.warn({ err, recordingId }, "finishing the composition failed"));
      }
      if (queue) {
        await this.shareTracks(recordingId);
        await this.enqueue(recordingId);
      }
    })();
    const tracked = done.finally(() => this.finishing.delete(recordingId));
    this.finishing.set(recordingId, tracked);
    // A Stop answers once the files are final; composing the rest and queueing go on (stopAll waits for them).
    return filesFinal.then(
      () => undefined,
      () => tracked,
    );
  }

  /** The recording is being deleted: what was composed during the class is not finished. */
  discardComposing(recordingId: string): void {
    this.composers.get(recordingId)?.cancel();
    this.composers.delete(recordingId);
  }

  /**
   * With shared storage (S3) the track files go there before the processing is queued: a
   * `vtp worker` on another machine (README "Scaling out") reads them from the bucket (the
   * Processor takes a local copy first where there is one). A failed upload is logged: this
   * server's own worker can still process from its disk.
   */
  private async shareTracks(recordingId: string) {
    const { storage, log } = this.deps;
    if (storage instanceof LocalStorage) return;
    const dir = this.deps.captureDir(recordingId);
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".mkv")))
      await storage
        .putFile(`rec/${recordingId}/tracks/${file}`, path.join(dir, file), { contentType: "video/x-matroska" })
        .catch((err) => log.warn({ err, recordingId, file }, "a track file could not be copied to storage; only this server can process it"));
  }

  private async enqueue(recordingId: string) {
    await this.deps.jobs.enqueue<ProcessPayload>(PROCESS_QUEUE, { recordingId }, { dedupeKey: recordingId, maxAttempts: 3 });
    this.deps.onEnqueue?.();
  }

  /** Checks every second, while this server captures something, whether it was stopped elsewhere. */
  private watch() {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkStopped(), STOP_CHECK_MS);
    this.timer.unref();
  }

  private unwatch() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Captures of this server whose row is no longer `recording`: stopped through another server
   * (finalized, then queued) or deleted there (finalized, files removed). A database error is
   * logged and the next tick tries again.
   */
  async checkStopped(): Promise<void> {
    if (this.checking) return;
    if (!this.sessions.size) return this.unwatch();
    this.checking = true;
    try {
      const running = new Set((await this.deps.repo.byStatus("recording")).map((r) => r.id));
      for (const id of [...this.sessions.keys()]) {
        if (running.has(id)) continue;
        const row = await this.deps.repo.byId(id);
        if (!this.sessions.has(id) || row?.status === "recording") continue;
        this.deps.log.info({ recordingId: id, status: row?.status ?? "deleted" }, "recording stopped through another server; finalizing its capture here");
        // Not awaited: one slow FFmpeg does not hold up the others' checks.
        void this.finish(id, !!row)
          .then(() => (row ? undefined : this.removeFiles(id)))
          .catch((err) => this.deps.log.error({ err, recordingId: id }, "finalizing a recording stopped elsewhere failed"));
      }
    } catch (err) {
      this.deps.log.warn({ err }, "checking whether recordings were stopped elsewhere failed");
    } finally {
      this.checking = false;
    }
  }

  /** A recording deleted through another server: its files here go too. */
  private async removeFiles(recordingId: string) {
    await this.deps.storage.deletePrefix(`rec/${recordingId}/`);
    rmSync(this.deps.captureDir(recordingId), { recursive: true, force: true });
  }

  /**
   * After a restart: recordings still marked `recording` by this node were cut by a crash —
   * finalize them from what is on disk and process them. Recordings left in `processing`
   * without a job get one (also those stopped through another server while their holder was down;
   * not one of another server stopped in the last minute: its holder may be finalizing it).
   */
  async recover(): Promise<string[]> {
    const { repo, jobs, log } = this.deps;
    const recovered: string[] = [];
    for (const recording of await repo.byStatus("recording")) {
      if (this.sessions.has(recording.id) || (recording.node_id && recording.node_id !== this.deps.nodeId)) continue;
      const tracks = await repo.tracks(recording.id);
      const end = Math.max(0, ...tracks.flatMap((t) => t.parts.map((p) => p.endOffsetMs ?? 0)));
      const stoppedAt = new Date(Math.max(Date.now(), recording.started_at.getTime() + end));
      for (const t of tracks) if (t.status !== "finalized") await repo.updateTrack(t.id, { status: "finalized" });
      if (await repo.markStopped(recording.id, stoppedAt)) {
        log.warn({ recordingId: recording.id }, "recording was interrupted by a server stop; finalizing what was captured");
        await this.shareTracks(recording.id);
        await this.enqueue(recording.id);
        recovered.push(recording.id);
      }
    }
    for (const recording of await repo.byStatus("processing")) {
      // Just stopped through another server: its holder may still be finalizing the files.
      const held = recording.node_id && recording.node_id !== this.deps.nodeId && Date.now() - (recording.stopped_at?.getTime() ?? 0) < HOLDER_GRACE_MS;
      if (held) continue;
      const queued = await jobs.list(PROCESS_QUEUE);
      if (!queued.some((j) => (j.payload as ProcessPayload).recordingId === recording.id && j.status !== "failed")) {
        await this.enqueue(recording.id);
        recovered.push(recording.id);
      }
    }
    return recovered;
  }

  /** Stops every capture (server shutdown): files are finalized and processing queued. */
  async stopAll(): Promise<void> {
    this.unwatch();
    // A shutdown has seconds, not a window's composing: the after-class pass makes these recordings.
    for (const id of [...this.composers.keys()]) this.discardComposing(id);
    await Promise.all(
      [...this.sessions.keys()].map(async (id) => {
        const recording = await this.deps.repo.byId(id);
        if (recording) await this.stop(recording).catch((err) => this.deps.log.error({ err }, "stopping a recording failed"));
        else await this.finish(id, false).catch((err) => this.deps.log.error({ err }, "stopping a recording failed"));
      }),
    );
    await Promise.allSettled([...this.finishing.values()]);
  }
}
