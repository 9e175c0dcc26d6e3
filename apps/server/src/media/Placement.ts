import { createHash } from "node:crypto";
import type { MediaHealth } from "./types.js";

/** A shard that can take a new room, with the health it just reported (`ok` is true). */
export interface PlacementCandidate {
  shardId: string;
  health: MediaHealth;
}

/**
 * Where a new room goes: the sharded media service asks every shard for its health and hands the
 * healthy ones to the policy, in the shards' order. Undefined: none fits (MEDIA_UNAVAILABLE).
 */
export interface PlacementPolicy {
  readonly name: string;
  choose(roomId: string, candidates: readonly PlacementCandidate[]): string | undefined;
}

/**
 * The shard with the fewest peers (then rooms); the first of equals. For the in-process workers
 * of one app server, which alone places rooms on them.
 */
export const leastLoaded: PlacementPolicy = {
  name: "least-loaded",
  choose(_roomId, candidates) {
    let best: PlacementCandidate | undefined;
    for (const c of candidates) {
      if (!best || load(c.health) < load(best.health)) best = c;
    }
    return best?.shardId;
  },
};

const load = (health: MediaHealth) => health.peers * 1000 + health.rooms;

/**
 * Rendezvous (highest-random-weight) hashing of the room id over the shards' ids. For remote
 * nodes shared by several app servers: every server picks the same node for a room, even two
 * placing it at the same moment (the teacher on one server, a student on another), without
 * talking to each other, and rooms spread evenly. (Least loaded could split such a room across
 * two nodes, its people unable to see each other.)
 */
export const rendezvousHashing: PlacementPolicy = {
  name: "rendezvous",
  choose(roomId, candidates) {
    let best: string | undefined;
    let bestScore = -Infinity;
    for (const candidate of candidates) {
      const score = rendezvous(roomId, candidate.shardId);
      if (score > bestScore) {
        best = candidate.shardId;
        bestScore = score;
      }
    }
    return best;
  },
};

/** Highest-random-weight score of a (room, node) pair: the same on every app server. */
export function rendezvous(roomId: string, shardId: string): number {
  return createHash("sha256").update(`${roomId}\u0000${shardId}`).digest().readUIntBE(0, 6);
}

/** Where a new peer of a room that already exists goes (the room's home shard, or another). */
export interface SpreadInput {
  roomId: string;
  /** The shard where the room was placed first (its publishers stay there). */
  home: string;
  /** The room's peers on each shard that holds it. */
  roomPeers: ReadonlyMap<string, number>;
  /** The healthy shards, with their health (all rooms' peers): asked only when the policy needs them. */
  candidates(): Promise<readonly PlacementCandidate[]>;
}

export interface SpreadPolicy {
  readonly name: string;
  choose(input: SpreadInput): Promise<string>;
}

/**
 * Keep a room on its home shard until the home holds `threshold` of its peers; from then on a
 * new peer goes to the least-loaded healthy shard (its subscriptions piped from the home).
 * threshold 0 spreads from the second peer on (tests).
 */
export function spreadAfter(threshold: number): SpreadPolicy {
  return {
    name: `spread-after-${threshold}`,
    async choose({ home, roomPeers, candidates }) {
      if ((roomPeers.get(home) ?? 0) < threshold) return home;
      return leastLoaded.choose("", await candidates()) ?? home;
    },
  };
}
