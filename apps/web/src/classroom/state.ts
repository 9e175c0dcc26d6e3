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
export function mergeMessages(current: ChatMessageDto[], incoming: ChatMessageDto[]): ChatMessageDto[] {
  const bySeq = new Map<number, ChatMessageDto>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) {
    const old = bySeq.get(m.seq);
    bySeq.set(m.seq, old?.deleted ? old : m);
  }
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

function upsert(list: ParticipantDto[], participant: ParticipantDto): ParticipantDto[] {
  const index = list.findIndex((x) => x.id === participant.id);
  if (index < 0) return [...list, participant];
  const next = list.slice();
  next[index] = participant;
  return next;
}

/** The classroom's state machine: every socket event and ack goes through here. */
export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  // Once a class is over for this person, late events change nothing.
  if (FINAL.includes(state.phase) && action.type !== "chat-open" && action.type !== "connecting" && action.type !== "recording") return state;
  switch (action.type) {
    case "connecting":
      return { ...state, phase: "connecting", error: null };
    case "reconnecting":
      return state.phase === "joined" || state.phase === "connecting" ? { ...state, phase: state.me ? "reconnecting" : "connecting" } : state;
    case "joined": {
      const result = action.result;
      const messages = mergeMessages(state.messages, result.messages);
      const fresh = messages.filter((m) => !state.messages.some((o) => o.seq === m.seq) && m.userId !== action.userId).length;
      return {
        ...state,
        phase: "joined",
        error: null,
        joinSeq: state.joinSeq + 1,
        room: result.room,
        me: { participantId: result.participantId, userId: action.userId, role: result.role, canPublish: result.canPublish },
        participants: result.participants,
        handQueue: result.handQueue,
        waiting: result.waiting ?? [],
        messages,
        // History on the first join is not "unread"; messages missed during a reconnect are.
        unread: state.me && !state.chatOpen ? state.unread + fresh : state.unread,
      };
    }
    case "waiting":
      return { ...state, phase: "waiting", error: null };
    case "failed":
      return { ...state, phase: "failed", error: action.error };
    case "participant-joined":
      return { ...state, participants: upsert(state.participants, action.participant) };
    case "participant-updated": {
      const updated = action.participant;
      const mine = state.me && updated.id === state.me.participantId ? state.me : null;
      const me = mine ? { ...mine, role: updated.role, canPublish: updated.canPublish } : state.me;
      const roleNotice = mine && mine.role !== updated.role ? { from: mine.role, to: updated.role } : state.roleNotice;
      return { ...state, me, roleNotice, participants: upsert(state.participants, updated) };
    }
    case "participant-left":
      return {
        ...state,
        participants: state.participants.filter((p) => p.id !== action.participantId),
        handQueue: state.handQueue.filter((h) => h.participantId !== action.participantId),
      };
    case "hand-queue":
      return { ...state, handQueue: action.queue };
    case "waiting-updated":
      return { ...state, waiting: action.waiting };
    case "room-updated":
      return { ...state, room: action.room };
    case "room-ended":
      return { ...state, phase: "ended", room: state.room ? { ...state.room, status: "ended" } : state.room };
    case "removed":
      return { ...state, phase: "removed" };
    case "rejected":
      return { ...state, phase: "rejected" };
    case "replaced":
      return { ...state, phase: "replaced" };
    case "left":
      return { ...state, phase: "left" };
    case "muted":
      return { ...state, mutedBy: action.by };
    case "muted-seen":
      return { ...state, mutedBy: null };
    case "role-notice-seen":
      return { ...state, roleNotice: null };
    case "chat-message": {
      if (state.messages.some((m) => m.seq === action.message.seq)) return { ...state, messages: mergeMessages(state.messages, [action.message]) };
      const mine = state.me && action.message.userId === state.me.userId;
      return { ...state, messages: mergeMessages(state.messages, [action.message]), unread: state.chatOpen || mine ? state.unread : state.unread + 1 };
    }
    case "chat-deleted":
      return { ...state, messages: state.messages.map((m) => (m.id === action.messageId ? { ...m, deleted: true, text: "" } : m)) };
    case "recording":
      return { ...state, recording: action.recording };
    case "chat-open":
      return { ...state, chatOpen: action.open, unread: action.open ? 0 : state.unread };
  }
}

/** What a person reads when the teacher changed their role. */
export function roleNoticeText(notice: { from: RoomRole; to: RoomRole }): string {
  if (notice.to === "presenter") return "The teacher allowed you to speak: you can now turn on your microphone, camera and screen share.";
  if (notice.to === "student")
    return "The teacher made you a listener again: your microphone, camera and screen share are off. Raise your hand to ask to speak.";
  return "The teacher changed your role.";
}

/** Who is on the main stage: a screen share first, then the host, then whoever is first. */
export function stageParticipant(state: Pick<RoomState, "participants">): ParticipantDto | null {
  return state.participants.find((p) => p.media.screen) ?? state.participants.find((p) => p.role === "host") ?? null;
}

/** The hand queue as the host sees it, in raise order, with positions from 1. */
export function handPosition(state: Pick<RoomState, "handQueue">, participantId: string): number | null {
  const index = state.handQueue.findIndex((h) => h.participantId === participantId);
  return index < 0 ? null : index + 1;
}
