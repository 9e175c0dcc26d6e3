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

const clone = <T>(value: T): T => structuredClone(value);

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
    const room = this.room(candidate.roomId);
    const existingId = room.byUser.get(candidate.userId);
    const existing = existingId ? room.participants.get(existingId) : undefined;
    if (existing) {
      const previousSocketId = existing.socketId;
      const wasConnected = existing.connected;
      this.grace.delete(graceKey(existing.roomId, existing.id));
      Object.assign(existing, { socketId: candidate.socketId, connected: true, disconnectedAt: null });
      return { kind: "resumed", participant: clone(existing), previousSocketId, wasConnected };
    }
    if (!exempt && room.participants.size >= max) return { kind: "full" };
    room.participants.set(candidate.id, clone(candidate));
    room.byUser.set(candidate.userId, candidate.id);
    return { kind: "joined", participant: clone(candidate), count: room.participants.size };
  }

  async get(roomId: string, id: string) {
    const participant = this.rooms.get(roomId)?.participants.get(id);
    return participant && clone(participant);
  }

  async byUser(roomId: string, userId: string) {
    const room = this.rooms.get(roomId);
    const id = room?.byUser.get(userId);
    const participant = room && id ? room.participants.get(id) : undefined;
    return participant && clone(participant);
  }

  async list(roomId: string) {
    return [...(this.rooms.get(roomId)?.participants.values() ?? [])].map(clone).sort(byJoinOrder);
  }

  async update(roomId: string, id: string, patch: ParticipantPatch, cond?: ParticipantCondition) {
    const participant = this.rooms.get(roomId)?.participants.get(id);
    if (!participant || !matches(participant, cond)) return undefined;
    const { media, ...rest } = clone(patch);
    Object.assign(participant, rest);
    if (media) participant.media = { ...participant.media, ...media };
    return clone(participant);
  }

  async remove(roomId: string, id: string, cond?: ParticipantCondition) {
    const room = this.rooms.get(roomId);
    const participant = room?.participants.get(id);
    if (!room || !participant || !matches(participant, cond)) return undefined;
    room.participants.delete(id);
    if (room.byUser.get(participant.userId) === id) room.byUser.delete(participant.userId);
    this.grace.delete(graceKey(roomId, id));
    if (room.participants.size === 0 && room.waiting.size === 0) this.rooms.delete(roomId);
    return participant;
  }

  async nextHandSeq(roomId: string) {
    return ++this.room(roomId).handSeq;
  }

  async startGrace(roomId: string, id: string, socketId: string, now: number, until: number) {
    const participant = await this.update(roomId, id, { connected: false, disconnectedAt: now }, { socketId });
    if (participant) this.grace.set(graceKey(roomId, id), { roomId, participantId: id, socketId, until });
    return participant;
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

  async addWaiting(roomId: string, waiting: WaitingEntry) {
    this.room(roomId).waiting.set(waiting.userId, clone(waiting));
  }

  async removeWaiting(roomId: string, userId: string, socketId?: string) {
    const room = this.rooms.get(roomId);
    const waiting = room?.waiting.get(userId);
    if (!room || !waiting || (socketId !== undefined && waiting.socketId !== socketId)) return undefined;
    room.waiting.delete(userId);
    if (room.participants.size === 0 && room.waiting.size === 0) this.rooms.delete(roomId);
    return waiting;
  }

  async listWaiting(roomId: string) {
    return [...(this.rooms.get(roomId)?.waiting.values() ?? [])].map(clone).sort((a, b) => a.since - b.since);
  }

  async clearRoom(roomId: string) {
    const room = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    for (const [k, g] of this.grace) if (g.roomId === roomId) this.grace.delete(k);
    return { participants: room ? [...room.participants.values()].sort(byJoinOrder) : [], waiting: room ? [...room.waiting.values()] : [] };
  }

  async hit(key: string, max: number, windowMs: number) {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) {
      if (this.counters.size > 10_000) for (const [k, v] of this.counters) if (v.resetAt <= now) this.counters.delete(k);
      counter = { n: 0, resetAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.n++;
    return counter.n <= max;
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
