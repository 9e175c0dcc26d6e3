import { randomUUID } from "node:crypto";
import pino from "pino";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { AttendanceNode, AttendanceService } from "../../apps/server/src/attendance/index.js";
import { createTestApp, signUp, type TestApp } from "../helpers/app.js";
import { createRoom, type Person } from "./rooms/helpers.js";

/**
 * Which sessions a starting (or heartbeating) process closes, on the embedded database and on
 * PostgreSQL: those of processes that are gone, at their last heartbeat; never those of a
 * process that is alive. (The kill -9 of a real process is in attendance-crash.test.ts.)
 */
const PG = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});
const silent = pino({ level: "silent" });

describe.each([
  ["PGlite", false],
  ["PostgreSQL", true],
] as const)("attendance of dead processes (%s)", (_name, onPostgres) => {
  async function setUp() {
    const saved = process.env.TEST_DATABASE_URL;
    if (onPostgres) process.env.TEST_DATABASE_URL = PG;
    else delete process.env.TEST_DATABASE_URL;
    const testApp = await createTestApp();
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
    apps.push(testApp);
    const host = (await signUp(testApp, { role: "teacher", fullName: "Nora Node" })) as Person;
    const room = await createRoom(testApp, host);
    const db = testApp.app.ctx.db;
    /** A process that opened one session for the host and last beat `secondsAgo` ago. */
    const processWithSession = async (secondsAgo: number) => {
      const nodeId = randomUUID();
      const session = randomUUID();
      await new AttendanceService(db, nodeId).joined(session, room.id, host.user.id, "host", new Date(Date.now() - 3600_000));
      await sql`insert into server_nodes (id, last_seen_at) values (${nodeId}, now() - make_interval(secs => ${secondsAgo}))`.execute(db);
      return { nodeId, session };
    };
    const leftAt = async (session: string) =>
      (await sql<{ left_at: Date | null }>`select left_at from attendance where id = ${session}`.execute(db)).rows[0]!.left_at;
    const lastSeen = async (nodeId: string) =>
      (await sql<{ last_seen_at: Date }>`select last_seen_at from server_nodes where id = ${nodeId}`.execute(db)).rows[0]?.last_seen_at;
    return { db, roomId: room.id, hostId: host.user.id, processWithSession, leftAt, lastSeen };
  }

  it("with Redis (shared live state): closes only the sessions of processes silent longer than the limit, at their last heartbeat", async () => {
    const { db, processWithSession, leftAt, lastSeen } = await setUp();
    const dead = await processWithSession(20 * 60);
    const alive = await processWithSession(5);
    const deadSeen = await lastSeen(dead.nodeId);
    const node = new AttendanceNode(db, randomUUID(), { log: silent, sharedLiveState: true, staleAfterMs: 10 * 60_000 });
    await node.start();
    await node.stop();
    expect(new Date((await leftAt(dead.session))!).getTime()).toBe(new Date(deadSeen!).getTime());
    expect(await leftAt(alive.session)).toBeNull();
    expect(await lastSeen(dead.nodeId)).toBeUndefined();
  });

  it("without Redis (one app server): a start closes every other process's sessions at its last heartbeat, and its own stay open", async () => {
    const { db, roomId, hostId, processWithSession, leftAt, lastSeen } = await setUp();
    const previous = await processWithSession(5);
    const previousSeen = await lastSeen(previous.nodeId);
    const me = randomUUID();
    const mine = randomUUID();
    await new AttendanceService(db, me).joined(mine, roomId, hostId, "host");
    const node = new AttendanceNode(db, me, { log: silent, sharedLiveState: false });
    await node.start();
    await node.stop();
    expect(new Date((await leftAt(previous.session))!).getTime()).toBe(new Date(previousSeen!).getTime());
    expect(await leftAt(mine)).toBeNull();
  });
});
