import { AppError } from "../errors/index.js";
import type { JoinPeerResult, MediaEventListener, MediaMethod, MediaService, PipeOperations, PipeStatus, ShardOperations } from "./MediaService.js";
import type { MediaEvent, MediaHealth, MediaRoomInfo, MediaRoomSummary, MediaStats, ProducerInfo } from "./types.js";
import { spreadAfter, type PlacementCandidate, type PlacementPolicy, type SpreadPolicy } from "./Placement.js";
import { ROOM_SCOPED_METHODS, type RoomScopedMethod } from "./rpc/table.js";
import { MEDIA_STAT_NAMES } from "./rpc/schemas.js";
import type { MediaLogger } from "./log.js";
import { RoomShards, routeOf, type MediaShard, type PipeRecord, type RoomPlacement } from "./RoomShards.js";
import type { PipeOrigin } from "./pipe/PipeIn.js";
import { PIPE_CHECK_MS, PipeKeeper } from "./pipe/PipeKeeper.js";

export type { MediaShard } from "./RoomShards.js";

export interface ShardedMediaOptions {
  /** Where a new room goes (least loaded for local workers, rendezvous hashing for nodes). */
  placement: PlacementPolicy;
  /** Where a later peer of a room goes (default: never off the room's home shard). */
  spread?: SpreadPolicy;
  /** Remote nodes may hold rooms placed by another app server: look them up before placing. */
  discover: boolean;
  log: MediaLogger;
}

/** The room-scoped operations (the table's `scope: "room"`), defined once below for all of them. */
export interface ShardedMediaService extends Pick<ShardOperations, RoomScopedMethod> {}

