import { describe, expect, it } from "vitest";
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
