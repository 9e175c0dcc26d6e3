import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Redis } from "ioredis";
import { createPgDatabase } from "../../helpers/db.js";
import { startVtp, type VtpProcess } from "../../helpers/process.js";
import { TestClient } from "../rooms/helpers.js";

/**
 * A server process that dies without a word (SIGKILL) while holding students' sockets: the
 * surviving node notices its heartbeat lapse, shows those students as reconnecting, lets one of
 * them resume on the surviving node, drops the other after the grace period (attendance closed)
 * and takes the dead node's people off the host's waiting list. Real processes, PostgreSQL and
 * Redis (TEST_DATABASE_URL, TEST_REDIS_URL as in two-nodes.test.ts).
 */
const PG = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const prefix = `vtp-test-${randomBytes(4).toString("hex")}:`;
const cleanups: Array<() => Promise<unknown>> = [];
const clients: TestClient[] = [];
let survivor: VtpProcess, victim: VtpProcess;
let dbUrl: string;
const GRACE_SECONDS = 6;

beforeAll(async () => {
  const db = await createPgDatabase(PG);
  dbUrl = db.url;
  cleanups.push(db.drop);
  const env = { DATABASE_URL: db.url, REDIS_URL: REDIS, VTP_REDIS_PREFIX: prefix, JWT_SECRET: randomBytes(32).toString("hex"), BCRYPT_COST: "4", LOG_LEVEL: "warn", RECONNECT_GRACE_SECONDS: String(GRACE_SECONDS), NODE_TIMEOUT_SECONDS: "2" };
  survivor = await startVtp(env);
  victim = await startVtp(env);
  cleanups.push(() => survivor.stop("SIGKILL"), () => victim.stop("SIGKILL"));
  cleanups.push(async () => {
    const r = new Redis(REDIS);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function api(node: VtpProcess, method: string, url: string, body?: unknown, token?: string) {
  const r = await fetch(`${node.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function account(fullName: string, role: "teacher" | "student") {
  const email = `${fullName.toLowerCase().replace(/\W/g, "")}-${randomBytes(3).toString("hex")}@school.test`;
  const password = "node crash password";
  expect((await api(survivor, "POST", "/api/v1/auth/register", { email, password, fullName, role })).status).toBe(201);
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  await c.query("update users set email_verified_at = now() where email = $1", [email]);
  await c.end();
  const login = await api(survivor, "POST", "/api/v1/auth/login", { email, password });
  expect(login.status).toBe(200);
  return { token: login.body.accessToken as string, id: login.body.user.id as string };
}

async function connect(node: VtpProcess, token: string, name: string) {
  const c = await TestClient.connect(node.url, token, name);
  clients.push(c);
  return c;
}

describe("a server node that crashes", () => {
  it("its students show as reconnecting, can resume on another node, or leave after the grace; its waiting people leave the list", async () => {
    const teacher = await account("Teacher", "teacher");
    const sam = await account("Sam", "student");
    const rita = await account("Rita", "student");
    const will = await account("Will", "student");
    const room = (await api(survivor, "POST", "/api/v1/rooms", { title: "Crash course", settings: { waitingRoom: true } }, teacher.token)).body.room;

    const host = await connect(survivor, teacher.token, "host@survivor");
    expect((await host.emit("join-room", { roomId: room.id })).ok).toBe(true);

    // Sam and Rita knock on the victim node and are admitted; Will is still waiting there.
    const joined: Record<string, { c: TestClient; participantId: string }> = {};
    for (const [name, who] of [["Sam", sam], ["Rita", rita]] as const) {
      const c = await connect(victim, who.token, `${name}@victim`);
      expect((await c.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
      await host.waitFor("waiting-updated", (e) => e.waiting.some((w: any) => w.userId === who.id));
      expect((await host.emit("admit", { userId: who.id })).ok).toBe(true);
      await c.waitFor("admitted");
      const ack = await c.emit("join-room", { roomId: room.id });
      expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
      joined[name] = { c, participantId: ack.participantId };
      await host.waitFor("participant-joined", (e) => e.participant.userId === who.id);
    }
    const w = await connect(victim, will.token, "Will@victim");
    expect((await w.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
    await host.waitFor("waiting-updated", (e) => e.waiting.some((x: any) => x.userId === will.id));

    // The victim dies without closing anything.
    await victim.stop("SIGKILL");
    const killedAt = Date.now();

    // Within the node timeout (2 s) plus a sweep, the host sees both as reconnecting and Will leaves the list.
    for (const name of ["Sam", "Rita"]) {
      await host.waitFor("participant-updated", (e) => e.participant.id === joined[name].participantId && e.participant.connected === false, 20_000);
    }
    await host.waitFor("waiting-updated", (e) => !e.waiting.some((x: any) => x.userId === will.id), 20_000);
    const info = await host.emit("get-room-info", { roomId: room.id });
    expect(info.participantCount).toBe(3); // the teacher, and the two who may still come back

    // Rita's client reconnects to the survivor within the grace period: same participant, no leave.
    const rita2 = await connect(survivor, rita.token, "Rita@survivor");
    const resumed = await rita2.emit("join-room", { roomId: room.id });
    expect(resumed).toMatchObject({ ok: true, resumed: true, participantId: joined.Rita.participantId });
    await host.waitFor("participant-updated", (e) => e.participant.id === joined.Rita.participantId && e.participant.connected === true);

    // Sam never comes back: he leaves when the grace period ends, and his attendance is closed.
    const left = await host.waitFor("participant-left", (e) => e.participantId === joined.Sam.participantId, 40_000);
    expect(left.reason).toBe("disconnected");
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(host.has("participant-left", (e) => e.participantId === joined.Rita.participantId)).toBe(false);
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const rows = (await c.query("select user_id, left_at from attendance where room_id = $1 and user_id = any($2)", [room.id, [sam.id, rita.id]])).rows;
      expect(rows.find((r) => r.user_id === sam.id)?.left_at).not.toBeNull();
      expect(rows.find((r) => r.user_id === rita.id)?.left_at).toBeNull();
    } finally {
      await c.end();
    }

    // The dead node's bookkeeping is gone from Redis; the survivor is still registered.
    const r = new Redis(REDIS);
    try {
      expect(await r.scard(`${prefix}nodes`)).toBe(1);
      const memberSets = await r.keys(`${prefix}node:*:m`);
      const entries = (await Promise.all(memberSets.map((k) => r.smembers(k)))).flat();
      expect(entries.filter((e) => e.includes(joined.Sam.participantId))).toEqual([]);
      expect(entries.filter((e) => e.includes(joined.Rita.participantId))).toHaveLength(1);
    } finally {
      r.disconnect();
    }
  });
});
