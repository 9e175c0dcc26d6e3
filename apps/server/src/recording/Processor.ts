import { existsSync, mkdirSync, readFileSync, rmSync, statSync, createWriteStream, readdirSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import type { Job, JobContext } from "../jobs/index.js";
import { LocalStorage, type Storage } from "../storage/index.js";
import { composeArgs, hlsArgs, thumbnailArgs, CANVAS, type ComposeInput } from "./compose.js";
import { ffprobe, runFfmpeg } from "./ffmpeg.js";
import type { BoardRecordSource } from "./ports.js";
import type { RecordingsRepo } from "./repo.js";
import { renderBoardVideo, type BoardVideo } from "./board/index.js";
import { trackWarnings, type TrackYield } from "./warnings.js";
import { composedDuringClass, stitch, PROGRESSIVE_DIR } from "./progressive/stitch.js";

export const PROCESS_QUEUE = "recording.process";
export interface ProcessPayload {
  recordingId: string;
}

export interface ProcessorDeps {
  repo: RecordingsRepo;
  storage: Storage;
  ffmpeg: { ffmpeg: string; ffprobe: string };
  /** Where capture writes track files for this recording (local). */
  captureDir: (recordingId: string) => string;
  /** Scratch space for outputs before upload (S3). */
  workDir: string;
  log: Logger;
  /** The class board, drawn into the video while it was on the stage (absent: never). */
  board?: BoardRecordSource;
  onProgress?: (recordingId: string, roomId: string, status: "processing" | "ready" | "failed", progress: number, error?: string) => void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops an FFmpeg left over from a killed server (SIGINT: it finalizes its file). */
async function stopOrphan(pid: number | undefined, file: string) {
  if (!pid || !alive(pid)) return;
  let cmd = "";
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return;
  }
  if (!cmd.includes(file)) return;
  process.kill(pid, "SIGINT");
  const end = Date.now() + 20_000;
  while (alive(pid) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) process.kill(pid, "SIGKILL");
}

/** The processing job: compose the tracks into MP4 + HLS + thumbnail and store them. */
export class Processor {
  constructor(private readonly deps: ProcessorDeps) {}

  async handle(ctx: JobContext<ProcessPayload>): Promise<void> {
    const { recordingId } = ctx.job.payload;
    const { repo, log } = this.deps;
    const rec = await repo.byId(recordingId);
    if (!rec || rec.status === "ready") return;
    try {
      await this.process(rec.id, rec.room_id, ctx);
    } catch (err) {
      const last = ctx.job.attempts >= ctx.job.maxAttempts;
      const message = err instanceof Error ? err.message : String(err);
      log.error({ recordingId, attempt: ctx.job.attempts, err: message }, "recording processing failed");
      if (last) {
        await repo.update(recordingId, { status: "failed", error: message.slice(0, 2000) });
        this.deps.onProgress?.(recordingId, rec.room_id, "failed", 0, message);
      }
      throw err;
    }
  }

  private async process(recordingId: string, roomId: string, ctx: JobContext<ProcessPayload>) {
    const { repo, storage, ffmpeg, log } = this.deps;
    const rec = await repo.byId(recordingId);
    if (!rec) throw new Error(`recording ${recordingId} no longer exists`);
    const tracks = await repo.tracks(recordingId);
    const capture = this.deps.captureDir(recordingId);
    const local = storage instanceof LocalStorage;
    const outDir = local ? storage.pathOf(`rec/${recordingId}/out`) : path.join(this.deps.workDir, recordingId, "out");
    const inDir = path.join(this.deps.workDir, recordingId, "in");
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(path.join(outDir, "hls"), { recursive: true });

    // Inputs: every part's file, from the capture directory or (another machine) from storage.
    const inputs: ComposeInput[] = [];
    const yields: TrackYield[] = [];
    for (const track of tracks) {
      const trackYield: TrackYield = { track, mediaSeconds: 0, measured: true };
      yields.push(trackYield);
      for (const part of track.parts) {
        if (part.offsetMs < 0) continue;
        let file = path.join(capture, part.file);
        await stopOrphan(part.pid, file);
        if (!existsSync(file) && !local) {
          const key = `rec/${recordingId}/tracks/${part.file}`;
          if (await storage.stat(key)) {
            mkdirSync(inDir, { recursive: true });
            file = path.join(inDir, part.file);
            await pipeline(await storage.get(key), createWriteStream(file));
          }
        }
        if (!existsSync(file) || statSync(file).size === 0) {
          log.warn({ recordingId, file: part.file }, "a track part has no file; skipped");
          continue;
        }
        try {
          const probe = await ffprobe(ffmpeg.ffprobe, file);
          if (!probe.streams?.length) throw new Error("no streams");
          const seconds = Number(probe.format?.duration);
          if (Number.isFinite(seconds)) trackYield.mediaSeconds += seconds;
          else {
            trackYield.measured = false;
            trackYield.mediaSeconds += 0.001; // readable, length unknown (a part cut short)
          }
        } catch (err) {
          log.warn({ recordingId, file: part.file, err: String(err) }, "a track part is unreadable; skipped");
          continue;
        }
        inputs.push({
          file,
          offsetMs: part.offsetMs,
          ...(part.endOffsetMs !== undefined ? { endOffsetMs: part.endOffsetMs } : {}),
          ...(part.liveFromMs !== undefined ? { liveFromMs: part.liveFromMs } : {}),
          track,
        });
      }
    }
    const stoppedAt = rec.stopped_at ?? new Date();
    const durationS = Math.max(0.5, (stoppedAt.getTime() - rec.started_at.getTime()) / 1000);
    const names = new Map<string, string>();
    for (const t of tracks) if (t.user_id && !names.has(t.user_id)) names.set(t.user_id, (await repo.userName(t.user_id)) ?? "A participant");
    const warnings = trackWarnings(yields, durationS, (id) => (id && names.get(id)) || "A participant");
    if (warnings.length) log.warn({ recordingId, warnings: warnings.map((w) => `${w.code}:${w.trackId}`) }, "a recording is missing media");
    let lastSent = -1;
    const report = (pct: number) => {
      const percent = Math.max(0, Math.min(99, Math.round(pct)));
      ctx.progress(percent);
      if (percent !== lastSent) {
        lastSent = percent;
        void repo.update(recordingId, { progress: percent }).catch(() => {});
        this.deps.onProgress?.(recordingId, roomId, "processing", percent);
      }
    };
    report(1);
    const mp4 = path.join(outDir, "recording.mp4");
    // Composed while the class ran (progressive/): its pieces are joined, nothing is encoded.
    let composed = composedDuringClass(capture, Math.round(durationS * 1000));
    if (composed) {
      try {
        await stitch(
          ffmpeg.ffmpeg,
          capture,
          composed,
          { mp4, hlsDir: path.join(outDir, "hls") },
          { signal: ctx.signal, onProgress: (f) => report(1 + 96 * f) },
        );
        log.info({ recordingId, windows: composed.windows.length }, "recording joined from what was composed during the class");
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        // A piece that cannot be read: the pieces go, the whole recording is composed after class.
        log.warn(
          { recordingId, err: err instanceof Error ? err.message : String(err) },
          "joining what was composed during the class failed; composing after class",
        );
        rmSync(path.join(capture, PROGRESSIVE_DIR), { recursive: true, force: true });
        rmSync(path.join(outDir, "hls"), { recursive: true, force: true });
        mkdirSync(path.join(outDir, "hls"), { recursive: true });
        composed = undefined;
      }
    }
    if (!composed) await this.composeAfterClass(rec, inputs, stoppedAt, durationS, mp4, outDir, ctx, report);
    await runFfmpeg(ffmpeg.ffmpeg, thumbnailArgs(mp4, Math.min(5, durationS / 3), path.join(outDir, "thumbnail.jpg")), { signal: ctx.signal });
    const probe = await ffprobe(ffmpeg.ffprobe, mp4);
    const duration = Number(probe.format?.duration ?? durationS);
    const size = statSync(mp4).size;
    // The pieces composed during the class are in the outputs now.
    rmSync(path.join(capture, PROGRESSIVE_DIR), { recursive: true, force: true });

    if (!local) {
      // Upload the outputs and the original track files, then drop the local copies.
      const walk = (dir: string, rel = ""): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
      for (const f of walk(outDir)) await storage.putFile(`rec/${recordingId}/out/${f}`, path.join(outDir, f));
      for (const inp of inputs) {
        // Copied there when the capture stopped (captures.ts shareTracks): not again.
        const key = `rec/${recordingId}/tracks/${path.basename(inp.file)}`;
        if ((await storage.stat(key))?.size !== statSync(inp.file).size) await storage.putFile(key, inp.file);
      }
      rmSync(path.join(this.deps.workDir, recordingId), { recursive: true, force: true });
      rmSync(capture, { recursive: true, force: true });
    }
    await repo.update(recordingId, {
      status: "ready",
      progress: 100,
      error: null,
      warnings,
      duration_seconds: Math.round(duration * 1000) / 1000,
      size_bytes: size,
      outputs: {
        mp4: "out/recording.mp4",
        hlsMaster: "out/hls/master.m3u8",
        thumbnail: "out/thumbnail.jpg",
        width: CANVAS.width,
        height: CANVAS.height,
        composedDuringClass: !!composed,
      },
    });
    this.deps.onProgress?.(recordingId, roomId, "ready", 100);
    log.info({ recordingId, duration, size, inputs: inputs.length, duringClass: !!composed }, "recording processed");
  }

  /** The whole recording composed from its tracks after class (it was not composed during the class). */
  private async composeAfterClass(
    rec: { id: string; room_id: string; started_at: Date; breakout_group_id: string | null },
    inputs: ComposeInput[],
    stoppedAt: Date,
    durationS: number,
    mp4: string,
    outDir: string,
    ctx: JobContext<ProcessPayload>,
    report: (pct: number) => void,
  ) {
    const { ffmpeg, repo } = this.deps;
    const room = await repo.room(rec.room_id);
    // The class board is the main room's: a breakout group's recording has its media only.
    const board = rec.breakout_group_id
      ? undefined
      : await this.renderBoard(rec.id, rec.room_id, rec.started_at, stoppedAt, durationS, ctx, (fraction) => report(1 + 14 * fraction));
    const composeFrom = board ? 15 : 1;
    await runFfmpeg(ffmpeg.ffmpeg, composeArgs(inputs, { hostId: room?.host_id ?? null, durationS, output: mp4, board }), {
      signal: ctx.signal,
      onProgress: (seconds) => report(composeFrom + ((75 - composeFrom) * seconds) / durationS),
    });
    if (board) rmSync(board.file, { force: true });
    await runFfmpeg(ffmpeg.ffmpeg, hlsArgs(mp4, path.join(outDir, "hls")), {
      signal: ctx.signal,
      onProgress: (seconds) => report(75 + (22 * seconds) / durationS),
    });
  }

  /**
   * The board's video when the class had the board on the stage during the recording (the
   * board's history replayed and drawn here, `recording/board/`). A board that cannot be read or
   * drawn is logged and left out: the class's cameras, screen and sound are still composed.
   */
  private async renderBoard(
    recordingId: string,
    roomId: string,
    startedAt: Date,
    stoppedAt: Date,
    durationS: number,
    ctx: JobContext<ProcessPayload>,
    progress: (fraction: number) => void,
  ): Promise<BoardVideo | undefined> {
    const { board, log } = this.deps;
    if (!board) return undefined;
    try {
      const history = await board.boardForRecording(roomId, startedAt.toISOString(), stoppedAt.toISOString());
      const started = Date.now();
      const video = await renderBoardVideo({
        board: history,
        durationMs: durationS * 1000,
        pdfOf: (surfaceId) => board.materialPdf(roomId, surfaceId),
        ffmpeg: this.deps.ffmpeg.ffmpeg,
        output: path.join(this.deps.workDir, recordingId, "board.mp4"),
        signal: ctx.signal,
        onProgress: progress,
        onPdfError: (surfaceId, err) => log.warn({ recordingId, surfaceId, err: String(err) }, "a document shown on the board could not be drawn"),
      });
      if (video) log.info({ recordingId, spans: video.spans.length, frames: video.frames, redrawn: video.redrawn, ms: Date.now() - started }, "board rendered");
      return video;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      log.error({ recordingId, err: err instanceof Error ? err.message : String(err) }, "the board could not be drawn into the recording; composed without it");
      return undefined;
    }
  }
}

export type ProcessJob = Job<ProcessPayload>;
