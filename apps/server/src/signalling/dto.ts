import type { HandQueueEntry, ParticipantDto, RoomSettings, WaitingDto } from "@vtp/protocol";
import type { LiveParticipant, WaitingEntry } from "./state/index.js";

const iso = (ms: number) => new Date(ms).toISOString();

export function canPublish(p: Pick<LiveParticipant, "role">, settings: Pick<RoomSettings, "studentsCanPublish">): boolean {
  return p.role === "host" || p.role === "presenter" || settings.studentsCanPublish;
}

export function toParticipantDto(p: LiveParticipant, settings: Pick<RoomSettings, "studentsCanPublish">): ParticipantDto {
  return {
    id: p.id,
    userId: p.userId,
    name: p.name,
    role: p.role,
    handRaised: p.handRaisedAt !== null,
    handRaisedAt: p.handRaisedAt === null ? null : iso(p.handRaisedAt),
    media: { ...p.media },
    connected: p.connected,
    canPublish: canPublish(p, settings),
    joinedAt: iso(p.joinedAt),
  };
}

/** Raised hands, first raised first. */
export function handQueueOf(participants: LiveParticipant[]): HandQueueEntry[] {
  return participants
    .flatMap((p) => (p.handRaisedAt === null ? [] : [{ p, raisedAt: p.handRaisedAt }]))
    .sort((a, b) => (a.p.handSeq ?? 0) - (b.p.handSeq ?? 0) || a.raisedAt - b.raisedAt)
    .map(({ p, raisedAt }) => ({ participantId: p.id, userId: p.userId, name: p.name, raisedAt: iso(raisedAt) }));
}

export function toWaitingDto(w: WaitingEntry): WaitingDto {
  return { userId: w.userId, name: w.name, since: iso(w.since) };
}
