import { Redis } from "ioredis";
import { AppError } from "../../errors/index.js";
import { OwnedLiveState } from "./OwnedLiveState.js";
import {
  byJoinOrder,
  type DeadNode,
  type GraceEntry,
  type JoinOutcome,
  type LiveParticipant,
  type LiveState,
  type ParticipantCondition,
  type ParticipantPatch,
  type WaitingEntry,
} from "./LiveState.js";
import { SCRIPTS } from "./redis-scripts.js";

type ScriptName = keyof typeof SCRIPTS;

/** The operations that reach Redis: each fails at once with LIVE_STATE_UNAVAILABLE while Redis is away. */
const GUARDED = [
  "join",
  "get",
  "byUser",
  "list",
  "update",
  "remove",
  "nextHandSeq",
  "startGrace",
  "claimExpiredGrace",
  "addWaiting",
  "removeWaiting",
  "listWaiting",
  "clearRoom",
  "hit",
  "heartbeat",
  "claimDeadNodes",
  "listNodes",
] as const;

export const liveStateUnavailable = () =>
  new AppError("LIVE_STATE_UNAVAILABLE", "The live class state (Redis) is not reachable right now; try again in a few seconds", { retryAfterSeconds: 2 });

/**
 * Live state in Redis, shared by every server process. Per room: a hash of participants
 * (id → JSON), a hash user → participant id, a hash of waiting people, a hand counter; one
 * sorted set of grace periods (score = deadline) for all rooms. Per server process (node): an
 * alive key with a TTL (the heartbeat), membership in the node set, and the set of connections
 * it holds ("p|room|participant|socket", "w|room|user|socket"), so that when a node dies without
 * a word another one can drop its connections. Read-modify-write steps are Lua scripts, so two
 * nodes never interleave inside one (redis-scripts.ts). When Redis is away, operations fail at
 * once (LIVE_STATE_UNAVAILABLE); when it comes back empty, this process writes back what it
 * holds (OwnedLiveState).
 */
export class RedisLiveState implements LiveState {
  readonly kind = "redis" as const;
  private readonly redis: Redis;
  readonly #heartbeating = new Set<string>();
  /** What this process holds, to write back when Redis returns empty. */
  readonly #owned = new OwnedLiveState();
  #everReady = false;
  #heartbeatTtlMs = 10_000;
  /** Set while checking (and restoring) the state after Redis came back; guarded calls wait for it. */
  #reconciling?: Promise<void>;

