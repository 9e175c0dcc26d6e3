import { adminStatusRoutes } from "./http/status.js";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import helmet from "@fastify/helmet";
import cors from "@fastify/cors";
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { Logger } from "pino";
import { createLogger, RequestLogController } from "./logging.js";
import type { Config } from "./config/index.js";
import { openDatabase, migrate, type DatabaseHandle } from "./db/index.js";
import { createMailer, type Mailer } from "./mail/index.js";
import { AccountService } from "./auth/service.js";
import { PasswordHasher } from "./auth/passwords.js";
import { AccessTokens } from "./auth/tokens.js";
import { Authenticator } from "./auth/guard.js";
import { authRoutes, adminUserRoutes } from "./auth/routes.js";
import { rtcRoutes } from "./rtc/index.js";
import { registerErrorHandling, registerNotFound } from "./http/errors.js";
import { healthRoutes } from "./http/health.js";
import { registerValidation } from "./http/validation.js";
import { registerWebClient } from "./http/web.js";
import { registerMetrics, appMetricSources } from "./metrics/index.js";
import { recordingPlugin } from "./recording/index.js";
import { connectRecording } from "./recording/wire.js";
import { VERSION } from "./version.js";
import type { AppContext } from "./context.js";
import { RoomRecords, RoomService, roomRoutes } from "./rooms/index.js";
import { ChatService } from "./rooms/chat/index.js";
import { AttendanceService } from "./attendance/index.js";
import { SignallingServer, RoomStatsService, signallingRoutes, createLiveState, MediaBridge, refuseMediaEvents } from "./signalling/index.js";
import { createMediaService, type MediaService } from "./media/index.js";

export interface AppDeps {
  /** An open database; when absent, buildApp opens (and migrates) the configured one. */
  database?: DatabaseHandle;
  mailer?: Mailer;
  logger?: Logger;
  /** The SFU; when absent it is created on the first media socket event (VTP_MEDIA=off: never). */
  media?: MediaService;
}

declare module "fastify" {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export { createLogger };

/**
 * Builds the whole application without listening on a port: tests call it with
 * `app.inject()`, `main` adds the port and the signal handling.
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const log = deps.logger ?? createLogger(config);
  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: "x-request-id",
    logController: new RequestLogController(),
  });

  let database = deps.database;
  const ownsDatabase = !database;
  if (!database) {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrate(database);
  }
  const mailer = deps.mailer ?? createMailer({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, dataDir: config.dataDir, log });
  const access = new AccessTokens(config.jwtSecret);
  const accounts = new AccountService(database.db, mailer, access, new PasswordHasher(config.bcryptCost), config.publicUrl);
  const liveState = createLiveState(config);
  const roomRecords = new RoomRecords(database.db);
  const auth = new Authenticator(access, accounts.users);
  const chat = new ChatService(database.db, liveState, config.signalling.chatLimits);
  const attendance = new AttendanceService(database.db);
  const signalling = new SignallingServer({
    httpServer: app.server,
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
    redis: config.redisUrl ? { url: config.redisUrl, prefix: config.signalling.redisPrefix } : undefined,
  });
  const rooms = new RoomService(database.db, roomRecords, signalling.classroom);
  const mediaBridge =
    !config.media.enabled
      ? undefined
      : new MediaBridge(signalling, deps.media ? async () => deps.media! : () => createMediaService({ settings: config.media, log: log.child({ module: "media" }) }), { log, ownsMedia: !deps.media });
  if (!mediaBridge) refuseMediaEvents(signalling);
  if (mediaBridge && config.redisUrl && !deps.media && config.media.nodes.length === 0) {
    log.warn(
      "REDIS_URL is set (several app servers) but MEDIA_NODES is not: each server's in-process SFU only has the people connected to that server. " +
        "Run `vtp media` nodes and list them in MEDIA_NODES, or route every class to one server.",
    );
  }
  app.addHook("preClose", async () => {
    // Recordings first: their FFmpegs finalize while the media still flows.
    await app.recording?.service.stopAll();
    await signalling.close();
    await mediaBridge?.close();
  });
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    mailer,
    accounts,
    auth,
    log,
    rooms,
    chat,
    attendance,
    roomStats: new RoomStatsService(roomRecords, chat, liveState),
    signalling,
    startedAt: Date.now(),
    version: VERSION,
  };
  app.decorate("ctx", ctx);
  app.addHook("onClose", async () => {
    await mailer.close();
    if (ownsDatabase) await database!.close();
  });

  registerErrorHandling(app);
  registerValidation(app);
  registerMetrics(app, { token: config.metricsToken, sources: appMetricSources({ ctx, media: mediaBridge, recording: () => app.recording }) });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        mediaSrc: ["'self'", "blob:"],
        connectSrc: ["'self'", "ws:", "wss:"],
        workerSrc: ["'self'", "blob:"],
      },
    },
  });
  await app.register(cors, { origin: config.corsOrigins, credentials: true });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: { code: "RATE_LIMITED", message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s` },
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "VTP — Video Teaching Platform API", version: VERSION, description: "Errors are always `{ error: { code, message, details? } }`." },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { ctx });
  await app.register(authRoutes, { prefix: "/api/v1/auth", ctx });
  await app.register(adminUserRoutes, { prefix: "/api/v1/admin", ctx });
  await app.register(rtcRoutes, { prefix: "/api/v1/rtc", ctx });
  await app.register(recordingPlugin, { ctx });
  connectRecording({ service: app.recording.service, signalling, media: mediaBridge ? () => mediaBridge.service() : undefined, log });
  await app.register(adminStatusRoutes, { prefix: "/api/v1/admin", ctx, media: mediaBridge, recording: app.recording });
  await app.register(roomRoutes, { prefix: "/api/v1/rooms", ctx });
  await app.register(signallingRoutes, { prefix: "/api/v1/signalling", ctx });
  registerNotFound(app, { serveSpa: await registerWebClient(app, config) });

  return app;
}