/**
 * The MediaService over several shards (local workers, or remote media nodes). A room is placed
 * on a home shard on its first join (the placement policy); later peers may go to other shards
 * (the spread policy), and a producer is piped, once per shard, to every shard whose peers
 * consume it (pipe/). Peer-scoped calls go to the peer's shard; room-wide ones to all its shards.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class's prototype gets these operations from the RPC table below; the interface above types them.
export class ShardedMediaService implements MediaService, PipeOperations {
  readonly #rooms = new Map<string, RoomShards>();
  readonly #placing = new Map<string, Promise<RoomShards>>();
  readonly #listeners = new Set<MediaEventListener>();
  readonly #log: MediaLogger;
  readonly #spread: SpreadPolicy;
  readonly #keeper: PipeKeeper;
  readonly #keeperTimer: NodeJS.Timeout;
  #closed = false;

  static {
    for (const method of ROOM_SCOPED_METHODS) {
      if (method === "getRoom" || method === "consume") continue;
      Object.defineProperty(ShardedMediaService.prototype, method, {
        configurable: true,
        writable: true,
        value: async function (this: ShardedMediaService, roomId: string, ...rest: unknown[]) {
          const room = await this.#room(roomId);
          const shard = routeOf(room, method, rest);
          const result = await (shard.request as (shardMethod: MediaMethod, ...shardArgs: unknown[]) => Promise<unknown>)(method, roomId, ...rest);
          if (method === "leavePeer") {
            room.peers.delete(rest[0] as string);
            room.transports.delete(rest[0] as string);
          }
          if (method === "createTransport") {
            const { transportId, direction } = result as { transportId: string; direction: "send" | "recv" };
            const peerId = rest[0] as string;
            if (!room.transports.has(peerId)) room.transports.set(peerId, new Map());
            room.transports.get(peerId)?.set(transportId, direction);
          }
          return result;
        },
      });
    }
  }

  constructor(
    readonly shards: MediaShard[],
    private readonly options: ShardedMediaOptions,
  ) {
    this.#log = options.log;
    this.#spread = options.spread ?? spreadAfter(Number.POSITIVE_INFINITY);
    this.#keeper = new PipeKeeper(this.#log);
    this.#keeperTimer = setInterval(() => void this.#keeper.check(this.#rooms.values()), PIPE_CHECK_MS);
    this.#keeperTimer.unref();
    for (const shard of shards) {
      shard.on("event", (event) => this.#onShardEvent(shard, event));
      shard.on("died", (err) => this.#onShardDied(shard, err));
    }
  }

  #onShardEvent(shard: MediaShard, event: MediaEvent): void {
    const room = this.#rooms.get(event.roomId);
    switch (event.type) {
      case "producer-new":
        room?.producers.set(event.producer.producerId, { shard, info: event.producer });
        break;
      case "producer-closed":
        if (room) this.#closePipeEnds(room.dropProducer(event.producerId), "dest");
        break;
      case "consumer-closed":
        room?.consumers.delete(event.consumerId);
        break;
      case "transport-closed":
        room?.transports.get(event.peerId)?.delete(event.transportId);
        break;
      case "room-closed":
        if (!room) break;
        // A node lost the worker holding its part of the room: as if that part's shard died.
        if (event.reason === "media-lost") {
          this.#lose(room, shard);
          return;
        }
        // One shard's part of the room closed (its last peer there left): the room lives on
        // while another shard holds it.
        this.#closePipeEnds(room.dropShard(shard), "both", shard);
        if (room.shards.size > 0) return;
        this.#rooms.delete(event.roomId);
        break;
      default:
        break;
    }
    this.#dispatch(event);
  }

  /**
   * A shard died. A room whose home it was starts over for everyone (`room-closed`, media-lost,
   * as before pipes); its other shards let their peers go. A room it held only some peers of:
   * those peers' transports are reported failed (each of them resets its media and joins again,
   * on a living shard) and the producers published there are closed for everyone else.
   */
  #onShardDied(shard: MediaShard, err: Error): void {
    const lost = [...this.#rooms.values()].filter((room) => room.shards.has(shard));
    this.#log.warn({ shard: shard.id, err, rooms: lost.length }, "media shard lost; its peers start over");
    for (const room of lost) this.#lose(room, shard);
  }

  /** A room's part on `shard` is gone (see #onShardDied). */
  #lose(room: RoomShards, shard: MediaShard): void {
    const roomId = room.roomId;
    if (room.home === shard) {
      this.#rooms.delete(roomId);
      for (const [peerId, s] of room.peers) if (s !== shard) void s.request("leavePeer", roomId, peerId).catch(() => {});
      this.#dispatch({ type: "room-closed", roomId, reason: "media-lost" });
      return;
    }
    const peers = [...room.peers].filter(([, s]) => s === shard).map(([peerId]) => peerId);
    const producers = [...room.producers].filter(([, p]) => p.shard === shard);
    this.#closePipeEnds(room.dropShard(shard), "both", shard);
    for (const [producerId, { info }] of producers) {
      room.producers.delete(producerId);
      this.#dispatch({ type: "producer-closed", roomId, peerId: info.peerId, producerId, reason: "transport-closed" });
    }
    for (const peerId of peers) {
      for (const [transportId, direction] of room.transports.get(peerId) ?? [])
        this.#dispatch({ type: "transport-closed", roomId, peerId, transportId, direction, reason: "failed" });
      room.transports.delete(peerId);
    }
  }

  /** Close the surviving ends of dropped pipes (not those on `gone`). */
  #closePipeEnds(pipes: PipeRecord[], which: "dest" | "both", gone?: MediaShard): void {
    for (const pipe of pipes) {
      const ends = which === "dest" ? [pipe.dest] : [pipe.origin, pipe.dest];
      for (const end of ends) {
        if (end === gone) continue;
        end.request("closePipe", pipe.roomId, pipe.pipeId).catch((err: unknown) => this.#log.debug({ err, pipe: pipe.pipeId }, "closing a pipe end failed"));
      }
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

  async #find(roomId: string): Promise<RoomShards | undefined> {
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
        const room = this.#rooms.get(roomId) ?? new RoomShards(roomId, shard);
        this.#rooms.set(roomId, room);
        return room;
      }
    }
    return undefined;
  }

  async #room(roomId: string): Promise<RoomShards> {
    if (typeof roomId !== "string") throw new AppError("VALIDATION_FAILED", "roomId must be a string");
    const room = await this.#find(roomId);
    if (!room) throw new AppError("ROOM_NOT_FOUND", `No media room ${roomId}`);
    return room;
  }

  async #candidates(): Promise<PlacementCandidate[]> {
    const healths = await Promise.all(
      this.shards.map((shard) =>
        shard.request("health").catch((err: unknown) => {
          this.#log.warn({ err, shard: shard.id }, "media shard did not answer health; nothing is placed on it");
          return undefined;
        }),
      ),
    );
    const candidates: PlacementCandidate[] = [];
    healths.forEach((health, i) => {
      if (health?.ok) candidates.push({ shardId: this.shards[i].id, health });
    });
    return candidates;
  }

  /** A new room: the placement policy chooses among the shards that report healthy. */
  async #place(roomId: string): Promise<RoomShards> {
    const existing = await this.#find(roomId);
    if (existing) return existing;
    const chosen = this.options.placement.choose(roomId, await this.#candidates());
    const best = this.shards.find((s) => s.id === chosen);
    if (!best) throw new AppError("MEDIA_UNAVAILABLE", "No media worker or node is available");
    const room = this.#rooms.get(roomId) ?? new RoomShards(roomId, best);
    this.#rooms.set(roomId, room);
    return room;
  }

  /** A later peer of a room: its home shard, or another one when the spread policy says so. */
  async #placePeer(room: RoomShards, peerId: string): Promise<MediaShard> {
    const known = room.peers.get(peerId);
    if (known) return known;
    if (this.shards.length < 2 || room.peers.size === 0) return room.home;
    const chosen = await this.#spread.choose({ roomId: room.roomId, home: room.home.id, roomPeers: room.peerCounts(), candidates: () => this.#candidates() });
    return this.shards.find((s) => s.id === chosen) ?? room.home;
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

  /** The room as all its shards hold it: the home's summary, every shard's peers. */
  async getRoom(roomId: string): Promise<MediaRoomInfo> {
    const room = await this.#room(roomId);
    const parts = await Promise.all([room.home, ...[...room.shards].filter((s) => s !== room.home)].map((s) => s.request("getRoom", roomId)));
    const [first, ...rest] = parts;
    return {
      ...first,
      peers: parts.reduce((a, p) => a + p.peers, 0),
      producers: room.producers.size || first.producers,
      consumers: parts.reduce((a, p) => a + p.consumers, 0),
      peerList: [...first.peerList, ...rest.flatMap((p) => p.peerList)],
    };
  }

  async joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult> {
    if (this.#closed) throw new AppError("MEDIA_UNAVAILABLE", "Media is shutting down");
    if (typeof roomId !== "string" || roomId.length === 0) throw new AppError("VALIDATION_FAILED", "roomId is required");
    // Two joins of a new room at once must land on the same home shard: the room is the shard's
    // from the moment it is chosen.
    let placing = this.#placing.get(roomId);
    if (!placing) {
      placing = this.#place(roomId);
      this.#placing.set(roomId, placing);
      placing.finally(() => this.#placing.delete(roomId)).catch(() => {});
    }
    const room = await placing;
    const shard = await this.#placePeer(room, peerId);
    const result = await shard.request("joinPeer", roomId, peerId, userId);
    room.shards.add(shard);
    room.peers.set(peerId, shard);
    if (!this.#rooms.has(roomId)) this.#rooms.set(roomId, room);
    // Producers published on the room's other shards are this peer's to consume too.
    const seen = new Set(result.producers.map((p) => p.producerId));
    const others: ProducerInfo[] = [];
    for (const { shard: origin, info } of room.producers.values()) {
      if (origin !== shard && !seen.has(info.producerId)) others.push(info);
    }
    return others.length ? { ...result, producers: [...result.producers, ...others] } : result;
  }

  async consume(...args: Parameters<ShardOperations["consume"]>): ReturnType<ShardOperations["consume"]> {
    const [roomId, peerId, params] = args;
    const room = await this.#room(roomId);
    const dest = room.shardOf(peerId);
    // A producer whose producer-new has not reached this service yet (a remote node's events
    // may trail its answers) is looked for on the home, where publishers join.
    const known = room.producers.get(params.producerId)?.shard;
    const origin = known ?? room.home;
    if (origin !== dest) {
      await this.#pipe(room, params.producerId, origin, dest).catch((err: unknown) => {
        if (known || (err as AppError).code !== "PRODUCER_NOT_FOUND") throw err;
      });
    }
    const result = await dest.request("consume", roomId, peerId, params);
    room.consumers.set(result.consumerId, dest);
    return result;
  }

  /** The producer available on `dest`: a pipe from its origin, set up once per destination. */
  #pipe(room: RoomShards, producerId: string, origin: MediaShard, dest: MediaShard): Promise<PipeRecord> {
    const key = `${producerId}>${dest.id}`;
    let pipe = room.pipes.get(key);
    if (!pipe) {
      pipe = (async () => {
        const out = await origin.request("pipeOut", room.roomId, producerId);
        const record: PipeRecord = { roomId: room.roomId, pipeId: out.origin.pipeId, producerId, origin, dest };
        try {
          await dest.request("pipeIn", room.roomId, out.origin, out.producer);
        } catch (err) {
          void origin.request("closePipe", room.roomId, record.pipeId).catch(() => {});
          throw err;
        }
        room.settled.push(record);
        this.#log.debug({ roomId: room.roomId, producerId, from: origin.id, to: dest.id }, "producer piped");
        return record;
      })();
      room.pipes.set(key, pipe);
      pipe.catch(() => room.pipes.delete(key));
    }
    return pipe;
  }

  // Pipe set-up for a service that is itself a shard (a media node over its own workers).
  async pipeOut(roomId: string, producerId: string): Promise<{ origin: PipeOrigin; producer: ProducerInfo }> {
    const room = await this.#room(roomId);
    return (room.producers.get(producerId)?.shard ?? room.home).request("pipeOut", roomId, producerId);
  }

  async pipeIn(roomId: string, origin: PipeOrigin, producer: ProducerInfo): Promise<void> {
    const room = await this.#room(roomId);
    await room.home.request("pipeIn", roomId, origin, producer);
    // Consumers on this node's other workers pipe it on from there.
    room.producers.set(producer.producerId, { shard: room.home, info: producer });
  }

  async closePipe(roomId: string, pipeId: string): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room) await Promise.all([...room.shards].map((s) => s.request("closePipe", roomId, pipeId).catch(() => {})));
  }

  async pipeStatus(): Promise<PipeStatus[]> {
    return (await this.pipesByShard()).flatMap((s) => s.pipes ?? []);
  }

  /** Each shard's pipe ends; null for a shard that does not answer. */
  async pipesByShard(): Promise<{ shardId: string; pipes: PipeStatus[] | null }[]> {
    return Promise.all(this.shards.map(async (s) => ({ shardId: s.id, pipes: await s.request("pipeStatus").catch((): null => null) })));
  }

  /** Pipes set up again after they broke, since start. */
  get pipesRebuilt(): number {
    return this.#keeper.rebuilt;
  }

  /** Where each room lives: its home shard and the shards holding its peers, with how many. */
  placement(): RoomPlacement[] {
    return [...this.#rooms.values()].map((room) => room.placement());
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
    clearInterval(this.#keeperTimer);
    await Promise.all(this.shards.map((s) => s.close()));
    this.#rooms.clear();
    this.#listeners.clear();
  }
}
