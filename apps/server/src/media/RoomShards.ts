import type { ShardOperations, MediaMethod } from "./MediaService.js";
import type { RoomScopedMethod } from "./rpc/table.js";
import type { MediaEvent, ProducerInfo, TransportDirection } from "./types.js";

/** A place rooms can live on: a local media worker, or a remote media node. */
export interface MediaShard {
  readonly id: string;
  request<M extends MediaMethod>(method: M, ...args: Parameters<ShardOperations[M]>): ReturnType<ShardOperations[M]>;
  on(event: "event", listener: (mediaEvent: MediaEvent) => void): unknown;
  on(event: "died", listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

export interface RoomPlacement {
  roomId: string;
  home: string;
  shards: { shardId: string; peers: number }[];
  pipes: number;
}

/** One pipe: a producer of `origin` available on `dest` under the same producer id. */
export interface PipeRecord {
  roomId: string;
  /** The current pipe (a new id when a broken pipe was set up again). */
  pipeId: string;
  producerId: string;
  origin: MediaShard;
  dest: MediaShard;
}

/**
 * Where one room lives: its home shard (placed on first join; publishers join there), the other
 * shards holding some of its peers, which shard each peer, producer and consumer is on, and the
 * pipes between them.
 */
export class RoomShards {
  readonly shards = new Set<MediaShard>();
  readonly peers = new Map<string, MediaShard>();
  /** Each peer's transports (to reset them when their shard dies). */
  readonly transports = new Map<string, Map<string, TransportDirection>>();
  /** Where each producer is published (its origin), with what it was announced as. */
  readonly producers = new Map<string, { shard: MediaShard; info: ProducerInfo }>();
  readonly consumers = new Map<string, MediaShard>();
  /** By `${producerId}>${destShardId}`: one pipe per producer and destination, set up once. */
  readonly pipes = new Map<string, Promise<PipeRecord>>();

  constructor(
    readonly roomId: string,
    public home: MediaShard,
  ) {
    this.shards.add(home);
  }

  /** Where the room lives, as the admin status and /metrics show it. */
  placement(): RoomPlacement {
    const counts = this.peerCounts();
    const shards = [...this.shards].map((s) => ({ shardId: s.id, peers: counts.get(s.id) ?? 0 }));
    return { roomId: this.roomId, home: this.home.id, shards, pipes: this.settled.length };
  }

  peerCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const shard of this.peers.values()) counts.set(shard.id, (counts.get(shard.id) ?? 0) + 1);
    return counts;
  }

  /** The shard of a peer (the home when unknown: a peer placed by another app server). */
  shardOf(peerId: string | undefined): MediaShard {
    return (peerId !== undefined ? this.peers.get(peerId) : undefined) ?? this.home;
  }

  /** Forget a shard's part of the room; the pipes that touched it are returned (to close their other ends). */
  dropShard(shard: MediaShard): PipeRecord[] {
    this.shards.delete(shard);
    for (const [peerId, s] of [...this.peers]) if (s === shard) this.peers.delete(peerId);
    for (const [id, s] of [...this.consumers]) if (s === shard) this.consumers.delete(id);
    if (this.home === shard) {
      const next = this.shards.values().next();
      if (!next.done) this.home = next.value;
    }
    return this.#dropPipes((p) => p.origin === shard || p.dest === shard);
  }

  /** Forget the pipes of a closed producer; returned to close their destination ends. */
  dropProducer(producerId: string): PipeRecord[] {
    this.producers.delete(producerId);
    return this.#dropPipes((p) => p.producerId === producerId);
  }

  readonly settled: PipeRecord[] = [];

  #dropPipes(match: (pipe: PipeRecord) => boolean): PipeRecord[] {
    const dropped: PipeRecord[] = [];
    for (let i = this.settled.length - 1; i >= 0; i--) {
      const pipe = this.settled[i];
      if (!match(pipe)) continue;
      dropped.push(pipe);
      this.settled.splice(i, 1);
      this.pipes.delete(`${pipe.producerId}>${pipe.dest.id}`);
    }
    return dropped;
  }
}

/** Where a room-scoped call goes: the shard of its peer, producer or consumer (the room's home when unknown). */
export function routeOf(room: RoomShards, method: RoomScopedMethod, args: unknown[]): MediaShard {
  switch (method) {
    case "closeProducer":
      return room.producers.get(args[0] as string)?.shard ?? room.home;
    case "closeConsumer":
    case "setPreferredLayer":
    case "requestKeyFrame":
    case "setConsumerPaused":
      return room.consumers.get(args[0] as string) ?? room.home;
    case "getRoom":
      return room.home;
    default:
      return room.shardOf(args[0] as string);
  }
}
