import { describe, expect, it } from "vitest";
import { spreadAfter, type PlacementCandidate } from "../../../apps/server/src/media/Placement.js";

/** The spread policy: a room stays on its home until the home holds `threshold` of its peers. */
describe("spreadAfter", () => {
  const shard = (shardId: string, peers: number): PlacementCandidate => ({ shardId, health: { ok: true, workers: 1, rooms: 1, peers } });

  it("keeps peers at home below the threshold without asking the shards' health", async () => {
    let asked = 0;
    const candidates = async () => {
      asked++;
      return [shard("w0", 10), shard("w1", 0)];
    };
    const policy = spreadAfter(3);
    expect(await policy.choose({ roomId: "r", home: "w0", roomPeers: new Map([["w0", 2]]), candidates })).toBe("w0");
    expect(asked).toBe(0);
  });

  it("sends a peer to the least-loaded shard once the home holds the threshold; 0 spreads from the start", async () => {
    const candidates = async () => [shard("w0", 10), shard("w1", 4), shard("w2", 7)];
    expect(await spreadAfter(3).choose({ roomId: "r", home: "w0", roomPeers: new Map([["w0", 3]]), candidates })).toBe("w1");
    expect(await spreadAfter(0).choose({ roomId: "r", home: "w0", roomPeers: new Map(), candidates })).toBe("w1");
    // No healthy shard to spread to: stay at home.
    expect(await spreadAfter(0).choose({ roomId: "r", home: "w0", roomPeers: new Map(), candidates: async () => [] })).toBe("w0");
  });
});
