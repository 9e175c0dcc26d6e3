import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../apps/server/src/errors/index.js";
import { ShardedMediaService, type MediaShard } from "../../../apps/server/src/media/ShardedMediaService.js";
import { leastLoaded, rendezvousHashing, type PlacementCandidate } from "../../../apps/server/src/media/Placement.js";
import { MediaWorker } from "../../../apps/server/src/media/MediaWorker.js";
import { mediaConfigFromEnv } from "../../../apps/server/src/media/config.js";
import { captureLogger } from "./helpers/rpc-samples.js";

const candidate = (shardId: string, peers: number, rooms: number): PlacementCandidate => ({
  shardId,
  health: { ok: true, workers: 1, rooms, peers },
});

describe("placement policies", () => {
  it("least loaded: the fewest peers, then rooms, the first of equals", () => {
    expect(leastLoaded.choose("r", [candidate("a", 3, 1), candidate("b", 1, 5), candidate("c", 1, 2)])).toBe("c");
    expect(leastLoaded.choose("r", [candidate("a", 0, 0), candidate("b", 0, 0)])).toBe("a");
    expect(leastLoaded.choose("r", [])).toBeUndefined();
  });

  it("rendezvous: the same node for a room whatever the order or load, rooms spread, a lost node moves only its rooms", () => {
    const nodes = ["http://a:4000", "http://b:4000", "http://c:4000"].map((id, i) => candidate(id, i * 10, i));
    const rooms = Array.from({ length: 60 }, (_, i) => `room-${i}`);
    const where = new Map(rooms.map((r) => [r, rendezvousHashing.choose(r, nodes)!]));
    for (const r of rooms) expect(rendezvousHashing.choose(r, [...nodes].reverse())).toBe(where.get(r));
    for (const n of nodes) expect([...where.values()].filter((w) => w === n.shardId).length).toBeGreaterThan(5);
    const withoutB = nodes.filter((n) => n.shardId !== "http://b:4000");
    for (const r of rooms) {
      if (where.get(r) !== "http://b:4000") expect(rendezvousHashing.choose(r, withoutB)).toBe(where.get(r));
    }
  });
});

/**
 * A shard that counts a peer as soon as its joinPeer arrives (as a worker does) but answers only
 * when the test lets it: the window in which a second join of the same class used to place the
 * room again.
 */
class SlowShard extends EventEmitter implements MediaShard {
  readonly peers = new Set<string>();
  readonly joinsArrived: string[] = [];
  #release: (() => void)[] = [];
  constructor(readonly id: string) {
    super();
  }
  releaseJoins(): void {
    for (const release of this.#release.splice(0)) release();
  }
  // biome-ignore lint/suspicious/noExplicitAny: a fake shard answers the few methods the test calls
  request(method: string, ...args: any[]): any {
    if (method === "health") return Promise.resolve({ ok: true, workers: 1, rooms: this.peers.size > 0 ? 1 : 0, peers: this.peers.size });
    if (method === "joinPeer") {
      this.peers.add(args[1]);
      this.joinsArrived.push(args[1]);
      return new Promise((resolve) => this.#release.push(() => resolve({ roomId: args[0], peerId: args[1], producers: [] })));
    }
    if (method === "createTransport") {
      if (!this.peers.has(args[1])) return Promise.reject(new AppError("PARTICIPANT_NOT_FOUND", `Peer ${args[1]} has not joined media here`));
      return Promise.resolve({ shard: this.id });
    }
    return Promise.reject(new AppError("ROOM_NOT_FOUND", "not here"));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe("sharded media: a class on one shard", () => {
  it("a join that comes while the first join of the class is still on its way goes to the same shard", async () => {
    const shards = [new SlowShard("w1"), new SlowShard("w2")];
    const media = new ShardedMediaService(shards, { placement: leastLoaded, discover: false, log: captureLogger().log });
    const teacher = media.joinPeer("room-1", "teacher", "u-teacher");
    await expect.poll(() => shards[0].joinsArrived).toEqual(["teacher"]);
    // The first shard now holds a peer; least-loaded alone would send the next join to w2.
    const student = media.joinPeer("room-1", "student", "u-student");
    await expect.poll(() => shards.flatMap((shard) => shard.joinsArrived).length).toBe(2);
    for (const shard of shards) shard.releaseJoins();
    await Promise.all([teacher, student]);
    expect(shards.map((shard) => [...shard.peers])).toEqual([["teacher", "student"], []]);
    // Both peers' later calls reach the shard that holds them.
    expect(await media.createTransport("room-1", "teacher", "send")).toEqual({ shard: "w1" });
    expect(await media.createTransport("room-1", "student", "recv")).toEqual({ shard: "w1" });
  });
});

describe("a dead media worker", () => {
  it("answers every call with MEDIA_UNAVAILABLE and its death is logged", async () => {
    const { log, records } = captureLogger();
    const config = mediaConfigFromEnv({}, { workers: 1, workerMode: "inline" });
    const worker = await MediaWorker.start({ workerId: "w9", config, portRange: [44000, 44099], fastPath: true }, "inline", log);
    expect(await worker.request("health")).toEqual({ ok: true, workers: 1, rooms: 0, peers: 0 });
    await worker.crashForTest();
    await expect(worker.request("health")).rejects.toEqual(expect.objectContaining({ status: 503, code: "MEDIA_UNAVAILABLE" }));
    await expect(worker.request("getRoom", "r-1")).rejects.toEqual(expect.objectContaining({ status: 503, code: "MEDIA_UNAVAILABLE" }));
    expect(records).toContainEqual({
      level: "error",
      obj: expect.objectContaining({ workerId: "w9", err: expect.objectContaining({ message: "crashed (test)" }) }),
      msg: "media worker died; its rooms are lost",
    });
    await worker.close();
  });
});
