import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { buildInfo, registerHttpMetrics } from "./http.js";
import { MediaMetrics, mediaStatsByShard } from "./media.js";
import { MediaSpreadMetrics, mediaSpreadOf } from "./mediaSpread.js";
import { metricsAccess } from "./token.js";
import type { AppMetricSources } from "./sources.js";

export { appMetricSources, type AppMetricSources } from "./sources.js";
export { metricsAccess, checkMetricsToken } from "./token.js";
export { MediaMetrics, mediaStatsByShard } from "./media.js";
export { mediaSpreadOf, type MediaSpread } from "./mediaSpread.js";

/** A source that does not answer within this long counts as down for this scrape. */
const SOURCE_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), SOURCE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function timed<T>(source: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await withTimeout(source());
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/**
 * GET /metrics (Prometheus text format) on the app server, when METRICS_TOKEN is set and given as
 * a bearer token. Call before the routes' plugins are registered (the HTTP hooks must reach
 * them). Numbers read from the database and the live state are the whole cluster's (every app
 * server reports the same: use max(), not sum()); HTTP, sockets, media and process metrics are
 * this process's. Metric names: README "Monitoring".
 */
export function registerMetrics(app: FastifyInstance, opts: { token: string | undefined; sources: AppMetricSources }): void {
  const { token, sources } = opts;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  registerHttpMetrics(app, registry);
  buildInfo(registry, sources.version);
  const sourceUp = new Gauge({ name: "vtp_metrics_source_up", help: "1 when the source answered this scrape", labelNames: ["source"], registers });
  const sockets = new Gauge({ name: "vtp_socketio_sockets_connected", help: "Socket.IO sockets connected to this process", registers });
  const rooms = new Gauge({ name: "vtp_rooms_live", help: "Live rooms in the cluster", registers });
  const participants = new Gauge({
    name: "vtp_participants_live",
    help: "Participants in live rooms, connected or in their reconnect grace",
    labelNames: ["state"],
    registers,
  });
  const recordings = new Gauge({ name: "vtp_recordings", help: "Recordings by status", labelNames: ["status"], registers });
  const jobs = new Gauge({ name: "vtp_jobs", help: "Background jobs by queue and status", labelNames: ["queue", "status"], registers });
  const jobAge = new Gauge({
    name: "vtp_jobs_oldest_age_seconds",
    help: "Age of the oldest job waiting (queued) or running, by queue",
    labelNames: ["queue", "status"],
    registers,
  });
  const dbUp = new Gauge({ name: "vtp_database_up", help: "1 when the database answered select 1", registers });
  const dbPing = new Gauge({ name: "vtp_database_ping_seconds", help: "Latency of select 1 through the connection pool", registers });
  const dbConnections = new Gauge({
    name: "vtp_database_connections",
    help: "Database connections: total open, idle, and requests waiting for one (PostgreSQL's pool; embedded PGlite: its one connection)",
    labelNames: ["state"],
    registers,
  });
  const dbOpen = new Gauge({
    name: "vtp_database_open",
    help: "1 while this process's database handle is open (for PGlite: the embedded database)",
    registers,
  });
  const media = new MediaMetrics(registry);
  const mediaSpread = new MediaSpreadMetrics(registry);
  let redisProbe: { redis: Redis; up: Gauge; ping: Gauge } | undefined;
  if (sources.redisUrl) {
    const redis = new Redis(sources.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    redis.on("error", () => {
      /* reported as vtp_redis_up 0 */
    });
    redisProbe = {
      redis,
      up: new Gauge({ name: "vtp_redis_up", help: "1 when Redis answered PING", registers }),
      ping: new Gauge({ name: "vtp_redis_ping_seconds", help: "Latency of a Redis PING", registers }),
    };
  }
  const probe = redisProbe;
  app.addHook("onClose", async () => {
    probe?.redis.disconnect();
  });

  const read = async (source: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
      sourceUp.set({ source }, 1);
    } catch (err) {
      sourceUp.set({ source }, 0);
      app.log.warn({ err, source }, "a metrics source did not answer");
    }
  };

  /** Reads every source once (in parallel) and sets the gauges; scrapes at the same time share it. */
  let inFlight: Promise<unknown> | undefined;
  const refresh = () => {
    inFlight ??= readAll().finally(() => (inFlight = undefined));
    return inFlight;
  };
  const readAll = () =>
    Promise.all([
      read("database", async () => {
        dbUp.set(0);
        const { value, seconds } = await timed(() => sources.databasePing());
        dbUp.set(value ? 1 : 0);
        if (value) dbPing.set(seconds);
        else throw new Error("select 1 failed");
      }),
      read("rooms", async () => {
        const live = await withTimeout(sources.liveRooms());
        rooms.set(live.length);
        participants.set(
          { state: "connected" },
          live.reduce((n, r) => n + r.participantsOnline, 0),
        );
        participants.set(
          { state: "reconnecting" },
          live.reduce((n, r) => n + r.participantsReconnecting, 0),
        );
      }),
      read("recordings", async () => {
        const counts = await withTimeout(sources.recordingsByStatus());
        recordings.reset();
        for (const [status, n] of Object.entries(counts)) recordings.set({ status }, n);
      }),
      read("jobs", async () => {
        const depth = await withTimeout(sources.jobs());
        jobs.reset();
        jobAge.reset();
        for (const d of depth) {
          jobs.set({ queue: d.queue, status: d.status }, d.count);
          if (d.status === "queued" || d.status === "running") jobAge.set({ queue: d.queue, status: d.status }, d.oldestAgeSeconds);
        }
      }),
      read("media", async () => {
        const service = await withTimeout(sources.media());
        media.update(service ? await withTimeout(mediaStatsByShard(service)) : undefined);
        mediaSpread.update(service ? await withTimeout(mediaSpreadOf(service)) : undefined);
      }),
      probe
        ? read("redis", async () => {
            probe.up.set(0);
            const { seconds } = await timed(() => probe.redis.ping());
            probe.up.set(1);
            probe.ping.set(seconds);
          })
        : undefined,
    ]);

  app.get("/metrics", { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAccess(token, req, reply)) return reply;
    sockets.set(sources.socketsConnected());
    const now = sources.databasePool();
    for (const state of ["total", "idle", "waiting"] as const) dbConnections.set({ state }, now[state]);
    dbOpen.set(now.open ? 1 : 0);
    await refresh();
    return reply
      .header("content-type", registry.contentType)
      .header("cache-control", "no-store")
      .send(await registry.metrics());
  });
}
