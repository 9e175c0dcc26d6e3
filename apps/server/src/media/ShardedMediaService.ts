import { createHash } from "node:crypto";
import { AppError } from "../errors/index.js";
import { callListener } from "./TypedEmitter.js";
import type {
  CloseProducersFilter,
  JoinPeerResult,
  MediaEventListener,
  MediaMethod,
  MediaOperations,
  MediaService,
} from "./MediaService.js";
import type {
  ConnectTransportResult,
  ConsumeParams,
  ConsumeResult,
  CreateTransportResult,
  MediaEvent,
  MediaHealth,
  MediaRoomInfo,
  MediaRoomSummary,
  MediaStats,
  ProduceParams,
  ProduceResult,
  SessionDescriptionDto,
  SimulcastLayer,
  TransportDirection,
} from "./types.js";

/** A place rooms can live on: a local media worker, or a remote media node. */
export interface MediaShard {
  readonly id: string;
  request<M extends MediaMethod>(method: M, ...args: Parameters<MediaOperations[M]>): ReturnType<MediaOperations[M]>;
  on(event: "event", listener: (e: MediaEvent) => void): unknown;
  on(event: "died", listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

/**
 * The MediaService over several shards: each room lives on exactly one shard, chosen on first
 * join as the one with the fewest peers (least loaded). Used for the in-process workers and for
 * the remote media nodes alike.
 */
export class ShardedMediaService implements MediaService {
  readonly #rooms = new Map<string, MediaShard>();
  readonly #placing = new Map<string, Promise<MediaShard>>();
  readonly #listeners = new Set<MediaEventListener>();
  #closed = false;

  constructor(
    readonly shards: MediaShard[],
    /** Remote nodes may hold rooms placed by another app server: look them up before placing. */
    private readonly discover: boolean,
  ) {
    for (const shard of shards) {
      shard.on("event", (e) => {
        if (e.type === "room-closed" && this.#rooms.get(e.roomId) === shard) this.#rooms.delete(e.roomId);
        for (const l of this.#listeners) callListener(l, e, "event", "ShardedMediaService");
      });
      shard.on("died", () => {
        for (const [roomId, s] of this.#rooms) {
          if (s !== shard) continue;
          this.#rooms.delete(roomId);
          for (const l of this.#listeners) callListener(l, { type: "room-closed", roomId, reason: "media-lost" }, "event", "ShardedMediaService");
        }
      });
    }
  }

  onEvent(listener: MediaEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #find(roomId: string): Promise<MediaShard | undefined> {
    const known = this.#rooms.get(roomId);
    if (known) return known;
    if (!this.discover) return undefined;
    for (const shard of this.shards) {
      const found = await shard.request("getRoom", roomId).then(
        () => true,
        () => false,
      );
      if (found) {
        this.#rooms.set(roomId, shard);
        return shard;
      }
    }
    return undefined;
  }

  async #shard(roomId: string): Promise<MediaShard> {
    if (typeof roomId !== "string") throw new AppError(400, "VALIDATION_FAILED", "roomId must be a string");
    const s = await this.#find(roomId);
    if (!s) throw new AppError(404, "ROOM_NOT_FOUND", `No media room ${roomId}`);
    return s;
  }

  /**
   * A new room: on local workers, the least loaded. On remote nodes, which several app servers
   * share, every server must pick the same node for a room even when two of them place it at the
   * same moment (the teacher on one server, a student on another): rendezvous hashing of the room
   * id over the healthy nodes, which needs no coordination and spreads rooms evenly. (Least
   * loaded could split such a room across two nodes, its people unable to see each other.)
   */
  async #place(roomId: string): Promise<MediaShard> {
    const existing = await this.#find(roomId);
    if (existing) return existing;
    let best: MediaShard | undefined;
    let bestScore = -Infinity;
    for (const shard of this.shards) {
      const load = await shard.request("health").then(
        (h) => (h.ok ? h.peers * 1000 + h.rooms : Infinity),
        () => Infinity,
      );
      if (load === Infinity) continue;
      const score = this.discover ? rendezvous(roomId, shard.id) : -load;
      if (score > bestScore) {
        best = shard;
        bestScore = score;
      }
    }
    if (!best) throw new AppError(503, "MEDIA_UNAVAILABLE", "No media worker or node is available");
    return best;
  }

  async health(): Promise<MediaHealth> {
    const all = await Promise.all(this.shards.map((s) => s.request("health").catch(() => undefined)));
    const ok = all.filter((h): h is MediaHealth => !!h && h.ok);
    return {
      ok: ok.length === this.shards.length && ok.length > 0,
      workers: ok.reduce((a, h) => a + h.workers, 0),
      rooms: ok.reduce((a, h) => a + h.rooms, 0),
      peers: ok.reduce((a, h) => a + h.peers, 0),
    };
  }

  async listRooms(): Promise<MediaRoomSummary[]> {
    const all = await Promise.all(this.shards.map((s) => s.request("listRooms")));
    return all.flat();
  }

  async getRoom(roomId: string): Promise<MediaRoomInfo> {
    return (await this.#shard(roomId)).request("getRoom", roomId);
  }

  async joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult> {
    if (this.#closed) throw new AppError(503, "MEDIA_UNAVAILABLE", "Media is shutting down");
    if (typeof roomId !== "string" || roomId.length === 0) throw new AppError(400, "VALIDATION_FAILED", "roomId is required");
    // Two joins of a new room at once must land on the same shard.
    let placing = this.#placing.get(roomId);
    if (!placing) {
      placing = this.#place(roomId);
      this.#placing.set(roomId, placing);
      placing.finally(() => this.#placing.delete(roomId)).catch(() => {});
    }
    const shard = await placing;
    const result = await shard.request("joinPeer", roomId, peerId, userId);
    this.#rooms.set(roomId, shard);
    return result;
  }

  async leavePeer(roomId: string, peerId: string): Promise<void> {
    return (await this.#shard(roomId)).request("leavePeer", roomId, peerId);
  }

  async createTransport(roomId: string, peerId: string, direction: TransportDirection): Promise<CreateTransportResult> {
    return (await this.#shard(roomId)).request("createTransport", roomId, peerId, direction);
  }

  async connectTransport(
    roomId: string,
    peerId: string,
    transportId: string,
    description: SessionDescriptionDto,
  ): Promise<ConnectTransportResult> {
    return (await this.#shard(roomId)).request("connectTransport", roomId, peerId, transportId, description);
  }

  async produce(roomId: string, peerId: string, params: ProduceParams): Promise<ProduceResult> {
    return (await this.#shard(roomId)).request("produce", roomId, peerId, params);
  }

  async consume(roomId: string, peerId: string, params: ConsumeParams): Promise<ConsumeResult> {
    return (await this.#shard(roomId)).request("consume", roomId, peerId, params);
  }

  async closeProducer(roomId: string, producerId: string, peerId?: string): Promise<void> {
    return (await this.#shard(roomId)).request("closeProducer", roomId, producerId, peerId);
  }

  async closeConsumer(roomId: string, consumerId: string, peerId?: string): Promise<void> {
    return (await this.#shard(roomId)).request("closeConsumer", roomId, consumerId, peerId);
  }

  async closeProducersOf(roomId: string, peerId: string, filter?: CloseProducersFilter): Promise<string[]> {
    return (await this.#shard(roomId)).request("closeProducersOf", roomId, peerId, filter);
  }

  async setPreferredLayer(roomId: string, consumerId: string, layer: SimulcastLayer): Promise<void> {
    return (await this.#shard(roomId)).request("setPreferredLayer", roomId, consumerId, layer);
  }

  async requestKeyFrame(roomId: string, consumerId: string): Promise<void> {
    return (await this.#shard(roomId)).request("requestKeyFrame", roomId, consumerId);
  }

  async stats(): Promise<MediaStats> {
    const all = await Promise.all(this.shards.map((s) => s.request("stats")));
    const sum = (k: keyof MediaStats) => all.reduce((a, s) => a + s[k], 0);
    return {
      workers: sum("workers"),
      rooms: sum("rooms"),
      peers: sum("peers"),
      transports: sum("transports"),
      peerConnections: sum("peerConnections"),
      producers: sum("producers"),
      consumers: sum("consumers"),
      udpSockets: sum("udpSockets"),
      timers: sum("timers"),
      packetsForwarded: sum("packetsForwarded"),
      bytesForwarded: sum("bytesForwarded"),
      receiverLossSum: sum("receiverLossSum"),
      receiverLossReports: sum("receiverLossReports"),
      eventLoopActiveMs: sum("eventLoopActiveMs"),
    };
  }

  /** The stats of each shard (worker or node) on its own; null for one that does not answer. */
  async statsByShard(): Promise<{ shardId: string; stats: MediaStats | null }[]> {
    return Promise.all(
      this.shards.map(async (s) => ({ shardId: s.id, stats: await s.request("stats").catch((): null => null) })),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
    this.#rooms.clear();
    this.#listeners.clear();
  }
}

/** Highest-random-weight score of a (room, node) pair: the same on every app server. */
export function rendezvous(roomId: string, shardId: string): number {
  return createHash("sha256").update(`${roomId}\u0000${shardId}`).digest().readUIntBE(0, 6);
}