  /**
   * `prefix` keeps deployments (and parallel test runs) on one Redis apart. `commandTimeoutMs`:
   * a command Redis does not answer (a stopped process) fails after this long.
   */
  constructor(
    url: string,
    private readonly prefix: string,
    opts: { commandTimeoutMs?: number } = {},
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      commandTimeout: opts.commandTimeoutMs ?? 2000,
      retryStrategy: (attempts) => Math.min(100 * attempts, 1000),
    });
    this.redis.on("error", () => {
      /* reconnects by itself; while it is away operations fail with LIVE_STATE_UNAVAILABLE */
    });
    this.redis.on("ready", () => {
      if (this.#everReady) this.#reconciling ??= this.reconcile().finally(() => (this.#reconciling = undefined));
      this.#everReady = true;
    });
    for (const [name, s] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
    const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of GUARDED) {
      const method = self[name];
      if (!method) throw new Error(`RedisLiveState has no method ${name} to guard`);
      const run = method.bind(this);
      self[name] = async (...args: unknown[]) => {
        try {
          // Once connected, a lost connection fails at once instead of queueing behind reconnects.
          if (this.#everReady && this.redis.status !== "ready") throw liveStateUnavailable();
          if (this.#reconciling) await this.#reconciling;
          try {
            return await run(...args);
          } catch (err) {
            if (err instanceof AppError || (err as Error)?.name === "ReplyError") throw err;
            throw liveStateUnavailable();
          }
        } catch (err) {
          if (err instanceof AppError && err.code === "LIVE_STATE_UNAVAILABLE") this.leftWhileAway(name, args);
          throw err;
        }
      };
    }
  }

  /**
   * A participant this process holds left (or its socket dropped) while Redis was away: should
   * Redis come back empty, it is written back in its grace period (ending now for a leave), so
   * that it leaves through the usual path instead of staying in the room without a socket.
   */
  private leftWhileAway(name: string, args: unknown[]) {
    if (name === "startGrace") {
      const [roomId, id, socketId, now, until] = args as [string, string, string, number, number];
      this.#owned.leftWhileAway(roomId, id, socketId, now, until);
    } else if (name === "remove") {
      const [roomId, id, cond] = args as [string, string, ParticipantCondition | undefined];
      const now = Date.now();
      this.#owned.leftWhileAway(roomId, id, cond?.socketId, now, now);
    }
  }

  /** Redis answers a PING within `timeoutMs`; its round trip. */
  async health(timeoutMs = 500): Promise<{ ok: boolean; latencyMs?: number }> {
    if (this.#everReady && this.redis.status !== "ready") return { ok: false };
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      const ok = await Promise.race([
        this.redis.ping().then(
          () => true,
          () => false,
        ),
        late,
      ]);
      return ok ? { ok: true, latencyMs: performance.now() - started } : { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  private k(roomId: string, part: "p" | "u" | "w" | "hseq") {
    return `${this.prefix}room:${roomId}:${part}`;
  }
  private get graceKey() {
    return `${this.prefix}grace`;
  }
  private get nodesKey() {
    return `${this.prefix}nodes`;
  }
  private nodeKey(nodeId: string, part: "alive" | "m" | "state") {
    return `${this.prefix}node:${nodeId}:${part}`;
  }

  private run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return (this.redis as unknown as Record<ScriptName, (...scriptArgs: (string | number)[]) => Promise<unknown>>)[name](...args);
  }

  async join(candidate: LiveParticipant, max: number, exempt: boolean): Promise<JoinOutcome> {
    const result = (await this.run(
      "vtpJoin",
      this.k(candidate.roomId, "p"),
      this.k(candidate.roomId, "u"),
      this.graceKey,
      JSON.stringify(candidate),
      max,
      exempt ? "1" : "0",
      candidate.userId,
      candidate.socketId,
      candidate.roomId,
      this.prefix,
      candidate.nodeId ?? "",
    )) as string[];
    if (result[0] === "full") return { kind: "full" };
    const participant = parse(result[1]);
    if (participant.nodeId) this.#owned.holds(participant);
    if (result[0] === "joined") return { kind: "joined", participant, count: Number(result[2]) };
    return { kind: "resumed", participant, previousSocketId: result[2], wasConnected: result[3] === "1" };
  }

  async get(roomId: string, id: string) {
    const raw = await this.redis.hget(this.k(roomId, "p"), id);
    return raw ? parse(raw) : undefined;
  }

  async byUser(roomId: string, userId: string) {
    const id = await this.redis.hget(this.k(roomId, "u"), userId);
    return id ? this.get(roomId, id) : undefined;
  }

  async list(roomId: string) {
    return (await this.redis.hvals(this.k(roomId, "p"))).map(parse).sort(byJoinOrder);
  }

  async update(roomId: string, id: string, patch: ParticipantPatch, cond: ParticipantCondition = {}) {
    const raw = (await this.run("vtpPatch", this.k(roomId, "p"), id, JSON.stringify(patch), JSON.stringify(cond))) as string | null;
    const participant = raw ? parse(raw) : undefined;
    if (participant) this.#owned.changed(participant);
    return participant;
  }

  async remove(roomId: string, id: string, cond: ParticipantCondition = {}) {
    const raw = (await this.run("vtpRemove", this.k(roomId, "p"), this.k(roomId, "u"), this.graceKey, id, JSON.stringify(cond), roomId, this.prefix)) as
      | string
      | null;
    if (raw) this.#owned.removed(roomId, id);
    return raw ? parse(raw) : undefined;
  }

  async nextHandSeq(roomId: string) {
    return this.redis.incr(this.k(roomId, "hseq"));
  }

  async startGrace(roomId: string, id: string, socketId: string, now: number, until: number) {
    const participant = await this.update(roomId, id, { connected: false, disconnectedAt: now }, { socketId });
    // Not atomic with the update: a resume in between leaves a stale entry, which the
    // conditional remove at expiry ignores (the socket id no longer matches).
    if (participant) {
      this.#owned.graceStarted(roomId, id, until);
      const multi = this.redis.multi().zadd(this.graceKey, until, `${roomId}|${id}|${socketId}`);
      if (participant.nodeId) multi.srem(this.nodeKey(participant.nodeId, "m"), entry("p", roomId, id, socketId));
      await multi.exec();
    }
    return participant;
  }

  async claimExpiredGrace(now: number, max = 100) {
    const members = await this.redis.zrangebyscore(this.graceKey, "-inf", now, "LIMIT", 0, max);
    const out: GraceEntry[] = [];
    for (const m of members) {
      if ((await this.redis.zrem(this.graceKey, m)) !== 1) continue; // another node took it
      const [roomId, participantId, socketId] = m.split("|");
      if (roomId && participantId && socketId) out.push({ roomId, participantId, socketId });
    }
    return out;
  }

  async addWaiting(roomId: string, waiting: WaitingEntry) {
    const multi = this.redis.multi().hset(this.k(roomId, "w"), waiting.userId, JSON.stringify(waiting));
    if (waiting.nodeId) multi.sadd(this.nodeKey(waiting.nodeId, "m"), entry("w", roomId, waiting.userId, waiting.socketId));
    await multi.exec();
    if (waiting.nodeId) this.#owned.waitingAdded(roomId, waiting);
  }

  async removeWaiting(roomId: string, userId: string, socketId?: string) {
    const raw = (await this.run("vtpTakeWaiting", this.k(roomId, "w"), userId, socketId ?? "")) as string | null;
    if (!raw) return undefined;
    const waiting = JSON.parse(raw) as WaitingEntry;
    this.#owned.waitingRemoved(roomId, userId);
    if (waiting.nodeId) await this.redis.srem(this.nodeKey(waiting.nodeId, "m"), entry("w", roomId, waiting.userId, waiting.socketId));
    return waiting;
  }

  async listWaiting(roomId: string) {
    return (await this.redis.hvals(this.k(roomId, "w"))).map((s) => JSON.parse(s) as WaitingEntry).sort((a, b) => a.since - b.since);
  }

  async clearRoom(roomId: string) {
    this.#owned.roomCleared(roomId);
    const res = await this.redis
      .multi()
      .hvals(this.k(roomId, "p"))
      .hvals(this.k(roomId, "w"))
      .del(this.k(roomId, "p"), this.k(roomId, "u"), this.k(roomId, "w"), this.k(roomId, "hseq"))
      .exec();
    const participants = ((res?.[0]?.[1] as string[] | undefined) ?? []).map(parse).sort(byJoinOrder);
    const waiting = ((res?.[1]?.[1] as string[] | undefined) ?? []).map((s) => JSON.parse(s) as WaitingEntry);
    if (participants.length) await this.redis.zrem(this.graceKey, ...participants.map((p) => `${roomId}|${p.id}|${p.socketId}`));
    const forget: [string, string][] = [
      ...participants.flatMap((p): [string, string][] => (p.nodeId ? [[this.nodeKey(p.nodeId, "m"), entry("p", roomId, p.id, p.socketId)]] : [])),
      ...waiting.flatMap((w): [string, string][] => (w.nodeId ? [[this.nodeKey(w.nodeId, "m"), entry("w", roomId, w.userId, w.socketId)]] : [])),
    ];
    if (forget.length) await this.redis.pipeline(forget.map(([key, member]) => ["srem", key, member])).exec();
    return { participants, waiting };
  }

  async hit(key: string, max: number, windowMs: number) {
    const hits = Number(await this.run("vtpHit", `${this.prefix}rl:${key}`, windowMs));
    return hits <= max;
  }

  async heartbeat(nodeId: string, ttlMs: number) {
    // The state key (a day's TTL, renewed here) is never touched by other nodes: when it is gone, Redis lost everything.
    const res = await this.redis
      .multi()
      .exists(this.nodeKey(nodeId, "state"))
      .set(this.nodeKey(nodeId, "state"), "1", "PX", 86_400_000)
      .sadd(this.nodesKey, nodeId)
      .set(this.nodeKey(nodeId, "alive"), String(Date.now()), "PX", ttlMs)
      .exec();
    this.#heartbeatTtlMs = ttlMs;
    const hadState = res?.[0]?.[1] === 1;
    const added = res?.[2]?.[1] === 1;
    const first = !this.#heartbeating.has(nodeId);
    this.#heartbeating.add(nodeId);
    if (!first && !hadState) {
      await this.restore();
      return true;
    }
    // Added back although it had been in the set: another node declared this one dead.
    return first || !added;
  }

  /** After a reconnect: when Redis lost this process's state (restarted empty), write it back. */
  private async reconcile(): Promise<void> {
    try {
      for (const nodeId of this.#heartbeating) {
        if ((await this.redis.exists(this.nodeKey(nodeId, "state"))) === 0) {
          await this.restore();
          return;
        }
      }
    } catch {
      /* Redis went away again: the next heartbeat checks again */
    }
  }

  /**
   * Writes back what this process holds: its participants (unless another node wrote them
   * first), their users, hand counters, grace periods and connection sets, its waiting
   * entries, and its place among the nodes.
   */
  private async restore(): Promise<void> {
    const multi = this.redis.multi();
    const handSeq = new Map<string, number>();
    for (const { p: participant, graceUntil } of this.#owned.participants.values()) {
      multi.hsetnx(this.k(participant.roomId, "p"), participant.id, JSON.stringify(participant));
      multi.hsetnx(this.k(participant.roomId, "u"), participant.userId, participant.id);
      handSeq.set(participant.roomId, Math.max(handSeq.get(participant.roomId) ?? 0, participant.handSeq ?? 0));
      if (!participant.connected && graceUntil !== null)
        multi.zadd(this.graceKey, graceUntil, `${participant.roomId}|${participant.id}|${participant.socketId}`);
      else if (participant.nodeId) multi.sadd(this.nodeKey(participant.nodeId, "m"), entry("p", participant.roomId, participant.id, participant.socketId));
    }
    for (const [roomId, n] of handSeq) multi.set(this.k(roomId, "hseq"), String(n), "NX");
    for (const { roomId, e } of this.#owned.waitingEntries()) {
      multi.hsetnx(this.k(roomId, "w"), e.userId, JSON.stringify(e));
      if (e.nodeId) multi.sadd(this.nodeKey(e.nodeId, "m"), entry("w", roomId, e.userId, e.socketId));
    }
    for (const nodeId of this.#heartbeating) {
      multi.sadd(this.nodesKey, nodeId).set(this.nodeKey(nodeId, "state"), "1", "PX", 86_400_000);
      multi.set(this.nodeKey(nodeId, "alive"), String(Date.now()), "PX", this.#heartbeatTtlMs);
    }
    await multi.exec();
  }

  async claimDeadNodes() {
    const out: DeadNode[] = [];
    for (const nodeId of await this.redis.smembers(this.nodesKey)) {
      const members = (await this.run("vtpClaimNode", this.nodesKey, this.nodeKey(nodeId, "alive"), this.nodeKey(nodeId, "m"), nodeId)) as string[] | null;
      if (!members) continue;
      const dead: DeadNode = { nodeId, participants: [], waiting: [] };
      for (const m of members) {
        const [kind, roomId, id, socketId] = m.split("|");
        if (!roomId || !id || !socketId) continue;
        if (kind === "p") dead.participants.push({ roomId, participantId: id, socketId });
        else if (kind === "w") dead.waiting.push({ roomId, userId: id, socketId });
      }
      out.push(dead);
    }
    return out;
  }

  async listNodes() {
    const ids = (await this.redis.smembers(this.nodesKey)).sort();
    const alive = await Promise.all(ids.map((id) => this.redis.exists(this.nodeKey(id, "alive"))));
    return ids.filter((_, i) => alive[i] === 1);
  }

  async forgetNode(nodeId: string) {
    this.#heartbeating.delete(nodeId);
    await this.redis.multi().srem(this.nodesKey, nodeId).del(this.nodeKey(nodeId, "alive"), this.nodeKey(nodeId, "m"), this.nodeKey(nodeId, "state")).exec();
  }

  async close() {
    this.redis.disconnect();
  }
}

/** A connection in a node's set (the join and remove scripts write the same shape in Lua). */
function entry(kind: "p" | "w", roomId: string, id: string, socketId: string): string {
  return `${kind}|${roomId}|${id}|${socketId}`;
}

function parse(raw: string): LiveParticipant {
  return JSON.parse(raw) as LiveParticipant;
}
