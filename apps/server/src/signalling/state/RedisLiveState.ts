import { Redis } from "ioredis";
import { byJoinOrder, type DeadNode, type GraceEntry, type JoinOutcome, type LiveParticipant, type LiveState, type ParticipantCondition, type ParticipantPatch, type WaitingEntry } from "./LiveState.js";

/**
 * Live state in Redis, shared by every server process. Per room: a hash of participants
 * (id → JSON), a hash user → participant id, a hash of waiting people, a hand counter; one
 * sorted set of grace periods (score = deadline) for all rooms. Per server process (node): an
 * alive key with a TTL (the heartbeat), membership in the node set, and the set of connections
 * it holds ("p|room|participant|socket", "w|room|user|socket"), so that when a node dies without
 * a word another one can drop its connections. Read-modify-write steps are Lua scripts, so two
 * nodes never interleave inside one.
 */
const SCRIPTS = {
  vtpJoin: {
    keys: 3,
    lua: `
local pid = redis.call('HGET', KEYS[2], ARGV[4])
if pid then
  local raw = redis.call('HGET', KEYS[1], pid)
  if raw then
    local p = cjson.decode(raw)
    local prev = p.socketId
    local was = p.connected
    redis.call('ZREM', KEYS[3], ARGV[6] .. '|' .. pid .. '|' .. prev)
    if p.nodeId then redis.call('SREM', ARGV[7] .. 'node:' .. p.nodeId .. ':m', 'p|' .. ARGV[6] .. '|' .. pid .. '|' .. prev) end
    p.socketId = ARGV[5]
    p.connected = true
    p.disconnectedAt = cjson.null
    if ARGV[8] ~= '' then
      p.nodeId = ARGV[8]
      redis.call('SADD', ARGV[7] .. 'node:' .. ARGV[8] .. ':m', 'p|' .. ARGV[6] .. '|' .. pid .. '|' .. ARGV[5])
    end
    local out = cjson.encode(p)
    redis.call('HSET', KEYS[1], pid, out)
    local w = '0'
    if was then w = '1' end
    return {'resumed', out, prev, w}
  end
end
local n = redis.call('HLEN', KEYS[1])
if ARGV[3] ~= '1' and n >= tonumber(ARGV[2]) then return {'full'} end
local c = cjson.decode(ARGV[1])
redis.call('HSET', KEYS[1], c.id, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[4], c.id)
if ARGV[8] ~= '' then redis.call('SADD', ARGV[7] .. 'node:' .. ARGV[8] .. ':m', 'p|' .. ARGV[6] .. '|' .. c.id .. '|' .. ARGV[5]) end
return {'joined', ARGV[1], tostring(n + 1)}`,
  },
  vtpPatch: {
    keys: 1,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local p = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[3])) do if p[k] ~= v then return false end end
