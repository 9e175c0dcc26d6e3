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
import type { DatabaseHandle } from "./db/index.js";
import type { Mailer } from "./mail/index.js";
import type { MediaService } from "./media/index.js";
import { compose } from "./compose.js";
import { authRoutes, adminUserRoutes } from "./auth/routes.js";
import { rtcRoutes } from "./rtc/index.js";
import { frameworkErrors, registerErrorHandling, registerNotFound } from "./http/errors.js";
import { healthRoutes } from "./http/health.js";
import { adminStatusRoutes } from "./http/status.js";
import { registerValidation } from "./http/validation.js";
import { registerWebClient } from "./http/web.js";
import { registerMetrics } from "./metrics/index.js";
import { recordingPlugin } from "./recording/index.js";
import { roomRoutes } from "./rooms/index.js";
import { signallingRoutes } from "./signalling/index.js";
import { pollRoutes } from "./polls/index.js";
import { quizRoutes } from "./quizzes/index.js";
import { boardRoutes } from "./board/index.js";
import { recordRoutes } from "./record/index.js";
import { materialRoutes } from "./materials/index.js";
import { livePlugin } from "./live/index.js";
import { VERSION } from "./version.js";
import type { AppContext } from "./context.js";

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
 * `app.inject()`, `main` adds the port and the signal handling. The services come from
 * `compose`; here Fastify only gets its plugins and the routes over them, and runs the
 * composition's shutdown: the `live` steps before the HTTP server closes, `stores` after.
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
    frameworkErrors,
    // A plugin's start (recovery reads the database, workers start) took more than Fastify's 10 s on
    // a loaded 2-core CI machine ("Plugin did not start in time"); one that really hangs still fails.
    pluginTimeout: 60_000,
  });

  const { services, shutdown } = await compose(config, { httpServer: app.server, log, database: deps.database, mailer: deps.mailer, media: deps.media });
  app.decorate("ctx", services);
  app.addHook("preClose", () => shutdown.run("live"));
  app.addHook("onClose", () => shutdown.run("stores"));

  const ctx = services;
  registerErrorHandling(app);
  registerValidation(app);
  registerMetrics(app, { token: config.metricsToken, sources: services.metrics });
  // Live streams published through a CDN are fetched from its origin (hls.js; Safari plays it natively).
  const cdnOrigin = config.live.cdnUrl ? [new URL(config.live.cdnUrl).origin] : [];
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // WebAssembly may compile (the background segmentation and RNNoise, web media/effects); JavaScript eval stays off.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        mediaSrc: ["'self'", "blob:", ...cdnOrigin],
        connectSrc: ["'self'", "ws:", "wss:", ...cdnOrigin],
        workerSrc: ["'self'", "blob:"],
        manifestSrc: ["'self'"],
        // Over plain http (a LAN server) an upgrade would send every asset to an https port that does not answer.
        upgradeInsecureRequests: new URL(config.publicUrl).protocol === "https:" ? [] : null,
      },
    },
  });
  // Other origins get no CORS headers at all (not even Allow-Credentials).
  const corsOrigins = new Set(config.corsOrigins);
  await app.register(cors, { origin: (origin, cb) => cb(null, origin !== undefined && corsOrigins.has(origin) ? origin : false), credentials: true });
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
  await app.register(adminStatusRoutes, { prefix: "/api/v1/admin", ctx });
  await app.register(roomRoutes, { prefix: "/api/v1/rooms", ctx });
  await app.register(pollRoutes, { prefix: "/api/v1/rooms", ctx, polls: services.polls });
  await app.register(quizRoutes, { prefix: "/api/v1/rooms", ctx, quizzes: services.quizzes });
  await app.register(boardRoutes, { prefix: "/api/v1", ctx, board: services.board, materials: services.materials });
  await app.register(recordRoutes, { prefix: "/api/v1", ctx, record: services.record });
  await app.register(materialRoutes, { prefix: "/api/v1/rooms", ctx, materials: services.materials });
  await app.register(livePlugin, { ctx, live: services.live });
  await app.register(signallingRoutes, { prefix: "/api/v1/signalling", ctx });
  registerNotFound(app, { serveSpa: await registerWebClient(app, config) });

  return app;
}
