import { AppError } from "../errors/index.js";
import type { JoinPeerResult, MediaEventListener, MediaMethod, MediaOperations, MediaService } from "./MediaService.js";
import type { MediaEvent, MediaHealth, MediaRoomSummary, MediaStats } from "./types.js";
import type { PlacementCandidate, PlacementPolicy } from "./Placement.js";
import { ROOM_SCOPED_METHODS, type RoomScopedMethod } from "./rpc/table.js";
import { MEDIA_STAT_NAMES } from "./rpc/schemas.js";
import type { MediaLogger } from "./log.js";

/** A place rooms can live on: a local media worker, or a remote media node. */
export interface MediaShard {
  readonly id: string;
  request<M extends MediaMethod>(method: M, ...args: Parameters<MediaOperations[M]>): ReturnType<MediaOperations[M]>;
  on(event: "event", listener: (mediaEvent: MediaEvent) => void): unknown;
  on(event: "died", listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

export interface ShardedMediaOptions {
  /** Where a new room goes (least loaded for local workers, rendezvous hashing for nodes). */
  placement: PlacementPolicy;
  /** Remote nodes may hold rooms placed by another app server: look them up before placing. */
  discover: boolean;
  log: MediaLogger;
}

/** The room-scoped operations (the table's `scope: "room"`), defined once below for all of them. */
export interface ShardedMediaService extends Pick<MediaOperations, RoomScopedMethod> {}

/**
 * The MediaService over several shards: each room lives on exactly one shard, chosen on first
 * join by the placement policy. Used for the in-process workers and for the remote media nodes
 * alike. Room-scoped calls go to the room's shard; health, listRooms and stats gather all shards.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class's prototype gets these operations from the RPC table below; the interface above types them.
export class ShardedMediaService implements MediaService {
  readonly #rooms = new Map<string, MediaShard>();
  readonly #placing = new Map<string, Promise<MediaShard>>();
  readonly #listeners = new Set<MediaEventListener>();
  readonly #log: MediaLogger;
  #closed = false;

  static {
    for (const method of ROOM_SCOPED_METHODS) {
      Object.defineProperty(ShardedMediaService.prototype, method, {
        configurable: true,
        writable: true,
        value: async function (this: ShardedMediaService, roomId: string, ...rest: unknown[]) {
          const shard = await this.#shard(roomId);
          return (shard.request as (shardMethod: MediaMethod, ...shardArgs: unknown[]) => Promise<unknown>)(method, roomId, ...rest);
        },
      });
    }
  }

  constructor(
    readonly shards: MediaShard[],
    private readonly options: ShardedMediaOptions,
  ) {
    this.#log = options.log;
    for (const shard of shards) {
      shard.on("event", (event) => {
        if (event.type === "room-closed" && this.#rooms.get(event.roomId) === shard) this.#rooms.delete(event.roomId);
        this.#dispatch(event);
      });
      shard.on("died", (err) => {
        const lost = [...this.#rooms].filter(([, s]) => s === shard).map(([roomId]) => roomId);
        this.#log.warn({ shard: shard.id, err, rooms: lost.length }, "media shard lost; its rooms start over");
        for (const roomId of lost) {
          this.#rooms.delete(roomId);
          this.#dispatch({ type: "room-closed", roomId, reason: "media-lost" });
        }
      });
    }
  }

  /** Every listener hears every event; one that throws is logged and the others still run. */
  #dispatch(event: MediaEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#log.error({ err, event: event.type }, "a media event listener threw; the other listeners still ran");
      }
    }
  }

  onEvent(listener: MediaEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #find(roomId: string): Promise<MediaShard | undefined> {
    const known = this.#rooms.get(roomId);
    if (known) return known;
    if (!this.options.discover) return undefined;
    for (const shard of this.shards) {
      const found = await shard.request("getRoom", roomId).then(
        () => true,
        (err: unknown) => {
          if ((err as AppError).code !== "ROOM_NOT_FOUND") this.#log.debug({ err, shard: shard.id, roomId }, "media shard did not answer getRoom");
          return false;
        },
      );
      if (found) {
        this.#rooms.set(roomId, shard);
        return shard;
      }
    }
    return undefined;
  }

  async #shard(roomId: string): Promise<MediaShard> {
    if (typeof roomId !== "string") throw new AppError("VALIDATION_FAILED", "roomId must be a string");
    const shard = await this.#find(roomId);
    if (!shard) throw new AppError("ROOM_NOT_FOUND", `No media room ${roomId}`);
    return shard;
  }

  /** A new room: the placement policy chooses among the shards that report healthy. */
  async #place(roomId: string): Promise<MediaShard> {
    const existing = await this.#find(roomId);
    if (existing) return existing;
    const healths = await Promise.all(
      this.shards.map((shard) =>
        shard.request("health").catch((err: unknown) => {
          this.#log.warn({ err, shard: shard.id }, "media shard did not answer health; no room is placed on it");
          return undefined;
        }),
      ),
    );
    const candidates: PlacementCandidate[] = [];
    healths.forEach((health, i) => {
      if (health?.ok) candidates.push({ shardId: this.shards[i].id, health });
    });
    const chosen = this.options.placement.choose(roomId, candidates);
    const best = this.shards.find((s) => s.id === chosen);
    if (!best) throw new AppError("MEDIA_UNAVAILABLE", "No media worker or node is available");
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

  async joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult> {
    if (this.#closed) throw new AppError("MEDIA_UNAVAILABLE", "Media is shutting down");
    if (typeof roomId !== "string" || roomId.length === 0) throw new AppError("VALIDATION_FAILED", "roomId is required");
    // Two joins of a new room at once must land on the same shard. The room is the shard's from
    // the moment it is chosen: a join that comes while the first joinPeer is still on its way
    // must find it there, not place the room again (the chosen shard already counts the first
    // peer, so least-loaded would pick another one and split the class).
    let placing = this.#placing.get(roomId);
    if (!placing) {
      placing = this.#place(roomId).then((chosen) => {
        if (!this.#rooms.has(roomId)) this.#rooms.set(roomId, chosen);
        return this.#rooms.get(roomId) ?? chosen;
      });
      this.#placing.set(roomId, placing);
      placing.finally(() => this.#placing.delete(roomId)).catch(() => {});
    }
    const shard = await placing;
    const result = await shard.request("joinPeer", roomId, peerId, userId);
    this.#rooms.set(roomId, shard);
    return result;
  }

  async stats(): Promise<MediaStats> {
    const all = await Promise.all(this.shards.map((s) => s.request("stats")));
    return Object.fromEntries(MEDIA_STAT_NAMES.map((k) => [k, all.reduce((a, st) => a + st[k], 0)])) as unknown as MediaStats;
  }

  /** The stats of each shard (worker or node) on its own; null for one that does not answer. */
  async statsByShard(): Promise<{ shardId: string; stats: MediaStats | null }[]> {
    return Promise.all(this.shards.map(async (s) => ({ shardId: s.id, stats: await s.request("stats").catch((): null => null) })));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
    this.#rooms.clear();
    this.#listeners.clear();
  }
}
