import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisLiveState } from "../../../apps/server/src/signalling/state/index.js";
import type { LiveParticipant } from "../../../apps/server/src/signalling/state/index.js";

/**
 * The node bookkeeping of the Redis live state, against the machine's Redis (TEST_REDIS_URL):
 * which connections each server process holds, and handing a dead node's connections to exactly
 * one surviving node.
 */
const REDIS = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const prefix = `vtp-test-${randomBytes(4).toString("hex")}:`;
const a = new RedisLiveState(REDIS, prefix);
const b = new RedisLiveState(REDIS, prefix);
const raw = new Redis(REDIS);

afterAll(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
  await a.close();
  await b.close();
});

const roomId = randomUUID();
function person(nodeId: string, socketId: string): LiveParticipant {
  return {
    id: randomUUID(),
    roomId,
    userId: randomUUID(),
    name: "P",
    role: "student",
    socketId,
    connected: true,
    joinedAt: Date.now(),
    disconnectedAt: null,
    handRaisedAt: null,
    handSeq: null,
    media: { audio: false, video: false, screen: false },
    attendanceId: randomUUID(),
    nodeId,
  };
}
const members = (nodeId: string) => raw.smembers(`${prefix}node:${nodeId}:m`);

describe("Redis live state: nodes", () => {
  it("records each connection under the node holding it, and moves or forgets it", async () => {
    const p = person("n1", "s1");
    const q = person("n1", "s2");
    await a.join(p, 10, false);
    await a.join(q, 10, false);
    expect((await members("n1")).sort()).toEqual([`p|${roomId}|${p.id}|s1`, `p|${roomId}|${q.id}|s2`].sort());
    // p resumes on node n2 with a new socket
    await b.join({ ...person("n2", "s3"), userId: p.userId }, 10, false);
    expect(await members("n1")).toEqual([`p|${roomId}|${q.id}|s2`]);
    expect(await members("n2")).toEqual([`p|${roomId}|${p.id}|s3`]);
    expect((await a.get(roomId, p.id))?.nodeId).toBe("n2");
    // q drops (grace period) and is no longer a connection of n1; p leaves
    await a.startGrace(roomId, q.id, "s2", Date.now(), Date.now() + 1000);
    expect(await members("n1")).toEqual([]);
    await b.remove(roomId, p.id);
    expect(await members("n2")).toEqual([]);
    // waiting people too
    await a.addWaiting(roomId, { userId: "u-w", name: "W", socketId: "s9", since: Date.now(), nodeId: "n1" });
    expect(await members("n1")).toEqual([`w|${roomId}|u-w|s9`]);
    await a.removeWaiting(roomId, "u-w");
    expect(await members("n1")).toEqual([]);
    await a.clearRoom(roomId);
  });

  it("hands a dead node's connections to exactly one claimer, only once its heartbeat lapsed", async () => {
    const room2 = randomUUID();
    expect(await a.heartbeat("dying", 1500)).toBe(true);
    expect(await b.heartbeat("alive", 60_000)).toBe(true);
    const p = { ...person("dying", "sd1"), roomId: room2 };
    await a.join(p, 10, false);
    await a.addWaiting(room2, { userId: "u-x", name: "X", socketId: "sd2", since: Date.now(), nodeId: "dying" });

    expect(await b.claimDeadNodes()).toEqual([]); // still alive
    await new Promise((r) => setTimeout(r, 1700));
    const claims = (await Promise.all([a.claimDeadNodes(), b.claimDeadNodes(), a.claimDeadNodes(), b.claimDeadNodes()])).flat();
    expect(claims).toEqual([
      {
        nodeId: "dying",
        participants: [{ roomId: room2, participantId: p.id, socketId: "sd1" }],
        waiting: [{ roomId: room2, userId: "u-x", socketId: "sd2" }],
      },
    ]);
    expect(await b.claimDeadNodes()).toEqual([]);
    expect(await raw.sismember(`${prefix}nodes`, "alive")).toBe(1);

    // The "dead" node was only stalled: its next heartbeat tells it so.
    expect(await a.heartbeat("dying", 60_000)).toBe(false);
    expect(await a.heartbeat("dying", 60_000)).toBe(true);
    await a.forgetNode("dying");
    expect(await raw.sismember(`${prefix}nodes`, "dying")).toBe(0);
    expect(await raw.exists(`${prefix}node:dying:alive`)).toBe(0);
    await a.clearRoom(room2);
  });
});
