import type { HandQueueEntry, ParticipantDto, RoomSettings, WaitingDto } from "@vtp/protocol";
import type { LiveParticipant, WaitingEntry } from "./state/index.js";

const iso = (ms: number) => new Date(ms).toISOString();

export function canPublish(participant: Pick<LiveParticipant, "role">, settings: Pick<RoomSettings, "studentsCanPublish">): boolean {
  return participant.role === "host" || participant.role === "presenter" || settings.studentsCanPublish;
}

export function toParticipantDto(participant: LiveParticipant, settings: Pick<RoomSettings, "studentsCanPublish">): ParticipantDto {
  return {
    id: participant.id,
    userId: participant.userId,
    name: participant.name,
    role: participant.role,
    handRaised: participant.handRaisedAt !== null,
    handRaisedAt: participant.handRaisedAt === null ? null : iso(participant.handRaisedAt),
    media: { ...participant.media },
    connected: participant.connected,
    canPublish: canPublish(participant, settings),
    joinedAt: iso(participant.joinedAt),
  };
}

/** Raised hands, first raised first. */
export function handQueueOf(participants: LiveParticipant[]): HandQueueEntry[] {
  return participants
    .flatMap((p) => (p.handRaisedAt === null ? [] : [{ p, raisedAt: p.handRaisedAt }]))
    .sort((a, b) => (a.p.handSeq ?? 0) - (b.p.handSeq ?? 0) || a.raisedAt - b.raisedAt)
    .map(({ p, raisedAt }) => ({ participantId: p.id, userId: p.userId, name: p.name, raisedAt: iso(raisedAt) }));
}

export function toWaitingDto(waiting: WaitingEntry): WaitingDto {
  return { userId: waiting.userId, name: waiting.name, since: iso(waiting.since) };
}
