import { Counter, Gauge, type Registry } from "prom-client";
import type { MediaService, PipeStatus } from "../media/index.js";

/** Where the rooms of a sharded media service live, and its pipes (admin status, /metrics). */
export interface MediaSpread {
  rooms: { roomId: string; home: string; shards: { shardId: string; peers: number }[]; pipes: number }[];
  pipes: (PipeStatus & { shardId: string })[];
  pipesRebuilt: number;
}

interface SpreadSource {
  placement(): MediaSpread["rooms"];
  pipesByShard(): Promise<{ shardId: string; pipes: PipeStatus[] | null }[]>;
  readonly pipesRebuilt: number;
}

/** The spread of a sharded media service (workers or nodes); undefined for any other service. */
export async function mediaSpreadOf(media: MediaService | object): Promise<MediaSpread | undefined> {
  const source = media as Partial<SpreadSource>;
  if (typeof source.placement !== "function" || typeof source.pipesByShard !== "function") return undefined;
  const byShard = await source.pipesByShard();
  return {
    rooms: source.placement(),
    pipes: byShard.flatMap(({ shardId, pipes }) => (pipes ?? []).map((p) => ({ ...p, shardId }))),
    pipesRebuilt: source.pipesRebuilt ?? 0,
  };
}

/**
 * Pipe and placement metrics: pipe ends by shard, side and state, what they carried, how often
 * one was rebuilt, and how many rooms span more than one shard. Counters are set from the
 * shards' totals at each scrape (as the other media counters).
 */
export class MediaSpreadMetrics {
  readonly #pipes: Gauge<"shard" | "side" | "state">;
  readonly #packets: Counter<"shard" | "side">;
  readonly #keyFrames: Counter<"shard">;
  readonly #nacks: Counter<"shard" | "side">;
  readonly #rebuilt: Counter;
  readonly #spreadRooms: Gauge;
  readonly #roomShards: Gauge<"shard">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#pipes = new Gauge({
      name: "vtp_media_pipes",
      help: "Pipe ends (a producer carried between shards of one room) by shard, side (out/in) and state",
      labelNames: ["shard", "side", "state"],
      registers,
    });
    this.#packets = new Counter({
      name: "vtp_media_pipe_packets_total",
      help: "RTP packets sent (out) or received (in) over pipes",
      labelNames: ["shard", "side"],
      registers,
    });
    this.#keyFrames = new Counter({
      name: "vtp_media_pipe_keyframe_requests_total",
      help: "Keyframe requests (PLI/FIR) that crossed a pipe to the publisher's shard",
      labelNames: ["shard"],
      registers,
    });
    this.#nacks = new Counter({
      name: "vtp_media_pipe_nacks_total",
      help: "Packets a pipe lost: asked again (in) and sent again (out)",
      labelNames: ["shard", "side"],
      registers,
    });
    this.#rebuilt = new Counter({ name: "vtp_media_pipes_rebuilt_total", help: "Broken pipes set up again", registers });
    this.#spreadRooms = new Gauge({ name: "vtp_media_rooms_spread", help: "Rooms whose peers are on more than one shard", registers });
    this.#roomShards = new Gauge({
      name: "vtp_media_room_peers_off_home",
      help: "Peers placed on a shard other than their room's home, by shard",
      labelNames: ["shard"],
      registers,
    });
  }

  update(spread: MediaSpread | undefined): void {
    for (const m of [this.#pipes, this.#packets, this.#keyFrames, this.#nacks, this.#rebuilt, this.#spreadRooms, this.#roomShards]) m.reset();
    if (!spread) return;
    for (const p of spread.pipes) {
      this.#pipes.inc({ shard: p.shardId, side: p.side, state: p.state });
      this.#packets.inc({ shard: p.shardId, side: p.side }, p.packets);
      if (p.side === "out") this.#keyFrames.inc({ shard: p.shardId }, p.keyFrameRequests);
      this.#nacks.inc({ shard: p.shardId, side: p.side }, p.nacks);
    }
    this.#rebuilt.inc(spread.pipesRebuilt);
    this.#spreadRooms.set(spread.rooms.filter((r) => r.shards.length > 1).length);
    for (const room of spread.rooms)
      for (const s of room.shards) if (s.shardId !== room.home && s.peers > 0) this.#roomShards.inc({ shard: s.shardId }, s.peers);
  }
}
