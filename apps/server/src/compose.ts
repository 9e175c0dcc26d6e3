import { randomUUID } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import type { Config } from "./config/index.js";
import { openDatabase, migrate, type DatabaseHandle } from "./db/index.js";
import { createMailer, type Mailer } from "./mail/index.js";
import { AccountService } from "./auth/service.js";
import { PasswordHasher } from "./auth/passwords.js";
import { AccessTokens } from "./auth/tokens.js";
import { Authenticator } from "./auth/guard.js";
import { UsersRepo } from "./auth/users-repo.js";
import { RoomRecords, RoomService } from "./rooms/index.js";
import { ChatService } from "./rooms/chat/index.js";
import { AttendanceNode, AttendanceService } from "./attendance/index.js";
import { MediaTimeLog } from "./attendance/media-time.js";
import { MediaTimeTracker } from "./attendance/media-time-tracker.js";
import { SignallingServer, RoomStatsService, createLiveState, MediaBridge, refuseMediaEvents } from "./signalling/index.js";
import { createMediaService, type MediaService } from "./media/index.js";
import { createRecording } from "./recording/index.js";
import { boardRecordSource } from "./recording/board/index.js";
import { connectRecording, mediaRecorderSources, roomNotifier } from "./recording/wire.js";
import { createPolls, type PollService } from "./polls/index.js";
import { createQuizzes, type QuizService } from "./quizzes/index.js";
import { createBoard, type BoardService } from "./board/index.js";
import { breakoutMediaRooms, createBreakout, createBreakoutStore } from "./breakout/index.js";
import { RecordService } from "./record/index.js";
import { createLive, type LiveService } from "./live/index.js";
import { createMaterials, type MaterialService } from "./materials/index.js";
import { MediaLoadRepo, MediaLoadSampler } from "./media-load/index.js";
import { appMetricSources, mediaStatsByShard, type AppMetricSources } from "./metrics/index.js";
import { VERSION } from "./version.js";
import type { AppContext } from "./context.js";

export interface ComposeDeps {
  /** The HTTP server Socket.IO attaches to (Fastify's; it need not listen yet). */
  httpServer: HttpServer;
  log: Logger;
  /** An open, migrated database; when absent, compose opens and migrates the configured one and closes it last. */
  database?: DatabaseHandle;
  mailer?: Mailer;
  /** The SFU; when absent it is created on the first media socket event (VTP_MEDIA=off: never). */
  media?: MediaService;
}

/** Everything the app is made of: the routes' context and what /metrics reads. */
export interface Services extends AppContext {
  metrics: AppMetricSources;
  /** Polls in class (their routes get it; the recording's replay reads `pollsBetween`). */
  polls: PollService;
  /** Quizzes in class (their routes get it; the class record reads `scoresOf`). */
  quizzes: QuizService;
  /** The class record, the admin overview and one person's data (their routes get it). */
  record: RecordService;
  /** The class board (its routes get it; the annotated export reads `pageElementsOfSurface`, the replay `boardOpsBetween`). */
  board: BoardService;
  /** Class materials (PDFs, converted office documents) and their annotated export. */
  materials: MaterialService;
  /** The media load sampler (a timer; the admin overview reads what it wrote). */
  mediaLoad: MediaLoadSampler;
  /** Live streaming of classes (its routes get it). */
  live: LiveService;
}

/**
 * When a shutdown step runs: `live` while the HTTP server still answers (recordings finalize
 * while media flows, sockets are told to go), `stores` after it closed (jobs, mail, database).
 */
export type ShutdownPhase = "live" | "stores";

export interface ShutdownStep {
  name: string;
  phase: ShutdownPhase;
  run(): Promise<void>;
}

export interface Shutdown {
  /** Every step, in the order it runs. */
  readonly steps: readonly ShutdownStep[];
  /** Runs one phase's steps in order; `onStep` hears each step's name before it runs. */
  run(phase: ShutdownPhase, onStep?: (name: string) => void): Promise<void>;
}

