import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { VtpProcess } from "../../helpers/process.js";
import type { TestClient } from "../rooms/helpers.js";
import { Cluster, REDIS } from "./cluster.js";

/**
 * A server process that dies without a word (SIGKILL) while holding students' sockets: the
 * surviving node notices its heartbeat lapse, shows those students as reconnecting, lets one of
 * them resume on the surviving node, drops the other after the grace period (attendance closed)
 * and takes the dead node's people off the host's waiting list. Real processes, PostgreSQL and
 * Redis (see cluster.ts).
 */
const cluster = new Cluster();
let survivor: VtpProcess, victim: VtpProcess;
const GRACE_SECONDS = 6;

beforeAll(async () => {
  await cluster.setUp({ RECONNECT_GRACE_SECONDS: String(GRACE_SECONDS), NODE_TIMEOUT_SECONDS: "3" });
  survivor = await cluster.node();
  victim = await cluster.node();
}, 120_000);
afterAll(() => cluster.tearDown());

const account = (fullName: string, role: "teacher" | "student" | "admin") => cluster.account(survivor, fullName, role);
const connect = (node: VtpProcess, token: string, name: string) => cluster.connect(node, token, name);
const api = cluster.api.bind(cluster);

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
    for (const [name, who] of [
      ["Sam", sam],
      ["Rita", rita],
    ] as const) {
      const client = await connect(victim, who.token, `${name}@victim`);
      expect((await client.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
      await host.waitFor("waiting-updated", (event) => event.waiting.some((w) => w.userId === who.id));
      expect((await host.emit("admit", { userId: who.id })).ok).toBe(true);
      await client.waitFor("admitted");
      const ack = await client.emit("join-room", { roomId: room.id });
      expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
      joined[name] = { c: client, participantId: ack.participantId };
      await host.waitFor("participant-joined", (event) => event.participant.userId === who.id);
    }
    const willClient = await connect(victim, will.token, "Will@victim");
    expect((await willClient.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
    await host.waitFor("waiting-updated", (event) => event.waiting.some((x) => x.userId === will.id));

    // An admin sees both app servers alive.
    const admin = await account("Ada Admin", "admin");
    const status = async () => (await api(survivor, "GET", "/api/v1/admin/status", undefined, admin.token)).body;
    expect((await status()).signalling.nodes).toHaveLength(2);

    // The victim dies without closing anything.
    await victim.stop("SIGKILL");
    const killedAt = Date.now();

    // Within the node timeout (3 s) plus a sweep, the host sees both as reconnecting and Will leaves the list.
    for (const name of ["Sam", "Rita"]) {
      await host.waitFor(
        "participant-updated",
        (event) => event.participant.id === joined[name].participantId && event.participant.connected === false,
        20_000,
      );
    }
    await host.waitFor("waiting-updated", (event) => !event.waiting.some((x) => x.userId === will.id), 20_000);
    expect((await status()).signalling.nodes).toEqual([(await status()).signalling.nodeId]);
    const info = await host.emit("get-room-info", { roomId: room.id });
    expect(info.participantCount).toBe(3); // the teacher, and the two who may still come back

    // Rita's client reconnects to the survivor within the grace period: same participant, no leave.
    const rita2 = await connect(survivor, rita.token, "Rita@survivor");
    const resumed = await rita2.emit("join-room", { roomId: room.id });
    expect(resumed).toMatchObject({ ok: true, resumed: true, participantId: joined.Rita.participantId });
    await host.waitFor("participant-updated", (event) => event.participant.id === joined.Rita.participantId && event.participant.connected === true);

    // Sam never comes back: he leaves when the grace period ends, and his attendance is closed.
    const left = await host.waitFor("participant-left", (event) => event.participantId === joined.Sam.participantId, 40_000);
    expect(left.reason).toBe("disconnected");
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(host.has("participant-left", (event) => event.participantId === joined.Rita.participantId)).toBe(false);
    const rows = await cluster.query("select user_id, left_at from attendance where room_id = $1 and user_id = any($2)", [room.id, [sam.id, rita.id]]);
    expect(rows.find((r) => r.user_id === sam.id)?.left_at).not.toBeNull();
    expect(rows.find((r) => r.user_id === rita.id)?.left_at).toBeNull();

    // The dead node's bookkeeping is gone from Redis; the survivor is still registered.
    const redis = new Redis(REDIS);
    try {
      expect(await redis.scard(`${cluster.prefix}nodes`)).toBe(1);
      const memberSets = await redis.keys(`${cluster.prefix}node:*:m`);
      const entries = (await Promise.all(memberSets.map((k) => redis.smembers(k)))).flat();
      expect(entries.filter((e) => e.includes(joined.Sam.participantId))).toEqual([]);
      expect(entries.filter((e) => e.includes(joined.Rita.participantId))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});
