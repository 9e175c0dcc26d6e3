import { hostname } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import type { AppContext } from "../context.js";
import type { DB } from "../db/index.js";
import { createStorage, type Storage } from "../storage/index.js";
import { JobQueue, JobWorker, type JobTables } from "../jobs/index.js";
import type { Kysely } from "kysely";
import { findFfmpeg } from "./ffmpeg.js";
import { RecordingsRepo } from "./repo.js";
import { RecordingService } from "./service.js";
import { Processor, PROCESS_QUEUE } from "./Processor.js";
import { recordingRoutes } from "./routes.js";

export { RecordingService, type RecordingNotifier, type PollRecordSource, type QuizRecordSource, type BoardRecordSource } from "./service.js";
import type { BoardRecordSource, PollRecordSource, QuizRecordSource, RecordingNotifier } from "./service.js";
import type { RecorderSourceFactory } from "./source.js";
export type { RecorderSource, RecorderTrack, RecorderCodec, RecorderSourceFactory } from "./source.js";
export type { RecordingTables } from "./tables.js";
export { PROCESS_QUEUE } from "./Processor.js";
export { readRecordingSettings, type RecordingSettings } from "./settings.js";

export interface RecordingModule {
  service: RecordingService;
  worker?: JobWorker;
  storage: Storage;
  jobs: JobQueue;
  close(): Promise<void>;
}

/**
 * Builds recording: storage (S3 or local), the job queue, the service and — unless
 * RECORDING_WORKER=false — an in-process processing worker.
 */
export function createRecording(opts: {
  config: Config;
  db: DB;
  log: Logger;
  worker?: boolean;
  sourceFactory?: RecorderSourceFactory;
  notifier?: RecordingNotifier;
  polls?: PollRecordSource;
  quizzes?: QuizRecordSource;
  /** The class board and its documents, drawn into the composed video (absent: no board). */
  board?: BoardRecordSource;
}): RecordingModule {
  const { config, log } = opts;
  const settings = config.recording;
  const storage = createStorage(config.storage, config.dataDir);
  const jobs = new JobQueue(opts.db as unknown as Kysely<JobTables>);
  const repo = new RecordingsRepo(opts.db);
  const ffmpeg = findFfmpeg(settings);
  if (!ffmpeg) log.warn("ffmpeg was not found: recording is unavailable (install ffmpeg or set FFMPEG_PATH)");
  const nodeId = settings.nodeId ?? `${hostname()}:${config.dataDir}`;
  let worker: JobWorker | undefined;
  const service = new RecordingService({
    repo,
    storage,
    jobs,
    ffmpeg,
    log,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    nodeId,
    signingSecret: createHash("sha256").update(`recording-urls:${config.jwtSecret}`).digest("hex"),
    onEnqueue: () => worker?.wake(),
    sourceFactory: opts.sourceFactory,
    notifier: opts.notifier,
    polls: opts.polls,
    quizzes: opts.quizzes,
    board: opts.board,
    // Composed during the class for this server's own worker: a worker elsewhere reads only the track files.
    composeLive: settings.composeLive && (opts.worker ?? settings.worker),
  });
  const wantWorker = opts.worker ?? settings.worker;
  if (wantWorker && ffmpeg) {
    const processor = new Processor({
      repo,
      storage,
      ffmpeg,
      captureDir: (id) => service.captureDir(id),
      workDir: path.join(config.dataDir, "recordings-work"),
      log,
      board: opts.board,
      onProgress: (recordingId, roomId, status, progress, error) =>
        service.notify(roomId, "recording-progress", { roomId, recordingId, status, progress, error }, true),
    });
    worker = new JobWorker(jobs, {
      queue: PROCESS_QUEUE,
      handler: (ctx) => processor.handle(ctx),
      concurrency: settings.concurrency,
      leaseMs: 60_000,
      pollMs: 2_000,
      log,
    });
  }
  return {
    service,
    worker,
    storage,
    jobs,
    close: async () => {
      await service.stopAll();
      await worker?.stop();
    },
  };
}

declare module "fastify" {
  interface FastifyInstance {
    recording: RecordingModule;
  }
}

/**
 * Registers the REST routes (under /api/v1), recovery after a crash, and the worker's start;
 * the module itself is built (and stopped) by the composition root.
 */
export async function recordingPlugin(app: FastifyInstance, opts: { ctx: AppContext }) {
  const mod = opts.ctx.recording;
  app.decorate("recording", mod);
  await app.register(recordingRoutes, { prefix: "/api/v1", ctx: opts.ctx, service: mod.service });
  app.addHook("onReady", async () => {
    const ids = await mod.service.recover().catch((err) => {
      opts.ctx.log.error({ err }, "recording recovery failed");
      return [];
    });
    if (ids.length) opts.ctx.log.warn({ recordings: ids }, "recovered interrupted recordings");
    mod.worker?.start();
  });
}

/**
 * `vtp worker`: a processing-only process (no HTTP). Resolves with a stop function; the
 * caller handles signals.
 */
export async function runWorker(config: Config, opts: { log?: Logger } = {}): Promise<{ stop(): Promise<void> }> {
  const { openDatabase, migrate } = await import("../db/index.js");
  const pino = (await import("pino")).default;
  const log = opts.log ?? pino({ level: config.logLevel });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  // The board and its documents, read from the database and storage, for the composed video.
  const { boardHistory } = await import("../board/index.js");
  const { materialFiles } = await import("../materials/index.js");
  const { boardRecordSource } = await import("./board/index.js");
  const board = boardRecordSource(
    () => boardHistory(database.db),
    () => materialFiles({ db: database.db, storage: config.storage, dataDir: config.dataDir }),
  );
  const mod = createRecording({ config, db: database.db, log, worker: true, board });
  if (!mod.worker) throw new Error("ffmpeg was not found: a processing worker needs it (install ffmpeg or set FFMPEG_PATH)");
  mod.worker.start();
  log.info({ workerId: mod.worker.workerId }, "recording worker started");
  return {
    stop: async () => {
      await mod.worker?.stop();
      await database.close();
    },
  };
}
// Like fastify-plugin: the `recording` decoration is visible on the root instance.
(recordingPlugin as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
