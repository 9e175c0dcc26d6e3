import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAdmin, type TestApp } from "../../helpers/app.js";
import { PrivateRedis } from "../../helpers/redis-server.js";
import { TcpProxy } from "../../helpers/tcp-proxy.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * Redis (the shared live state) goes away under a running server and comes back empty: a
 * private redis-server this test kills with SIGKILL and starts again without persistence.
 */
let redis: PrivateRedis;
let testApp: TestApp;
let url: string;
let teacher: Person;
let student: Person;
let roomId: string;
let host: TestClient;
let pupil: TestClient;
let leaver: TestClient;
let admin: Awaited<ReturnType<typeof makeAdmin>>;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ t: testApp, url } = await listeningApp({ REDIS_URL: redis.url, VTP_REDIS_PREFIX: `vtp-outage-${Date.now()}:`, RECONNECT_GRACE_SECONDS: "1" }));
  admin = await makeAdmin(testApp);
  teacher = await person(testApp, "teacher", "Ada Teacher");
  student = await person(testApp, "student", "Sam Student");
  roomId = (await createRoom(testApp, teacher)).id;
  host = (await joined(url, teacher, roomId)).c;
  pupil = (await joined(url, student, roomId)).c;
  leaver = (await joined(url, await person(testApp, "student", "Lee Leaver"), roomId)).c;
}, 60_000);

afterAll(async () => {
  host?.close();
  pupil?.close();
  leaver?.close();
  await redis?.up().catch(() => {});
  await testApp?.close();
  await redis?.kill();
});

async function health() {
  const res = await testApp.app.inject({ method: "GET", url: "/health" });
  return { status: res.statusCode, body: res.json() as { status: string; redis?: string } };
}

async function until(what: string, cond: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describe("Redis outage", () => {
  it("/health reports Redis, events fail fast with LIVE_STATE_UNAVAILABLE, and the live state is written back when Redis returns empty", async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok", redis: "ok" } });
    expect((await pupil.emit("raise-hand", {})).ok).toBe(true);
    expect((await pupil.emit("lower-hand", {})).ok).toBe(true);

    await redis.kill();
    await until("/health reports Redis down", async () => (await health()).body.redis === "down");
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("degraded");

    const started = Date.now();
    const ack = await pupil.emit("raise-hand", {});
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe("LIVE_STATE_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(1000);

    // The admin status answers, and says Redis is down.
    const statusStarted = Date.now();
    const status = await testApp.app.inject({ method: "GET", url: "/api/v1/admin/status", headers: admin.auth });
    expect(status.statusCode).toBe(200);
    expect(status.json().health.redis).toBe("down");
    expect(Date.now() - statusStarted).toBeLessThan(1500);

    // Someone leaves while Redis is away.
    leaver.close();
    await until("the server saw the leaver go", async () => testApp.app.ctx.signalling.localSocketCount === 2);

    // Redis comes back with nothing in it (restarted, no persistence).
    await redis.up();
    await until("/health is ok again", async () => (await health()).status === 200);

    // Nobody was dropped: both sockets are still connected and still in the class.
    expect(host.socket.connected).toBe(true);
    expect(pupil.socket.connected).toBe(true);
    let raised: Awaited<ReturnType<typeof pupil.emit<"raise-hand">>> | undefined;
    await until("the student's events work again", async () => {
      raised = await pupil.emit("raise-hand", {});
      return raised.ok || raised.error.code !== "LIVE_STATE_UNAVAILABLE";
    });
    expect(raised!.ok).toBe(true);
    // The one who left while Redis was away is written back in a grace period that has ended, and leaves.
    await until("the leaver is gone from the class", async () => {
      const participants = await host.emit("get-participants", {});
      return participants.ok && participants.participants.length === 2;
    });
    const list = await host.emit("get-participants", {});
    expect(list.ok).toBe(true);
    expect(list.participants.map((p) => p.name).sort()).toEqual(["Ada Teacher", "Sam Student"]);
    expect(host.has("room-ended")).toBe(false);
  }, 60_000);
});

describe("Redis hung (no bytes come back)", () => {
  it("/health answers within a second and says so; events fail with LIVE_STATE_UNAVAILABLE within the command timeout, then work again", async () => {
    const hung = await PrivateRedis.start();
    const proxy = await TcpProxy.start({ host: "127.0.0.1", port: hung.port });
    const { t: app, url: appUrl } = await listeningApp({ REDIS_URL: proxy.url(hung.url), VTP_REDIS_PREFIX: `vtp-hung-${Date.now()}:` });
    const clients: TestClient[] = [];
    try {
      const host2 = await person(app, "teacher", "Hana Host");
      const room = (await createRoom(app, host2)).id;
      const hostClient = (await joined(appUrl, host2, room)).c;
      clients.push(hostClient);
      proxy.freeze();
      const started = Date.now();
      const res = await app.app.inject({ method: "GET", url: "/health" });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.statusCode).toBe(503);
      expect(res.json().redis).toBe("down");

      const evStarted = Date.now();
      const ack = await hostClient.emit("raise-hand", {});
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe("LIVE_STATE_UNAVAILABLE");
      expect(Date.now() - evStarted).toBeLessThan(3500);

      await proxy.restore();
      await until("/health is ok again", async () => (await app.app.inject({ method: "GET", url: "/health" })).statusCode === 200);
      let again: Awaited<ReturnType<typeof hostClient.emit<"raise-hand">>> | undefined;
      await until("events work again", async () => {
        again = await hostClient.emit("raise-hand", {});
        return again.ok || again.error.code !== "LIVE_STATE_UNAVAILABLE";
      });
      expect(again!.ok).toBe(true);
    } finally {
      for (const x of clients) x.close();
      await proxy.restore();
      await app.close();
      await proxy.close();
      await hung.kill();
    }
  }, 60_000);
});

describe("Socket.IO broadcasts while Redis is away", () => {
  it("a broadcast lost with Redis does not become an unhandled rejection (which ends a real server process)", async () => {
    const lost = await PrivateRedis.start();
    const { t: app, url: appUrl } = await listeningApp({ REDIS_URL: lost.url, VTP_REDIS_PREFIX: `vtp-lost-${Date.now()}:` });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const teacher2 = await person(app, "teacher", "Theo Teacher");
      const room = await createRoom(app, teacher2);
      const inClass = (await joined(appUrl, teacher2, room.id)).c;
      await lost.kill();
      await until("the server sees Redis down", async () => (await app.app.inject({ method: "GET", url: "/health" })).json().redis === "down");
      // A room update is broadcast through the adapter: with Redis away the publish waits, then fails.
      const patched = await app.app.inject({
        method: "PATCH",
        url: `/api/v1/rooms/${room.id}`,
        headers: teacher2.auth,
        payload: { title: "Renamed while Redis is away" },
      });
      expect(patched.statusCode).toBe(200);
      const [pub] = (app.app.ctx.signalling as unknown as { redisClients: { retryAttempts: number }[] }).redisClients;
      // The adapter's client gives up on queued commands after its 3 retries per request.
      await until("the adapter's client gave up its queued publishes", async () => pub!.retryAttempts >= 4);
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
      inClass.close();
    } finally {
      process.off("unhandledRejection", onRejection);
      await lost.up();
      await app.close();
      await lost.kill();
    }
  }, 60_000);
});
