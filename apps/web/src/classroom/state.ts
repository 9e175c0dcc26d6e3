import type { ChatMessageDto, ErrorBody, HandQueueEntry, JoinRoomResult, ParticipantDto, RoomDto, RoomRole, WaitingDto } from "@vtp/protocol";

/** Where the person is in the life of a class. */
export type Phase =
  | "connecting"
  | "waiting" // in the waiting room until the host admits them
  | "joined"
  | "reconnecting" // the connection dropped; the client is resuming
  | "ended"
  | "removed"
  | "rejected"
  | "replaced" // the same person joined from another tab
  | "left"
  | "failed";

export interface RoomState {
  phase: Phase;
  error: ErrorBody | null;
  room: RoomDto | null;
  me: { participantId: string; userId: string; role: RoomRole; canPublish: boolean } | null;
  /** In join order. */
  participants: ParticipantDto[];
  handQueue: HandQueueEntry[];
  waiting: WaitingDto[];
  /** By sequence number, no duplicates. */
  messages: ChatMessageDto[];
  unread: number;
  chatOpen: boolean;
  /** The name of the host who muted me (shown once). */
  mutedBy: string | null;
  /** The teacher changed my role (allowed me to speak, or made me a student again): shown once. */
  roleNotice: { from: RoomRole; to: RoomRole } | null;
  /** The class is being recorded (everyone sees the indicator). */
  recording: { id: string; startedAt: string } | null;
  /** Counts successful joins: a new value means a new connection (media must be rebuilt). */
  joinSeq: number;
}

export type RoomAction =
  | { type: "connecting" }
  | { type: "reconnecting" }
  | { type: "joined"; result: JoinRoomResult; userId: string }
  | { type: "waiting" }
  | { type: "failed"; error: ErrorBody }
  | { type: "participant-joined"; participant: ParticipantDto }
  | { type: "participant-updated"; participant: ParticipantDto }
  | { type: "participant-left"; participantId: string }
  | { type: "hand-queue"; queue: HandQueueEntry[] }
  | { type: "waiting-updated"; waiting: WaitingDto[] }
  | { type: "room-updated"; room: RoomDto }
  | { type: "room-ended" }
  | { type: "removed" }
  | { type: "rejected" }
  | { type: "replaced" }
  | { type: "left" }
  | { type: "muted"; by: string }
  | { type: "muted-seen" }
  | { type: "role-notice-seen" }
  | { type: "chat-message"; message: ChatMessageDto }
  | { type: "chat-deleted"; messageId: string }
  | { type: "chat-open"; open: boolean }
  | { type: "recording"; recording: { id: string; startedAt: string } | null };

export const initialRoomState: RoomState = {
  phase: "connecting",
  error: null,
  room: null,
  me: null,
  participants: [],
  handQueue: [],
  waiting: [],
  messages: [],
  unread: 0,
  chatOpen: false,
  mutedBy: null,
  roleNotice: null,
  joinSeq: 0,
  recording: null,
};

const FINAL: Phase[] = ["ended", "removed", "rejected", "replaced", "left"];

