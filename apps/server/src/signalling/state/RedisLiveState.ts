import { Redis } from "ioredis";
import { byJoinOrder, type GraceEntry, type JoinOutcome, type LiveParticipant, type LiveState, type ParticipantCondition, type ParticipantPatch, type WaitingEntry } from "./LiveState.js";

/**
 * Live state in Redis, shared by every server process. Per room: a hash of participants
 * (id → JSON), a hash user → participant id, a hash of waiting people, a hand counter; one
 * sorted set of grace periods (score = deadline) for all rooms. Read-modify-write steps are
 * Lua scripts, so two nodes never interleave inside one.
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
    p.socketId = ARGV[5]
    p.connected = true
    p.disconnectedAt = cjson.null
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

  private run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return (this.redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](...args);
  }

  async join(c: LiveParticipant, max: number, exempt: boolean): Promise<JoinOutcome> {
    const r = (await this.run("vtpJoin", this.k(c.roomId, "p"), this.k(c.roomId, "u"), this.graceKey, JSON.stringify(c), max, exempt ? "1" : "0", c.userId, c.socketId, c.roomId)) as string[];
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
    const raw = (await this.run("vtpRemove", this.k(roomId, "p"), this.k(roomId, "u"), this.graceKey, id, JSON.stringify(cond), roomId)) as string | null;
    return raw ? parse(raw) : undefined;
  }

  async nextHandSeq(roomId: string) {
    return this.redis.incr(this.k(roomId, "hseq"));
  }

  async startGrace(roomId: string, id: string, socketId: string, now: number, until: number) {
    const p = await this.update(roomId, id, { connected: false, disconnectedAt: now }, { socketId });
    // Not atomic with the update: a resume in between leaves a stale entry, which the
    // conditional remove at expiry ignores (the socket id no longer matches).
    if (p) await this.redis.zadd(this.graceKey, until, `${roomId}|${id}|${socketId}`);
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
    await this.redis.hset(this.k(roomId, "w"), e.userId, JSON.stringify(e));
  }

  async removeWaiting(roomId: string, userId: string, socketId?: string) {
    const raw = (await this.run("vtpTakeWaiting", this.k(roomId, "w"), userId, socketId ?? "")) as string | null;
    return raw ? (JSON.parse(raw) as WaitingEntry) : undefined;
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
    return { participants, waiting };
  }

  async hit(key: string, max: number, windowMs: number) {
    const n = Number(await this.run("vtpHit", `${this.prefix}rl:${key}`, windowMs));
    return n <= max;
  }

  async close() {
    this.redis.disconnect();
  }
}

function parse(raw: string): LiveParticipant {
  return JSON.parse(raw) as LiveParticipant;
}
