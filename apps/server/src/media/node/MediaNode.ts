import { randomUUID, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { AppError } from "../../errors/index.js";
import { mediaConfigFromEnv, type MediaConfig } from "../config.js";
import { startLocalMedia } from "../LocalMedia.js";
import type { MediaService } from "../MediaService.js";
import type { MediaEvent } from "../types.js";
import { checkMetricsToken, metricsAccess } from "../../metrics/token.js";
import { nodeMetrics } from "../../metrics/node.js";

export interface MediaNodeOptions {
  /** Interface to listen on (default MEDIA_HOST or "0.0.0.0"). */
  host?: string;
  /** TCP port of the HTTP API (default MEDIA_PORT or 4000; 0 = any free port). */
  port?: number;
  /** Shared secret expected in the `x-media-secret` header (default MEDIA_SECRET; required). */
  secret?: string;
  /** Environment to read the media settings from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the media settings (workers, ports, announced IP...). */
  config?: Partial<MediaConfig>;
  /** Bearer token for GET /metrics (default METRICS_TOKEN; without one /metrics answers 404). */
  metricsToken?: string;
  /** Log requests with pino (default false). */
  logger?: boolean;
}

export interface MediaNodeHandle {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  media: MediaService;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const MEDIA_SECRET_HEADER = "x-media-secret";
const EVENT_BUFFER = 2000;

interface SseClient {
  reply: FastifyReply;
}

/**
 * `vtp media`: a standalone media node. Runs the in-process media workers and serves the seed's
 * mediasoup-style REST API over them, plus `GET /events` (server-sent events) for the app
 * servers. Every route requires the shared secret header. Errors: `{ error: { code, message } }`.
 */
export async function runMediaNode(options: MediaNodeOptions = {}): Promise<MediaNodeHandle> {
  const env = options.env ?? process.env;
  const secret = options.secret ?? env.MEDIA_SECRET;
  if (!secret || secret.length < 16) throw new Error("MEDIA_SECRET (at least 16 characters) is required for a media node");
  const host = options.host ?? env.MEDIA_HOST ?? "0.0.0.0";
  const port = options.port ?? Number(env.MEDIA_PORT ?? 4000);
  const metricsToken = checkMetricsToken(options.metricsToken ?? env.METRICS_TOKEN);
  const media = await startLocalMedia(mediaConfigFromEnv(env, options.config), env.MEDIA_FAST_PATH !== "0");
  const secretBuf = Buffer.from(secret);
  const bootId = randomUUID();

  // Event log for SSE replay after a reconnect (Last-Event-ID).
  let seq = 0;
  const log: { id: number; event: MediaEvent }[] = [];
  const clients = new Set<SseClient>();
  const unsubscribe = media.onEvent((event) => {
    const entry = { id: ++seq, event };
    log.push(entry);
    if (log.length > EVENT_BUFFER) log.shift();
    const frame = `id: ${entry.id}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const c of clients) c.reply.raw.write(frame);
  });

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 512 * 1024 });

  const metrics = nodeMetrics(app, media);
  app.addHook("onRequest", async (req) => {
    if (req.url.split("?")[0] === "/metrics") return; // its own bearer token (METRICS_TOKEN)
    const given = req.headers[MEDIA_SECRET_HEADER];
    const buf = Buffer.from(typeof given === "string" ? given : "");
    if (buf.length !== secretBuf.length || !timingSafeEqual(buf, secretBuf)) {
      throw new AppError(401, "UNAUTHORIZED", `Missing or wrong ${MEDIA_SECRET_HEADER} header`);
    }
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send({ error: err.toBody() });
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode < 500) {
      const code = e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "UNSUPPORTED_MEDIA_TYPE" : e.statusCode === 413 ? "PAYLOAD_TOO_LARGE" : "INVALID_JSON";
      return reply.status(e.statusCode).send({ error: { code, message: e.message ?? "Bad request" } });
    }
    app.log.error(err);
    return reply.status(500).send({ error: { code: "INTERNAL_ERROR", message: "Internal error" } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `No route ${req.method} ${req.url}` } }),
  );

  type Req = FastifyRequest<{ Params: Record<string, string>; Body: Record<string, any> | undefined }>;
  const body = (req: Req): Record<string, any> => {
    const b = req.body;
    if (b === undefined || b === null) return {};
    if (typeof b !== "object" || Array.isArray(b)) throw new AppError(400, "VALIDATION_FAILED", "The body must be a JSON object");
    return b;
  };
  const ok = { ok: true };

  app.get("/metrics", async (req, reply) => {
    if (!metricsAccess(metricsToken, req, reply)) return reply;
    return reply.header("content-type", metrics.contentType).send(await metrics.read());
  });
  app.get("/health", async () => ({ ...(await media.health()), bootId }));
  app.get("/stats", async () => media.stats());
  app.get("/rooms", async () => ({ rooms: await media.listRooms() }));
  app.get("/rooms/:roomId", async (req: Req) => media.getRoom(req.params.roomId));
  app.post("/rooms/:roomId/peers", async (req: Req) => {
    const b = body(req);
    return media.joinPeer(req.params.roomId, b.peerId, b.userId);
  });
  app.post("/rooms/:roomId/peers/:peerId/leave", async (req: Req) => {
    await media.leavePeer(req.params.roomId, req.params.peerId);
    return ok;
  });
  app.post("/rooms/:roomId/peers/:peerId/producers/close", async (req: Req) => {
    const b = body(req);
    if (b.sources !== undefined && !Array.isArray(b.sources)) throw new AppError(400, "VALIDATION_FAILED", "sources must be an array");
    return { producerIds: await media.closeProducersOf(req.params.roomId, req.params.peerId, b.sources ? { sources: b.sources } : undefined) };
  });
  app.post("/rooms/:roomId/transports", async (req: Req) => {
    const b = body(req);
    return media.createTransport(req.params.roomId, b.peerId, b.direction);
  });
  app.post("/rooms/:roomId/transports/:transportId/connect", async (req: Req) => {
    const b = body(req);
    return media.connectTransport(req.params.roomId, b.peerId, req.params.transportId, b.description);
  });
  app.post("/rooms/:roomId/producers", async (req: Req) => {
    const b = body(req);
    return media.produce(req.params.roomId, b.peerId, { transportId: b.transportId, kind: b.kind, source: b.source, mid: b.mid });
  });
  app.post("/rooms/:roomId/producers/:producerId/close", async (req: Req) => {
    await media.closeProducer(req.params.roomId, req.params.producerId, body(req).peerId);
    return ok;
  });
  app.post("/rooms/:roomId/consumers", async (req: Req) => {
    const b = body(req);
    return media.consume(req.params.roomId, b.peerId, { producerId: b.producerId, transportId: b.transportId });
  });
  app.post("/rooms/:roomId/consumers/:consumerId/close", async (req: Req) => {
    await media.closeConsumer(req.params.roomId, req.params.consumerId, body(req).peerId);
    return ok;
  });
  app.post("/rooms/:roomId/consumers/:consumerId/layer", async (req: Req) => {
    await media.setPreferredLayer(req.params.roomId, req.params.consumerId, body(req).layer);
    return ok;
  });
  app.post("/rooms/:roomId/consumers/:consumerId/keyframe", async (req: Req) => {
    await media.requestKeyFrame(req.params.roomId, req.params.consumerId);
    return ok;
  });
  app.get("/events", (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-media-boot-id": bootId,
    });
    reply.raw.write(`event: hello\ndata: ${JSON.stringify({ bootId })}\n\n`);
    const last = Number(req.headers["last-event-id"]);
    if (Number.isInteger(last) && last > 0) {
      for (const e of log) if (e.id > last) reply.raw.write(`id: ${e.id}\ndata: ${JSON.stringify(e.event)}\n\n`);
    }
    const client: SseClient = { reply };
    clients.add(client);
    const ping = setInterval(() => reply.raw.write(": ping\n\n"), 15_000);
    req.raw.on("close", () => {
      clearInterval(ping);
      clients.delete(client);
    });
  });

  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (err) {
    unsubscribe();
    await media.close();
    throw err;
  }
  const actualPort = (app.server.address() as { port: number }).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  void address;
  return {
    url: `http://${shownHost}:${actualPort}`,
    port: actualPort,
    media,
    app,
    async close() {
      unsubscribe();
      for (const c of clients) c.reply.raw.end();
      clients.clear();
      await app.close();
      await media.close();
    },
  };
}
