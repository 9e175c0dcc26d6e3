import { rmSync } from "node:fs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../../apps/server/src/app.js";
import { openDatabase, migrate } from "../../../apps/server/src/db/index.js";
import { ConfigError, loadConfig } from "../../../apps/server/src/config/index.js";
import { createTestApp, MemoryMailer, signUp, testConfig, type TestApp } from "../../helpers/app.js";
import { createPgDatabase } from "../../helpers/db.js";
import { TcpProxy } from "../../helpers/tcp-proxy.js";
import { createRoom, TestClient, type Person } from "../rooms/helpers.js";

/**
 * The database goes away under a running server: a TCP proxy in front of the machine's
 * PostgreSQL (a throwaway database, dropped after) refuses connections (database down) or
 * swallows every byte (a stopped PostgreSQL process). REST and socket events answer 503
 * DATABASE_UNAVAILABLE with Retry-After, quickly, and /health answers within a second.
 */
const PG = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let proxy: TcpProxy;
let dropDb: () => Promise<void>;
let app: FastifyInstance;
let testApp: TestApp;
let url: string;
let teacher: Person & { email: string; password: string };
let roomId: string;
let client: TestClient;

beforeAll(async () => {
  const created = await createPgDatabase(PG);
  dropDb = created.drop;
  const target = new URL(created.url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const env = { DATABASE_STATEMENT_TIMEOUT_MS: "1000", DATABASE_CONNECT_TIMEOUT_MS: "1000", DATABASE_HEALTH_TIMEOUT_MS: "500" };
  const database = await openDatabase({ databaseUrl: proxy.url(created.url), dataDir: "", settings: testConfig(env).database });
  await migrate(database);
  testApp = await createTestApp(env, { database });
  app = testApp.app;
  await app.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  teacher = (await signUp(testApp, { role: "teacher", fullName: "Ada Teacher" })) as Person & { email: string; password: string };
  roomId = (await createRoom(testApp, teacher)).id;
  client = await TestClient.connect(url, teacher.accessToken);
}, 60_000);

afterAll(async () => {
  client?.close();
  await proxy?.restore();
  await testApp?.close();
  await proxy?.close();
  await dropDb?.();
});

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await action();
  return { value, ms: Date.now() - start };
}

async function untilHealthy() {
  for (let i = 0; i < 100; i++) {
    const response = await app.inject({ method: "GET", url: "/health" });
    if (response.statusCode === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error("the server did not become healthy again");
}

describe("database outages", () => {
  it("database down: REST and socket events answer 503 DATABASE_UNAVAILABLE with Retry-After, and recover", async () => {
    expect((await app.inject({ method: "GET", url: "/api/v1/rooms", headers: teacher.auth })).statusCode).toBe(200);
    await proxy.refuse();

    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(503);
    expect(health.json().database).toBe("down");

    const rest = await app.inject({ method: "GET", url: "/api/v1/rooms", headers: teacher.auth });
    expect(rest.statusCode).toBe(503);
    expect(rest.json().error.code).toBe("DATABASE_UNAVAILABLE");
    expect(Number(rest.headers["retry-after"])).toBeGreaterThan(0);

    const login = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: teacher.email, password: teacher.password } });
    expect(login.statusCode).toBe(503);
    expect(login.json().error.code).toBe("DATABASE_UNAVAILABLE");

    const ack = await client.emit("join-room", { roomId });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe("DATABASE_UNAVAILABLE");

    await proxy.restore();
    await untilHealthy();
    expect((await app.inject({ method: "GET", url: "/api/v1/rooms", headers: teacher.auth })).statusCode).toBe(200);
  }, 60_000);

  it("database hung (no bytes come back): /health answers within a second, requests fail fast with 503", async () => {
    proxy.freeze();
    try {
      const health = await timed(() => app.inject({ method: "GET", url: "/health" }));
      expect(health.value.statusCode).toBe(503);
      expect(health.ms).toBeLessThan(1000);

      const rest = await timed(() => app.inject({ method: "GET", url: "/api/v1/rooms", headers: teacher.auth }));
      expect(rest.value.statusCode).toBe(503);
      expect(rest.value.json().error.code).toBe("DATABASE_UNAVAILABLE");
      expect(rest.ms).toBeLessThan(4000);

      const ack = await timed(() => client.emit("join-room", { roomId }));
      expect(ack.value.error.code).toBe("DATABASE_UNAVAILABLE");
      expect(ack.ms).toBeLessThan(4000);

      // /health keeps answering in time while requests pile up on the frozen database.
      const again = await timed(() => app.inject({ method: "GET", url: "/health" }));
      expect(again.ms).toBeLessThan(1000);
    } finally {
      await proxy.restore();
    }
    await untilHealthy();
    expect((await app.inject({ method: "GET", url: "/api/v1/rooms", headers: teacher.auth })).statusCode).toBe(200);
  }, 60_000);
});

describe("embedded database closed under a running server", () => {
  it("answers 503 DATABASE_UNAVAILABLE, not 500", async () => {
    const config = testConfig();
    const database = await openDatabase({ dataDir: "", inMemory: true });
    await migrate(database);
    const mailer = new MemoryMailer();
    const embedded = await buildApp(config, { database, mailer, logger: pino({ level: "silent" }) });
    try {
      const someone = await signUp({ app: embedded, config, mailer, dataDir: config.dataDir, close: async () => {} }, { role: "teacher" });
      await database.close();
      const rest = await embedded.inject({ method: "GET", url: "/api/v1/rooms", headers: someone.auth });
      expect(rest.statusCode).toBe(503);
      expect(rest.json().error.code).toBe("DATABASE_UNAVAILABLE");
      expect((await embedded.inject({ method: "GET", url: "/health" })).statusCode).toBe(503);
    } finally {
      await embedded.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });
});

describe("database settings", () => {
  it("has defaults, and a bad value is reported at start with the others", () => {
    expect(testConfig().database).toEqual({ statementTimeoutMs: 5000, connectTimeoutMs: 3000, poolSize: 10, healthTimeoutMs: 800 });
    let problems: string[] = [];
    try {
      loadConfig(
        {
          VTP_DATA_DIR: "/tmp/unused",
          DATABASE_STATEMENT_TIMEOUT_MS: "0",
          DATABASE_CONNECT_TIMEOUT_MS: "soon",
          DATABASE_POOL_SIZE: "-1",
          DATABASE_HEALTH_TIMEOUT_MS: "1.5",
        },
        { persistSecret: false },
      );
    } catch (err) {
      problems = err instanceof ConfigError ? err.problems : [];
    }
    for (const name of ["DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_CONNECT_TIMEOUT_MS", "DATABASE_POOL_SIZE", "DATABASE_HEALTH_TIMEOUT_MS"]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        name,
      ).toBe(true);
    }
  });
});
