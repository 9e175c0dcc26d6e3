import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisLiveState } from "../../../apps/server/src/signalling/state/index.js";
import { liveParticipant } from "./live-participant.js";

/**
 * The node bookkeeping of the Redis live state, against the machine's Redis (TEST_REDIS_URL):
 * which connections each server process holds, and handing a dead node's connections to exactly
 * one surviving node.
 */
const REDIS = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const prefix = `vtp-test-${randomBytes(4).toString("hex")}:`;
const nodeA = new RedisLiveState(REDIS, prefix);
const nodeB = new RedisLiveState(REDIS, prefix);
const raw = new Redis(REDIS);

afterAll(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
  await nodeA.close();
  await nodeB.close();
});

const roomId = randomUUID();
const person = (nodeId: string, socketId: string) => liveParticipant(roomId, { nodeId, socketId });
const members = (nodeId: string) => raw.smembers(`${prefix}node:${nodeId}:m`);

describe("Redis live state: nodes", () => {
  it("records each connection under the node holding it, and moves or forgets it", async () => {
    const first = person("n1", "s1");
    const second = person("n1", "s2");
    await nodeA.join(first, 10, false);
    await nodeA.join(second, 10, false);
    expect((await members("n1")).sort()).toEqual([`p|${roomId}|${first.id}|s1`, `p|${roomId}|${second.id}|s2`].sort());
    // p resumes on node n2 with a new socket
    await nodeB.join({ ...person("n2", "s3"), userId: first.userId }, 10, false);
    expect(await members("n1")).toEqual([`p|${roomId}|${second.id}|s2`]);
    expect(await members("n2")).toEqual([`p|${roomId}|${first.id}|s3`]);
    expect((await nodeA.get(roomId, first.id))?.nodeId).toBe("n2");
    // q drops (grace period) and is no longer a connection of n1; p leaves
    await nodeA.startGrace(roomId, second.id, "s2", Date.now(), Date.now() + 1000);
    expect(await members("n1")).toEqual([]);
    await nodeB.remove(roomId, first.id);
    expect(await members("n2")).toEqual([]);
    // waiting people too
    await nodeA.addWaiting(roomId, { userId: "u-w", name: "W", socketId: "s9", since: Date.now(), nodeId: "n1" });
    expect(await members("n1")).toEqual([`w|${roomId}|u-w|s9`]);
    await nodeA.removeWaiting(roomId, "u-w");
    expect(await members("n1")).toEqual([]);
    await nodeA.clearRoom(roomId);
  });

  it("hands a dead node's connections to exactly one claimer, only once its heartbeat lapsed", async () => {
    const room2 = randomUUID();
    expect(await nodeA.heartbeat("dying", 1500)).toBe(true);
    expect(await nodeB.heartbeat("alive", 60_000)).toBe(true);
    const dying = { ...person("dying", "sd1"), roomId: room2 };
    await nodeA.join(dying, 10, false);
    await nodeA.addWaiting(room2, { userId: "u-x", name: "X", socketId: "sd2", since: Date.now(), nodeId: "dying" });

    expect(await nodeB.claimDeadNodes()).toEqual([]); // still alive
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const claims = (await Promise.all([nodeA.claimDeadNodes(), nodeB.claimDeadNodes(), nodeA.claimDeadNodes(), nodeB.claimDeadNodes()])).flat();
    expect(claims).toEqual([
      {
        nodeId: "dying",
        participants: [{ roomId: room2, participantId: dying.id, socketId: "sd1" }],
        waiting: [{ roomId: room2, userId: "u-x", socketId: "sd2" }],
      },
    ]);
    expect(await nodeB.claimDeadNodes()).toEqual([]);
    expect(await raw.sismember(`${prefix}nodes`, "alive")).toBe(1);

    // The "dead" node was only stalled: its next heartbeat tells it so.
    expect(await nodeA.heartbeat("dying", 60_000)).toBe(false);
    expect(await nodeA.heartbeat("dying", 60_000)).toBe(true);
    await nodeA.forgetNode("dying");
    expect(await raw.sismember(`${prefix}nodes`, "dying")).toBe(0);
    expect(await raw.exists(`${prefix}node:dying:alive`)).toBe(0);
    await nodeA.clearRoom(room2);
  });
});
