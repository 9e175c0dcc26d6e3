import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listeningApp, person, createRoom, joined, backends, type TestClient, type Person } from "../rooms/helpers.js";
import { startNodeProcess, TEST_SECRET } from "../media/helpers/modes.js";
import type { TestApp } from "../../helpers/app.js";
import { ConfigError, loadConfig } from "../../../apps/server/src/config/index.js";
import { runMediaNode } from "../../../apps/server/src/media/index.js";

const METRICS_TOKEN = "metrics-token-for-the-test-0123";

/** One sample of the Prometheus text exposition: the value of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([key, value]) => have[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string, token: string | null = METRICS_TOKEN): Promise<Response> {
  return fetch(`${url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

/** Metric families seen in any scrape of this file (app server and media node), for the dashboard check. */
const exposed = new Set<string>();

/** Scrapes until `ok(text)` holds (the counters of a response are updated just after it is sent). */
async function scrapeUntil(url: string, ok: (text: string) => boolean, token = METRICS_TOKEN): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = await (await scrape(url, token)).text();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) exposed.add(m[1]!);
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`metrics never matched; last scrape:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("METRICS_TOKEN is checked at start", () => {
  it("stops the app server's config and a media node on a short or spaced token", async () => {
    for (const bad of ["too-short", "a token with spaces in it"]) {
      expect(() => loadConfig({ METRICS_TOKEN: bad, JWT_SECRET: "x".repeat(40) }, { persistSecret: false })).toThrow(ConfigError);
      expect(() => loadConfig({ METRICS_TOKEN: bad, JWT_SECRET: "x".repeat(40) }, { persistSecret: false })).toThrow(/METRICS_TOKEN/);
      await expect(runMediaNode({ secret: TEST_SECRET, metricsToken: bad, host: "127.0.0.1", port: 0 })).rejects.toThrow(/METRICS_TOKEN/);
    }
    expect(loadConfig({ METRICS_TOKEN, JWT_SECRET: "x".repeat(40) }, { persistSecret: false }).metricsToken).toBe(METRICS_TOKEN);
  });
});

describe("GET /metrics on the app server", () => {
  it("answers 404 METRICS_DISABLED when METRICS_TOKEN is not set", async () => {
    const { t: testApp, url } = await listeningApp();
    try {
      const res = await scrape(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "METRICS_DISABLED", message: expect.any(String) } });
    } finally {
      await testApp.close();
    }
  });

  describe("with METRICS_TOKEN (and Redis)", () => {
    let testApp: TestApp;
    let url: string;
    let host: Person;
    const clients: TestClient[] = [];
    const [, redisEnv] = backends()[1]!;

    beforeAll(async () => {
      const media = { MEDIA_WORKERS: "1", MEDIA_WORKER_MODE: "inline", RTC_MIN_PORT: "43700", RTC_MAX_PORT: "43799" };
      ({ t: testApp, url } = await listeningApp({ METRICS_TOKEN, ...redisEnv, ...media }));
      host = await person(testApp, "teacher", "Mira Metrics");
    });
    afterAll(async () => {
      for (const c of clients) c.close();
      await testApp?.close();
    });

    it("refuses a scrape without the token or with another one (401, no numbers)", async () => {
      for (const token of [null, "another-token-of-the-same-len!!", METRICS_TOKEN.slice(0, -1)]) {
        const res = await scrape(url, token);
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const body = await res.text();
        expect(JSON.parse(body)).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
        expect(body).not.toContain("vtp_");
      }
      const basic = await fetch(`${url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}` } });
      expect(basic.status).toBe(401);
    });

    it("shows requests by route pattern, the class's socket, room and participant, the queue, the database and Redis", async () => {
      const room = await createRoom(testApp, host, { title: "Metrics 101" });
      for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
      const one = await fetch(`${url}/api/v1/rooms/${room.id}`, { headers: host.auth });
      expect(one.status).toBe(200);
      expect((await fetch(`${url}/api/v1/rooms/00000000-0000-4000-8000-000000000000`, { headers: host.auth })).status).toBe(404);
      expect((await fetch(`${url}/api/v1/no-such/${room.id}`)).status).toBe(404);
      const hostSession = await joined(url, host, room.id);
      clients.push(hostSession.c);
      await testApp.app.recording.jobs.enqueue("metrics-test-queue", { n: 1 });

      const text = await scrapeUntil(url, (scraped) => (sample(scraped, "vtp_http_requests_total", { route: "/health", status_code: "200" }) ?? 0) >= 3);
      expect(sample(text, "vtp_http_requests_total", { method: "GET", route: "/api/v1/rooms/:id", status_code: "200" })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "vtp_http_requests_total", { method: "GET", route: "/api/v1/rooms/:id", status_code: "404" })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "vtp_http_requests_total", { route: "(unmatched)", status_code: "404" })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "vtp_http_request_duration_seconds_count", { route: "/health", status_code: "200" })).toBeGreaterThanOrEqual(3);
      expect(sample(text, "vtp_http_request_duration_seconds_bucket", { route: "/health", status_code: "200", le: "+Inf" })).toBeGreaterThanOrEqual(3);
      // Route patterns only: no room id (or any raw URL) becomes a label.
      expect(text).not.toContain(room.id);

      expect(sample(text, "vtp_socketio_sockets_connected")).toBe(1);
      expect(sample(text, "vtp_rooms_live")).toBe(1);
      expect(sample(text, "vtp_participants_live", { state: "connected" })).toBe(1);
      expect(sample(text, "vtp_participants_live", { state: "reconnecting" })).toBe(0);
      expect(sample(text, "vtp_jobs", { queue: "metrics-test-queue", status: "queued" })).toBe(1);
      expect(sample(text, "vtp_jobs_oldest_age_seconds", { queue: "metrics-test-queue", status: "queued" })).toBeGreaterThanOrEqual(0);
      for (const status of ["recording", "processing", "ready", "failed"]) expect(sample(text, "vtp_recordings", { status })).toBe(0);
      expect(sample(text, "vtp_database_up")).toBe(1);
      expect(sample(text, "vtp_database_ping_seconds")).toBeGreaterThan(0);
      expect(sample(text, "vtp_database_open")).toBe(1);
      expect(sample(text, "vtp_database_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "vtp_database_connections", { state: "idle" })).toBeGreaterThanOrEqual(0);
      expect(sample(text, "vtp_database_connections", { state: "waiting" })).toBe(0);
      expect(sample(text, "vtp_redis_up")).toBe(1);
      expect(sample(text, "vtp_redis_ping_seconds")).toBeGreaterThan(0);
      expect(sample(text, "vtp_media_started")).toBe(0);
      for (const source of ["database", "rooms", "recordings", "jobs", "media", "redis"]) expect(sample(text, "vtp_metrics_source_up", { source })).toBe(1);
      expect(sample(text, "process_cpu_seconds_total")).toBeGreaterThan(0);
      expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);

      // The host's first media request starts the in-process media: its worker shows up.
      const transport = await hostSession.c.emit("create-transport", { direction: "send" });
      expect(transport).toMatchObject({ ok: true, direction: "send" });
      const withMedia = await scrapeUntil(url, (scraped) => sample(scraped, "vtp_media_transports", { shard: "w0" }) === 1);
      expect(sample(withMedia, "vtp_media_started")).toBe(1);
      expect(sample(withMedia, "vtp_media_shard_up", { shard: "w0" })).toBe(1);
      expect(sample(withMedia, "vtp_media_peers", { shard: "w0" })).toBe(1);
      expect(sample(withMedia, "vtp_media_rooms", { shard: "w0" })).toBe(1);

      // A second participant: the gauges follow.
      const student = await person(testApp, "student", "Sam Student");
      const studentSession = await joined(url, student, room.id);
      clients.push(studentSession.c);
      const two = await scrapeUntil(url, (scraped) => sample(scraped, "vtp_participants_live", { state: "connected" }) === 2);
      expect(sample(two, "vtp_socketio_sockets_connected")).toBe(2);

      // Nothing secret in the exposition.
      for (const secret of [METRICS_TOKEN, testApp.config.jwtSecret, host.accessToken, student.accessToken]) expect(two).not.toContain(secret);
    });
  });
});

describe("GET /metrics on a media node (vtp media)", () => {
  let node: Awaited<ReturnType<typeof startNodeProcess>>;
  beforeAll(async () => {
    node = await startNodeProcess(43500, { METRICS_TOKEN });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("takes the bearer token (not the media secret) and shows its workers' media", async () => {
    expect((await scrape(node.url, null)).status).toBe(401);
    const withSecretOnly = await fetch(`${node.url}/metrics`, { headers: { "x-media-secret": TEST_SECRET } });
    expect(withSecretOnly.status).toBe(401);
    // The media routes still want the media secret, not the metrics token.
    expect((await fetch(`${node.url}/health`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);

    const join = await fetch(`${node.url}/rooms/metrics-room/peers`, {
      method: "POST",
      headers: { "x-media-secret": TEST_SECRET, "content-type": "application/json" },
      body: JSON.stringify({ peerId: "peer-1", userId: "user-1" }),
    });
    expect(join.status).toBe(200);

    const text = await scrapeUntil(node.url, (scraped) => sample(scraped, "vtp_media_peers", { shard: "w0" }) === 1);
    expect(sample(text, "vtp_media_started")).toBe(1);
    expect(sample(text, "vtp_media_shard_up", { shard: "w0" })).toBe(1);
    expect(sample(text, "vtp_media_rooms", { shard: "w0" })).toBe(1);
    expect(sample(text, "vtp_media_transports", { shard: "w0" })).toBe(0);
    expect(sample(text, "vtp_media_packets_forwarded_total", { shard: "w0" })).toBe(0);
    expect(sample(text, "vtp_media_bytes_forwarded_total", { shard: "w0" })).toBe(0);
    expect(sample(text, "vtp_media_worker_event_loop_busy_seconds_total", { shard: "w0" })).toBeGreaterThan(0);
    expect(sample(text, "vtp_http_requests_total", { method: "POST", route: "/rooms/:roomId/peers", status_code: "200" })).toBe(1);
    expect(sample(text, "process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(text).not.toContain(TEST_SECRET);
    expect(text).not.toContain(METRICS_TOKEN);
  });
});

describe("the Grafana dashboard (ops/grafana/vtp-dashboard.json)", () => {
  it("is a dashboard model whose every query reads metrics the servers expose", () => {
    type Panel = { type?: string; targets: { refId: string; expr: string }[] };
    const dash = JSON.parse(readFileSync(new URL("../../../ops/grafana/vtp-dashboard.json", import.meta.url), "utf8")) as { panels: Panel[] };
    expect(dash).toMatchObject({ title: expect.any(String), uid: expect.any(String), schemaVersion: expect.any(Number), panels: expect.any(Array) });
    const queries = dash.panels.filter((p) => p.type !== "row");
    expect(queries.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const p of queries) {
      expect(p).toMatchObject({
        title: expect.any(String),
        gridPos: { h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) },
      });
      expect(p.targets.length).toBeGreaterThan(0);
      expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
      for (const t of p.targets) for (const m of t.expr.matchAll(/\b((?:vtp|process|nodejs)_[a-z0-9_]+)/g)) used.add(m[1]);
    }
    expect(exposed.size).toBeGreaterThan(20);
    const family = (name: string) => name.replace(/_(bucket|count|sum)$/, "");
    const missing = [...used].filter((name) => !exposed.has(name) && !exposed.has(family(name)));
    expect(missing).toEqual([]);
  });
});