for k, v in pairs(cjson.decode(ARGV[2])) do p[k] = v end
local out = cjson.encode(p)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out`,
  },
  vtpRemove: {
    keys: 3,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local p = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[2])) do if p[k] ~= v then return false end end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], p.userId) == ARGV[1] then redis.call('HDEL', KEYS[2], p.userId) end
redis.call('ZREM', KEYS[3], ARGV[3] .. '|' .. ARGV[1] .. '|' .. p.socketId)
if p.nodeId then redis.call('SREM', ARGV[4] .. 'node:' .. p.nodeId .. ':m', 'p|' .. ARGV[3] .. '|' .. ARGV[1] .. '|' .. p.socketId) end
return raw`,
  },
  vtpTakeWaiting: {
    keys: 1,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
if ARGV[2] ~= '' then
  local e = cjson.decode(raw)
  if e.socketId ~= ARGV[2] then return false end
end
redis.call('HDEL', KEYS[1], ARGV[1])
return raw`,
  },
  /** A node whose alive key expired: take it out of the node set and hand over its connections (once). */
  vtpClaimNode: {
    keys: 3,
    lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return false end
local m = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[3])
return m`,
  },
  vtpHit: {
    keys: 1,
    lua: `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;

export class RedisLiveState implements LiveState {
  readonly kind = "redis" as const;
  private readonly redis: Redis;
  readonly #heartbeating = new Set<string>();

  /** `prefix` keeps deployments (and parallel test runs) on one Redis apart. */
  constructor(url: string, private readonly prefix: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
    this.redis.on("error", () => {
      /* reconnects by itself; failing commands surface as errors to the caller */
    });
    for (const [name, s] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
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
  private nodeKey(nodeId: string, part: "alive" | "m") {
    return `${this.prefix}node:${nodeId}:${part}`;
  }

  private run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return (this.redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](...args);
  }

  async join(c: LiveParticipant, max: number, exempt: boolean): Promise<JoinOutcome> {
    const r = (await this.run("vtpJoin", this.k(c.roomId, "p"), this.k(c.roomId, "u"), this.graceKey, JSON.stringify(c), max, exempt ? "1" : "0", c.userId, c.socketId, c.roomId, this.prefix, c.nodeId ?? "")) as string[];
    if (r[0] === "full") return { kind: "full" };
    if (r[0] === "joined") return { kind: "joined", participant: parse(r[1]), count: Number(r[2]) };
    return { kind: "resumed", participant: parse(r[1]), previousSocketId: r[2], wasConnected: r[3] === "1" };
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
    return raw ? parse(raw) : undefined;
  }

  async remove(roomId: string, id: string, cond: ParticipantCondition = {}) {
    const raw = (await this.run("vtpRemove", this.k(roomId, "p"), this.k(roomId, "u"), this.graceKey, id, JSON.stringify(cond), roomId, this.prefix)) as string | null;
    return raw ? parse(raw) : undefined;
  }

  async nextHandSeq(roomId: string) {
    return this.redis.incr(this.k(roomId, "hseq"));
  }

  async startGrace(roomId: string, id: string, socketId: string, now: number, until: number) {
    const p = await this.update(roomId, id, { connected: false, disconnectedAt: now }, { socketId });
    // Not atomic with the update: a resume in between leaves a stale entry, which the
    // conditional remove at expiry ignores (the socket id no longer matches).
    if (p) {
      const m = this.redis.multi().zadd(this.graceKey, until, `${roomId}|${id}|${socketId}`);
      if (p.nodeId) m.srem(this.nodeKey(p.nodeId, "m"), entry("p", roomId, id, socketId));
      await m.exec();
    }
    return p;
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

  async addWaiting(roomId: string, e: WaitingEntry) {
    const m = this.redis.multi().hset(this.k(roomId, "w"), e.userId, JSON.stringify(e));
    if (e.nodeId) m.sadd(this.nodeKey(e.nodeId, "m"), entry("w", roomId, e.userId, e.socketId));
    await m.exec();
  }

  async removeWaiting(roomId: string, userId: string, socketId?: string) {
    const raw = (await this.run("vtpTakeWaiting", this.k(roomId, "w"), userId, socketId ?? "")) as string | null;
    if (!raw) return undefined;
    const e = JSON.parse(raw) as WaitingEntry;
    if (e.nodeId) await this.redis.srem(this.nodeKey(e.nodeId, "m"), entry("w", roomId, e.userId, e.socketId));
    return e;
  }

  async listWaiting(roomId: string) {
    return (await this.redis.hvals(this.k(roomId, "w"))).map((s) => JSON.parse(s) as WaitingEntry).sort((a, b) => a.since - b.since);
  }

  async clearRoom(roomId: string) {
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
      ...participants.filter((p) => p.nodeId).map((p): [string, string] => [this.nodeKey(p.nodeId!, "m"), entry("p", roomId, p.id, p.socketId)]),
      ...waiting.filter((w) => w.nodeId).map((w): [string, string] => [this.nodeKey(w.nodeId!, "m"), entry("w", roomId, w.userId, w.socketId)]),
    ];
    if (forget.length) await this.redis.pipeline(forget.map(([key, member]) => ["srem", key, member])).exec();
    return { participants, waiting };
  }

  async hit(key: string, max: number, windowMs: number) {
    const n = Number(await this.run("vtpHit", `${this.prefix}rl:${key}`, windowMs));
    return n <= max;
  }

  async heartbeat(nodeId: string, ttlMs: number) {
    const res = await this.redis.multi().sadd(this.nodesKey, nodeId).set(this.nodeKey(nodeId, "alive"), String(Date.now()), "PX", ttlMs).exec();
    const added = res?.[0]?.[1] === 1;
    const first = !this.#heartbeating.has(nodeId);
    this.#heartbeating.add(nodeId);
    // Added back although it had been in the set: another node declared this one dead.
    return first || !added;
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
    await this.redis.multi().srem(this.nodesKey, nodeId).del(this.nodeKey(nodeId, "alive"), this.nodeKey(nodeId, "m")).exec();
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
