import type { LiveParticipant, WaitingEntry } from "./LiveState.js";

/**
 * What this process wrote to the shared live state for the connections it holds: its
 * participants (with their grace deadline while reconnecting) and waiting entries, kept in step
 * with every write. When Redis comes back empty (restarted without persistence), this process
 * writes them back instead of dropping its sockets.
 */
export class OwnedLiveState {
  readonly participants = new Map<string, { p: LiveParticipant; graceUntil: number | null }>();
  readonly waiting = new Map<string, WaitingEntry>();

  holds(participant: LiveParticipant) {
    this.participants.set(key(participant.roomId, participant.id), { p: participant, graceUntil: null });
  }

  /** A new value of a participant this process holds (ignored for others). */
  changed(participant: LiveParticipant) {
    const mapKey = key(participant.roomId, participant.id);
    const held = this.participants.get(mapKey);
    if (held) this.participants.set(mapKey, { p: participant, graceUntil: participant.connected ? null : held.graceUntil });
  }

  graceStarted(roomId: string, id: string, until: number) {
    const held = this.participants.get(key(roomId, id));
    if (held) held.graceUntil = until;
  }

  /** Marks a held participant disconnected with a grace deadline (when `socketId`, if given, still speaks for it). */
  leftWhileAway(roomId: string, id: string, socketId: string | undefined, now: number, until: number) {
    const mapKey = key(roomId, id);
    const held = this.participants.get(mapKey);
    if (!held || (socketId !== undefined && held.p.socketId !== socketId)) return;
    this.participants.set(mapKey, { p: { ...held.p, connected: false, disconnectedAt: now }, graceUntil: until });
  }

  removed(roomId: string, id: string) {
    this.participants.delete(key(roomId, id));
  }

  waitingAdded(roomId: string, waiting: WaitingEntry) {
    this.waiting.set(key(roomId, waiting.userId), waiting);
  }

  waitingRemoved(roomId: string, userId: string) {
    this.waiting.delete(key(roomId, userId));
  }

  roomCleared(roomId: string) {
    for (const k of [...this.participants.keys()]) if (k.startsWith(`${roomId}|`)) this.participants.delete(k);
    for (const k of [...this.waiting.keys()]) if (k.startsWith(`${roomId}|`)) this.waiting.delete(k);
  }

  /** Waiting entries with their room. */
  waitingEntries(): { roomId: string; e: WaitingEntry }[] {
    return [...this.waiting.entries()].map(([k, e]) => ({ roomId: k.slice(0, k.indexOf("|")), e }));
  }
}

function key(roomId: string, id: string) {
  return `${roomId}|${id}`;
}