/**
 * The composition root: builds every service once, by constructor injection in dependency
 * order, and declares the order they stop in. Fastify (buildApp) only registers routes over
 * the result; nothing is wired after construction elsewhere.
 */
export async function compose(config: Config, deps: ComposeDeps): Promise<{ services: Services; shutdown: Shutdown }> {
  const { log } = deps;
  const ownsDatabase = !deps.database;
  const database = deps.database ?? (await openMigrated(config));
  const db = database.db;
  const mailer = deps.mailer ?? createMailer({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, dataDir: config.dataDir, log });

  const access = new AccessTokens(config.jwtSecret);
  const auth = new Authenticator(access, new UsersRepo(db));

  const liveState = createLiveState(config);
  const roomRecords = new RoomRecords(db);
  const chat = new ChatService(db, liveState, config.signalling.chatLimits);
  // This process among the app servers: signalling's node in the live state, and the holder of the attendance sessions it opens.
  const nodeId = randomUUID();
  const attendance = new AttendanceService(db, nodeId);
  const attendanceNode = new AttendanceNode(db, nodeId, { log, sharedLiveState: liveState.kind === "redis" });
  await attendanceNode.start();
  const signalling = new SignallingServer({
    httpServer: deps.httpServer,
    auth,
    rooms: roomRecords,
    chat,
    attendance,
    state: liveState,
    log,
    corsOrigins: config.corsOrigins,
    reconnectGraceSeconds: config.reconnectGraceSeconds,
    nodeTimeoutSeconds: config.nodeTimeoutSeconds,
    socketEventRate: config.signalling.socketEventRate,
    nodeId,
    redis: config.redisUrl ? { url: config.redisUrl, prefix: config.signalling.redisPrefix } : undefined,
  });
  // Disabling an account or changing its role ends its live connections (on every node).
  const accounts = new AccountService(db, mailer, access, new PasswordHasher(config.bcryptCost), config.publicUrl, {
    live: signalling,
    refreshReuseGraceSeconds: config.auth.refreshReuseGraceSeconds,
  });
  const rooms = new RoomService(db, roomRecords, signalling.classroom);
  const roomStats = new RoomStatsService(roomRecords, chat, liveState);

  // Talk time (the SFU's audio levels) and camera-on time of each attendance session.
  const mediaTime = config.media.enabled ? new MediaTimeTracker(new MediaTimeLog(db, log)) : undefined;
  // Breakout groups (issue 16): their media rooms are chosen by the bridge from the groups' store.
  const breakoutStore = createBreakoutStore(config);
  const mediaRoomOf = breakoutMediaRooms(breakoutStore);
  const media = config.media.enabled
    ? new MediaBridge(signalling, mediaFactory(config, deps), { log, ownsMedia: !deps.media, mediaTime, mediaRoomOf })
    : undefined;
  if (!media) refuseMediaEvents(signalling);
  if (media && config.redisUrl && !deps.media && config.media.nodes.length === 0) {
    log.warn(
      "REDIS_URL is set (several app servers) but MEDIA_NODES is not: each server's in-process SFU only has the people connected to that server. " +
        "Run `vtp media` nodes and list them in MEDIA_NODES, or route every class to one server.",
    );
  }

  const polls = createPolls({ db, signalling, state: liveState, secret: config.jwtSecret, log });
  await polls.start();
  const quizzes = createQuizzes({ db, signalling, state: liveState, log });
  await quizzes.start();
  const recording = createRecording({
    config,
    db,
    log,
    sourceFactory: media ? mediaRecorderSources(() => media.service(), log) : undefined,
    notifier: roomNotifier(signalling.out),
    polls,
    quizzes,
    // The board and its documents in the composed video (both are built just below).
    board: boardRecordSource(
      () => board,
      () => materials,
    ),
  });
  connectRecording({ service: recording.service, signalling });
  // Live streaming: the stream joins the room's media as the recorder does.
  const live = createLive({ config, db, log, sourceFactory: media ? mediaRecorderSources(() => media.service(), log) : undefined, signalling });
  // A deleted class's recordings go with their files (their rows by cascade).
  rooms.onDeleting((roomId) => recording.service.classDeleting(roomId));
  // The board: its stage stays when a class ends (the next session continues).
  const board = createBoard({ db, signalling, log });
  const breakout = createBreakout({
    db,
    store: breakoutStore,
    signalling,
    media: media ? () => media.service() : undefined,
    marker: (roomId, label, userId) => recording.service.autoMarker(roomId, "breakout", label, userId),
    recording: recording.service,
    log,
  });
  // The board's drawings reach the annotated export (`drawings`).
  const materials = createMaterials({
    db,
    settings: config.materials,
    storage: config.storage,
    dataDir: config.dataDir,
    signalling,
    rooms,
    log,
    drawings: () => board,
  });

  const ctx: AppContext = {
    config,
    database,
    db,
    mailer,
    accounts,
    auth,
    log,
    liveState,
    roomRecords,
    rooms,
    chat,
    attendance,
    roomStats,
    signalling,
    media,
    recording,
    startedAt: Date.now(),
    version: VERSION,
  };
  const metrics = appMetricSources({ ctx, media, recording: () => recording });
  // The admin overview's media load per day: this server's reading of the media it uses, once a minute.
  const mediaLoad = new MediaLoadSampler(
    new MediaLoadRepo(db),
    async () => {
      const started = await metrics.media();
      return started ? mediaStatsByShard(started) : undefined;
    },
    config.mediaLoad,
    nodeId,
    log,
  );
  mediaLoad.start();
  const services: Services = {
    ...ctx,
    polls,
    quizzes,
    board,
    record: new RecordService(db, quizzes),
    materials,
    metrics,
    mediaLoad,
    live,
  };

  const steps: ShutdownStep[] = [
    // Recordings first: their FFmpegs finalize while the media still flows.
    { name: "recordings", phase: "live", run: () => recording.service.stopAll() },
    { name: "live streams", phase: "live", run: () => live.stopAll() },
    { name: "poll timers", phase: "live", run: async () => polls.stop() },
    { name: "quiz timers", phase: "live", run: async () => quizzes.stop() },
    { name: "office conversions", phase: "live", run: async () => materials.stop() },
    { name: "media load sampler", phase: "live", run: () => mediaLoad.stop() },
    { name: "signalling", phase: "live", run: () => signalling.close() },
    // After signalling: its last leaves still read the groups' store.
    { name: "breakout timers", phase: "live", run: () => breakout.stop() },
    // A stroke's last version that waits for the history (board/strokeHistory.ts) is kept.
    { name: "board history", phase: "live", run: () => board.flushHistory() },
    { name: "media", phase: "live", run: async () => media?.close() },
    { name: "recording jobs", phase: "stores", run: () => recording.close() },
    { name: "mail", phase: "stores", run: () => mailer.close() },
    { name: "attendance heartbeat", phase: "stores", run: () => attendanceNode.stop() },
    // Last: recording jobs write their state on the way out.
    { name: "database", phase: "stores", run: async () => (ownsDatabase ? database.close() : undefined) },
  ];
  const shutdown: Shutdown = {
    steps,
    async run(phase, onStep) {
      for (const step of steps) {
        if (step.phase !== phase) continue;
        onStep?.(step.name);
        log.debug({ step: step.name }, "shutdown step");
        await step.run();
      }
    },
  };
  return { services, shutdown };
}

async function openMigrated(config: Config): Promise<DatabaseHandle> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, settings: config.database });
  await migrate(database);
  return database;
}

function mediaFactory(config: Config, deps: ComposeDeps): () => Promise<MediaService> {
  const given = deps.media;
  if (given) return async () => given;
  return () => createMediaService({ settings: config.media, log: deps.log.child({ module: "media" }) });
}