/** Merges messages by sequence number (a later copy wins: it may be the deleted one). */
export function mergeMessages(a: ChatMessageDto[], b: ChatMessageDto[]): ChatMessageDto[] {
  const bySeq = new Map<number, ChatMessageDto>();
  for (const m of a) bySeq.set(m.seq, m);
  for (const m of b) {
    const old = bySeq.get(m.seq);
    bySeq.set(m.seq, old?.deleted ? old : m);
  }
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

function upsert(list: ParticipantDto[], p: ParticipantDto): ParticipantDto[] {
  const i = list.findIndex((x) => x.id === p.id);
  if (i < 0) return [...list, p];
  const next = list.slice();
  next[i] = p;
  return next;
}

/** The classroom's state machine: every socket event and ack goes through here. */
export function roomReducer(s: RoomState, a: RoomAction): RoomState {
  // Once a class is over for this person, late events change nothing.
  if (FINAL.includes(s.phase) && a.type !== "chat-open" && a.type !== "connecting" && a.type !== "recording") return s;
  switch (a.type) {
    case "connecting":
      return { ...s, phase: "connecting", error: null };
    case "reconnecting":
      return s.phase === "joined" || s.phase === "connecting" ? { ...s, phase: s.me ? "reconnecting" : "connecting" } : s;
    case "joined": {
      const r = a.result;
      const messages = mergeMessages(s.messages, r.messages);
      const fresh = messages.filter((m) => !s.messages.some((o) => o.seq === m.seq) && m.userId !== a.userId).length;
      return {
        ...s,
        phase: "joined",
        error: null,
        joinSeq: s.joinSeq + 1,
        room: r.room,
        me: { participantId: r.participantId, userId: a.userId, role: r.role, canPublish: r.canPublish },
        participants: r.participants,
        handQueue: r.handQueue,
        waiting: r.waiting ?? [],
        messages,
        // History on the first join is not "unread"; messages missed during a reconnect are.
        unread: s.me && !s.chatOpen ? s.unread + fresh : s.unread,
      };
    }
    case "waiting":
      return { ...s, phase: "waiting", error: null };
    case "failed":
      return { ...s, phase: "failed", error: a.error };
    case "participant-joined":
      return { ...s, participants: upsert(s.participants, a.participant) };
    case "participant-updated": {
      const p = a.participant;
      const mine = s.me && p.id === s.me.participantId ? s.me : null;
      const me = mine ? { ...mine, role: p.role, canPublish: p.canPublish } : s.me;
      const roleNotice = mine && mine.role !== p.role ? { from: mine.role, to: p.role } : s.roleNotice;
      return { ...s, me, roleNotice, participants: upsert(s.participants, p) };
    }
    case "participant-left":
      return {
        ...s,
        participants: s.participants.filter((p) => p.id !== a.participantId),
        handQueue: s.handQueue.filter((h) => h.participantId !== a.participantId),
      };
    case "hand-queue":
      return { ...s, handQueue: a.queue };
    case "waiting-updated":
      return { ...s, waiting: a.waiting };
    case "room-updated":
      return { ...s, room: a.room };
    case "room-ended":
      return { ...s, phase: "ended", room: s.room ? { ...s.room, status: "ended" } : s.room };
    case "removed":
      return { ...s, phase: "removed" };
    case "rejected":
      return { ...s, phase: "rejected" };
    case "replaced":
      return { ...s, phase: "replaced" };
    case "left":
      return { ...s, phase: "left" };
    case "muted":
      return { ...s, mutedBy: a.by };
    case "muted-seen":
      return { ...s, mutedBy: null };
    case "role-notice-seen":
      return { ...s, roleNotice: null };
    case "chat-message": {
      if (s.messages.some((m) => m.seq === a.message.seq)) return { ...s, messages: mergeMessages(s.messages, [a.message]) };
      const mine = s.me && a.message.userId === s.me.userId;
      return { ...s, messages: mergeMessages(s.messages, [a.message]), unread: s.chatOpen || mine ? s.unread : s.unread + 1 };
    }
    case "chat-deleted":
      return { ...s, messages: s.messages.map((m) => (m.id === a.messageId ? { ...m, deleted: true, text: "" } : m)) };
    case "recording":
      return { ...s, recording: a.recording };
    case "chat-open":
      return { ...s, chatOpen: a.open, unread: a.open ? 0 : s.unread };
  }
}

/** What a person reads when the teacher changed their role. */
export function roleNoticeText(n: { from: RoomRole; to: RoomRole }): string {
  if (n.to === "presenter") return "The teacher allowed you to speak: you can now turn on your microphone, camera and screen share.";
  if (n.to === "student") return "The teacher made you a listener again: your microphone, camera and screen share are off. Raise your hand to ask to speak.";
  return "The teacher changed your role.";
}

/** Who is on the main stage: a screen share first, then the host, then whoever is first. */
export function stageParticipant(s: Pick<RoomState, "participants">): ParticipantDto | null {
  return s.participants.find((p) => p.media.screen) ?? s.participants.find((p) => p.role === "host") ?? null;
}

/** The hand queue as the host sees it, in raise order, with positions from 1. */
export function handPosition(s: Pick<RoomState, "handQueue">, participantId: string): number | null {
  const i = s.handQueue.findIndex((h) => h.participantId === participantId);
  return i < 0 ? null : i + 1;
}
