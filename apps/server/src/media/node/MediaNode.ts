import { randomUUID, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { AppError } from "../../errors/index.js";
import { registerErrorHandling, registerNotFound } from "../../http/errors.js";
import { mediaConfigFromEnv, type MediaConfig } from "../config.js";
import { startLocalMedia } from "../LocalMedia.js";
import type { MediaMethod, MediaService, PipeOperations } from "../MediaService.js";
import type { MediaEvent } from "../types.js";
import { MEDIA_METHODS, describeMethod } from "../rpc/table.js";
import { fromHttpRequest, toHttpResult } from "../rpc/http.js";
import { checkMediaArgs } from "../rpc/validate.js";
import { defaultMediaLogger, type MediaLogger } from "../log.js";
import { checkMetricsToken, metricsAccess } from "../../metrics/token.js";
import { nodeMetrics } from "../../metrics/node.js";
import type { ShardStats } from "../../metrics/media.js";

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
  /** Where the media layer logs (default: pino on stdout at LOG_LEVEL). */
  log?: MediaLogger;
  /** Serve this service instead of starting media workers (tests of the HTTP surface). */
  media?: MediaService & PipeOperations & { statsByShard(): Promise<ShardStats[]> };
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
 * `vtp media`: a standalone media node. Runs the in-process media workers and serves the media
 * operations over them, one route each as the media RPC table says (rpc/table.ts), plus
 * `GET /events` (server-sent events) for the app servers. Every route requires the shared secret
 * header. Errors go through the app's one error mapper: `{ error: { code, message } }`.
 */
export async function runMediaNode(options: MediaNodeOptions = {}): Promise<MediaNodeHandle> {
  const env = options.env ?? process.env;
  const secret = options.secret ?? env.MEDIA_SECRET;
  if (!secret || secret.length < 16) throw new Error("MEDIA_SECRET (at least 16 characters) is required for a media node");
  const host = options.host ?? env.MEDIA_HOST ?? "0.0.0.0";
  const port = options.port ?? Number(env.MEDIA_PORT ?? 4000);
  const metricsToken = checkMetricsToken(options.metricsToken ?? env.METRICS_TOKEN);
  const log = options.log ?? defaultMediaLogger();
  const media = options.media ?? (await startLocalMedia(mediaConfigFromEnv(env, options.config), env.MEDIA_FAST_PATH !== "0", log));
  const secretBuf = Buffer.from(secret);
  const bootId = randomUUID();

  // Event log for SSE replay after a reconnect (Last-Event-ID).
  let seq = 0;
  const replay: { id: number; event: MediaEvent }[] = [];
  const clients = new Set<SseClient>();
  const unsubscribe = media.onEvent((event) => {
    const entry = { id: ++seq, event };
    replay.push(entry);
    if (replay.length > EVENT_BUFFER) replay.shift();
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
      throw new AppError("UNAUTHORIZED", `Missing or wrong ${MEDIA_SECRET_HEADER} header`);
    }
  });

  registerErrorHandling(app);
  registerNotFound(app, { serveSpa: false });

  app.get("/metrics", async (req, reply) => {
    if (!metricsAccess(metricsToken, req, reply)) return reply;
    return reply.header("content-type", metrics.contentType).send(await metrics.read());
  });
  // The media operations, one route each as the RPC table says; arguments checked against its schemas.
  const nodeFields: Partial<Record<MediaMethod, () => object>> = { health: () => ({ bootId }) };
  for (const method of MEDIA_METHODS) {
    const { verb, path } = describeMethod(method).http;
    const handler = async (req: FastifyRequest<{ Params: Record<string, string> }>) => {
      const args = checkMediaArgs(method, fromHttpRequest(method, req.params, req.body));
      const result = await (media[method] as (...callArgs: unknown[]) => Promise<unknown>).apply(media, args);
      const body = toHttpResult(method, result);
      const extra = nodeFields[method];
      return extra ? { ...(body as object), ...extra() } : body;
    };
    if (verb === "GET") app.get(path, handler);
    else app.post(path, handler);
  }
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
      for (const e of replay) if (e.id > last) reply.raw.write(`id: ${e.id}\ndata: ${JSON.stringify(e.event)}\n\n`);
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
