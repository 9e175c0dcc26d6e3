import {
  byJoinOrder,
  matches,
  type GraceEntry,
  type JoinOutcome,
  type LiveParticipant,
  type LiveState,
  type ParticipantCondition,
  type ParticipantPatch,
  type WaitingEntry,
} from "./LiveState.js";

interface RoomState {
  participants: Map<string, LiveParticipant>;
  byUser: Map<string, string>;
  waiting: Map<string, WaitingEntry>;
  handSeq: number;
}

const clone = <T>(v: T): T => structuredClone(v);

/** One process: every method is synchronous underneath, so each is atomic. */
export class MemoryLiveState implements LiveState {
  readonly kind = "memory" as const;
  private readonly rooms = new Map<string, RoomState>();
  private readonly grace = new Map<string, GraceEntry & { until: number }>();
  private readonly counters = new Map<string, { n: number; resetAt: number }>();

  async health() {
    return { ok: true, latencyMs: 0 };
  }

  private room(roomId: string): RoomState {
    const existing = this.rooms.get(roomId);
    if (existing) return existing;
    const created: RoomState = { participants: new Map(), byUser: new Map(), waiting: new Map(), handSeq: 0 };
    this.rooms.set(roomId, created);
    return created;
  }

  async join(candidate: LiveParticipant, max: number, exempt: boolean): Promise<JoinOutcome> {
    const r = this.room(candidate.roomId);
    const existingId = r.byUser.get(candidate.userId);
    const existing = existingId ? r.participants.get(existingId) : undefined;
    if (existing) {
      const previousSocketId = existing.socketId;
      const wasConnected = existing.connected;
      this.grace.delete(graceKey(existing.roomId, existing.id));
      Object.assign(existing, { socketId: candidate.socketId, connected: true, disconnectedAt: null });
      return { kind: "resumed", participant: clone(existing), previousSocketId, wasConnected };
    }
    if (!exempt && r.participants.size >= max) return { kind: "full" };
    r.participants.set(candidate.id, clone(candidate));
    r.byUser.set(candidate.userId, candidate.id);
    return { kind: "joined", participant: clone(candidate), count: r.participants.size };
  }

  async get(roomId: string, id: string) {
    const p = this.rooms.get(roomId)?.participants.get(id);
    return p && clone(p);
  }

  async byUser(roomId: string, userId: string) {
    const r = this.rooms.get(roomId);
    const id = r?.byUser.get(userId);
    const p = r && id ? r.participants.get(id) : undefined;
    return p && clone(p);
  }

  async list(roomId: string) {
    return [...(this.rooms.get(roomId)?.participants.values() ?? [])].map(clone).sort(byJoinOrder);
  }

  async update(roomId: string, id: string, patch: ParticipantPatch, cond?: ParticipantCondition) {
    const p = this.rooms.get(roomId)?.participants.get(id);
    if (!p || !matches(p, cond)) return undefined;
    Object.assign(p, clone(patch));
    return clone(p);
  }

  async remove(roomId: string, id: string, cond?: ParticipantCondition) {
    const r = this.rooms.get(roomId);
    const p = r?.participants.get(id);
    if (!r || !p || !matches(p, cond)) return undefined;
    r.participants.delete(id);
    if (r.byUser.get(p.userId) === id) r.byUser.delete(p.userId);
    this.grace.delete(graceKey(roomId, id));
    if (r.participants.size === 0 && r.waiting.size === 0) this.rooms.delete(roomId);
    return p;
  }

  async nextHandSeq(roomId: string) {
    return ++this.room(roomId).handSeq;
  }

  async startGrace(roomId: string, id: string, socketId: string, now: number, until: number) {
    const p = await this.update(roomId, id, { connected: false, disconnectedAt: now }, { socketId });
    if (p) this.grace.set(graceKey(roomId, id), { roomId, participantId: id, socketId, until });
    return p;
  }

  async claimExpiredGrace(now: number, max = 100) {
    const out: GraceEntry[] = [];
    for (const [k, g] of this.grace) {
      if (out.length >= max) break;
      if (g.until > now) continue;
      this.grace.delete(k);
      out.push({ roomId: g.roomId, participantId: g.participantId, socketId: g.socketId });
    }
    return out;
  }

  async addWaiting(roomId: string, e: WaitingEntry) {
    this.room(roomId).waiting.set(e.userId, clone(e));
  }

  async removeWaiting(roomId: string, userId: string, socketId?: string) {
    const r = this.rooms.get(roomId);
    const e = r?.waiting.get(userId);
    if (!r || !e || (socketId !== undefined && e.socketId !== socketId)) return undefined;
    r.waiting.delete(userId);
    if (r.participants.size === 0 && r.waiting.size === 0) this.rooms.delete(roomId);
    return e;
  }

  async listWaiting(roomId: string) {
    return [...(this.rooms.get(roomId)?.waiting.values() ?? [])].map(clone).sort((a, b) => a.since - b.since);
  }

  async clearRoom(roomId: string) {
    const r = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    for (const [k, g] of this.grace) if (g.roomId === roomId) this.grace.delete(k);
    return { participants: r ? [...r.participants.values()].sort(byJoinOrder) : [], waiting: r ? [...r.waiting.values()] : [] };
  }

  async hit(key: string, max: number, windowMs: number) {
    const now = Date.now();
    let c = this.counters.get(key);
    if (!c || c.resetAt <= now) {
      if (this.counters.size > 10_000) for (const [k, v] of this.counters) if (v.resetAt <= now) this.counters.delete(k);
      c = { n: 0, resetAt: now + windowMs };
      this.counters.set(key, c);
    }
    c.n++;
    return c.n <= max;
  }

  // One process holds every connection: there is no other node to outlive.
  async heartbeat() {
    return true;
  }
  async claimDeadNodes() {
    return [];
  }
  async forgetNode() {}
  async listNodes() {
    return [];
  }

  async close() {
    this.rooms.clear();
    this.grace.clear();
  }
}

const graceKey = (roomId: string, id: string) => `${roomId}|${id}`;
