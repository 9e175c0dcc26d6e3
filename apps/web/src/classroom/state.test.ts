import { describe, expect, it } from "vitest";
import type { ChatMessageDto, JoinRoomResult, ParticipantDto, RoomDto } from "@vtp/protocol";
import { handPosition, initialRoomState, roleNoticeText, roomReducer, stageParticipant, type RoomAction, type RoomState } from "./state";

const room: RoomDto = {
  id: "r1",
  code: "ABCDEFGH",
  title: "Algebra",
  description: "",
  hostId: "uh",
  hostName: "Tess",
  status: "live",
  settings: { studentsCanPublish: false, waitingRoom: false, maxParticipants: 100, chatEnabled: true },
  scheduledStart: null,
  startedAt: null,
  endedAt: null,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};
const person = (id: string, role: ParticipantDto["role"] = "student", extra: Partial<ParticipantDto> = {}): ParticipantDto => ({
  id,
  userId: `u${id}`,
  name: id,
  role,
  handRaised: false,
  handRaisedAt: null,
  media: { audio: false, video: false, screen: false },
  connected: true,
  canPublish: role !== "student",
  joinedAt: "2026-01-01T00:00:00Z",
  ...extra,
});
const msg = (seq: number, userId = "uh", extra: Partial<ChatMessageDto> = {}): ChatMessageDto => ({
  id: `m${seq}`,
  roomId: "r1",
  seq,
  userId,
  authorName: "x",
  text: `hello ${seq}`,
  createdAt: "2026-01-01T00:00:00Z",
  deleted: false,
  ...extra,
});
const joined = (extra: Partial<JoinRoomResult> = {}): RoomAction => ({
  type: "joined",
  userId: "us1",
  result: {
    room,
    participantId: "s1",
    role: "student",
    canPublish: false,
    participants: [person("h", "host"), person("s1")],
    handQueue: [],
    messages: [msg(1), msg(2)],
    resumed: false,
    ...extra,
  },
});
const run = (...actions: RoomAction[]): RoomState => actions.reduce(roomReducer, initialRoomState);

describe("roomReducer", () => {
  it("joins with the room, participants and history (history is not unread)", () => {
    const state = run({ type: "connecting" }, joined());
    expect(state.phase).toBe("joined");
    expect(state.me).toEqual({ participantId: "s1", userId: "us1", role: "student", canPublish: false });
    expect(state.participants.map((p) => p.id)).toEqual(["h", "s1"]);
    expect(state.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(state.unread).toBe(0);
  });

  it("counts unread messages from others while the chat is closed", () => {
    let state = run(joined(), { type: "chat-message", message: msg(3) }, { type: "chat-message", message: msg(4, "us1") });
    expect(state.unread).toBe(1);
    state = roomReducer(state, { type: "chat-open", open: true });
    expect(state.unread).toBe(0);
    state = roomReducer(state, { type: "chat-message", message: msg(5) });
    expect(state.unread).toBe(0);
    // a duplicate (e.g. after a reconnect) is not counted twice
    state = roomReducer(roomReducer(state, { type: "chat-open", open: false }), { type: "chat-message", message: msg(5) });
    expect(state.unread).toBe(0);
  });

  it("marks deleted messages and keeps them deleted when history repeats them", () => {
    let state = run(joined(), { type: "chat-deleted", messageId: "m2" });
    expect(state.messages[1]).toMatchObject({ deleted: true, text: "" });
    state = roomReducer(state, { type: "reconnecting" });
    expect(state.phase).toBe("reconnecting");
    state = roomReducer(state, joined({ messages: [msg(2), msg(3)], resumed: true }));
    expect(state.phase).toBe("joined");
    expect(state.messages.map((m) => [m.seq, m.deleted])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(state.unread).toBe(1); // message 3 arrived while reconnecting
  });

  it("follows participants joining, changing and leaving; my own role changes follow too", () => {
    let state = run(joined(), { type: "participant-joined", participant: person("s2") });
    expect(state.participants).toHaveLength(3);
    state = roomReducer(state, { type: "participant-updated", participant: person("s1", "presenter", { canPublish: true }) });
    expect(state.me?.role).toBe("presenter");
    expect(state.me?.canPublish).toBe(true);
    state = roomReducer(state, { type: "hand-queue", queue: [{ participantId: "s2", userId: "us2", name: "s2", raisedAt: "" }] });
    expect(handPosition(state, "s2")).toBe(1);
    state = roomReducer(state, { type: "participant-left", participantId: "s2" });
    expect(state.participants.map((p) => p.id)).toEqual(["h", "s1"]);
    expect(state.handQueue).toEqual([]);
  });

  it("ends, and ignores late events afterwards", () => {
    let state = run(joined(), { type: "room-ended" });
    expect(state.phase).toBe("ended");
    expect(state.room?.status).toBe("ended");
    state = roomReducer(state, { type: "participant-joined", participant: person("late") });
    expect(state.participants).toHaveLength(2);
    expect(roomReducer(state, { type: "reconnecting" }).phase).toBe("ended");
  });

  it("waits for the host, then joins; removal and replacement are final", () => {
    expect(run({ type: "waiting" }).phase).toBe("waiting");
    expect(run({ type: "waiting" }, joined()).phase).toBe("joined");
    expect(run(joined(), { type: "removed" }, joined()).phase).toBe("removed");
    expect(run(joined(), { type: "replaced" }).phase).toBe("replaced");
    expect(run({ type: "failed", error: { code: "ROOM_FULL", message: "full" } }).error?.code).toBe("ROOM_FULL");
  });

  it("puts a screen share on the stage, else the host", () => {
    const state = run(joined());
    expect(stageParticipant(state)?.id).toBe("h");
    const shared = roomReducer(state, {
      type: "participant-updated",
      participant: person("s1", "presenter", { media: { audio: false, video: true, screen: true } }),
    });
    expect(stageParticipant(shared)?.id).toBe("s1");
  });

  it("follows the recording indicator", () => {
    let state = run(joined(), { type: "recording", recording: { id: "rec1", startedAt: "2026-01-01T00:00:00Z" } });
    expect(state.recording?.id).toBe("rec1");
    state = roomReducer(state, { type: "recording", recording: null });
    expect(state.recording).toBeNull();
  });

  it("remembers a mute by the host until seen", () => {
    const state = run(joined(), { type: "muted", by: "Tess" });
    expect(state.mutedBy).toBe("Tess");
    expect(roomReducer(state, { type: "muted-seen" }).mutedBy).toBeNull();
  });

  it("tells me once when the teacher lets me speak or makes me a student again; others' changes are silent", () => {
    let state = run(joined());
    expect(state.roleNotice).toBeNull();
    state = roomReducer(state, { type: "participant-updated", participant: person("s2", "presenter") });
    expect(state.roleNotice).toBeNull();
    state = roomReducer(state, { type: "participant-updated", participant: person("s1", "presenter") });
    expect(state.roleNotice).toEqual({ from: "student", to: "presenter" });
    expect(roleNoticeText(state.roleNotice!)).toMatch(/allowed you to speak/);
    state = roomReducer(state, { type: "role-notice-seen" });
    expect(state.roleNotice).toBeNull();
    state = roomReducer(state, { type: "participant-updated", participant: person("s1", "presenter", { handRaised: true }) });
    expect(state.roleNotice).toBeNull(); // same role: no notice
    state = roomReducer(state, { type: "participant-updated", participant: person("s1", "student") });
    expect(state.roleNotice).toEqual({ from: "presenter", to: "student" });
    expect(roleNoticeText(state.roleNotice!)).toMatch(/listener again/);
  });
});
