import type { ChatMessageDto, ParticipantDto, RoomDto, RoomSettingsPatch, ServerToClientEvents } from "@vtp/protocol";
import { AppError, forbidden } from "../errors/index.js";
import { isUuid, settingsOf } from "../rooms/index.js";
import type { LiveParticipant, LiveState } from "./state/index.js";
import type { Classroom } from "./Classroom.js";
import type { RoomHooks } from "./hooks.js";
import type { Broadcaster } from "./Broadcaster.js";
import type { AttendanceLog, ChatLog, RoomDirectory } from "./ports.js";
import { canPublish, handQueueOf, toParticipantDto } from "./dto.js";

const participantNotFound = () => new AppError("PARTICIPANT_NOT_FOUND", "No such participant in this room");
type RelayEvent = "webrtc-offer" | "webrtc-answer" | "ice-candidate";
type RelayBody<E extends RelayEvent> = Omit<Parameters<ServerToClientEvents[E]>[0], "roomId" | "from">;

/**
 * What a participant does once in the room: hands, host controls, chat, peer-to-peer relay.
 * Every method gets the acting participant (already checked by Classroom.member) and checks
 * its own permissions; targets are looked up in the actor's room only.
 */
export interface ClassroomControlsDeps {
  rooms: RoomDirectory;
  chat: ChatLog;
  attendance: AttendanceLog;
  state: LiveState;
  hooks: RoomHooks;
  out: Broadcaster;
}

export class ClassroomControls {
  constructor(
    private readonly room: Classroom,
    private readonly d: ClassroomControlsDeps,
  ) {}

  private requireHost(p: LiveParticipant) {
    if (p.role !== "host") throw forbidden("Only the host can do this");
  }

  private async target(p: LiveParticipant, participantId: string): Promise<LiveParticipant> {
    const t = await this.d.state.get(p.roomId, participantId);
    if (!t) throw participantNotFound();
    return t;
  }

  private async publishUpdate(t: LiveParticipant): Promise<ParticipantDto> {
    const dto = toParticipantDto(t, settingsOf(await this.room.room(t.roomId)));
    this.d.out.toRoom(t.roomId, "participant-updated", { roomId: t.roomId, participant: dto });
    return dto;
  }

  // ---- hands

  async raiseHand(p: LiveParticipant): Promise<{ position: number }> {
    let raised: LiveParticipant | undefined;
    if (p.handRaisedAt === null) {
      const seq = await this.d.state.nextHandSeq(p.roomId);
      const up = await this.d.state.update(p.roomId, p.id, { handRaisedAt: Date.now(), handSeq: seq }, { socketId: p.socketId, handRaisedAt: null });
      if (up) {
        await this.d.rooms.count(p.roomId, "hand-raised");
        await this.publishUpdate(up);
        await this.room.broadcastHands(p.roomId);
        raised = up;
      }
    }
    const queue = handQueueOf(await this.d.state.list(p.roomId));
    const position = queue.findIndex((e) => e.participantId === p.id) + 1;
    if (raised) await this.d.hooks.fire("hand-raised", { roomId: p.roomId, participant: raised, position });
    return { position };
  }

  /** Your own hand, or (host) anyone's. */
  async lowerHand(p: LiveParticipant, targetId?: string): Promise<void> {
    const t = targetId && targetId !== p.id ? await this.target(p, targetId) : p;
    if (t.id !== p.id) this.requireHost(p);
    if (t.handRaisedAt === null) return;
    const up = await this.d.state.update(p.roomId, t.id, { handRaisedAt: null, handSeq: null });
    if (!up) return;
    await this.publishUpdate(up);
    await this.room.broadcastHands(p.roomId);
  }

  // ---- host controls

  async setRole(p: LiveParticipant, targetId: string, role: "presenter" | "student"): Promise<ParticipantDto> {
    this.requireHost(p);
    const t = await this.target(p, targetId);
    if (t.role === "host") throw new AppError("CONFLICT", "A host's role cannot be changed");
    if (t.role === role) return toParticipantDto(t, settingsOf(await this.room.room(t.roomId)));
    const up = await this.d.state.update(p.roomId, t.id, { role });
    if (!up) throw participantNotFound();
    await this.d.rooms.setAccess(p.roomId, t.userId, { role });
    await this.d.attendance.roleChanged(t.attendanceId, role);
    const room = await this.room.room(t.roomId);
    const dto = toParticipantDto(up, settingsOf(room));
    this.d.out.toRoom(t.roomId, "participant-updated", { roomId: t.roomId, participant: dto });
    await this.d.hooks.fire("participant-role-changed", {
      roomId: p.roomId,
      participant: up,
      previousRole: t.role,
      canPublish: canPublish(up, settingsOf(room)),
    });
    return dto;
  }

  async mute(p: LiveParticipant, targetId: string): Promise<void> {
    this.requireHost(p);
    const t = await this.target(p, targetId);
    const up = (await this.d.state.update(p.roomId, t.id, { media: { ...t.media, audio: false } })) ?? t;
    this.d.out.toSocket(t.socketId, "muted", { roomId: p.roomId, by: p.id, byName: p.name });
    await this.publishUpdate(up);
    await this.d.hooks.fire("participant-muted", { roomId: p.roomId, participant: up, byUserId: p.userId });
  }

  /** Kicks the participant; they cannot join this class again unless a host admits them. */
  async remove(p: LiveParticipant, targetId: string): Promise<void> {
    this.requireHost(p);
    const t = await this.target(p, targetId);
    if (t.role === "host") throw forbidden("A host cannot be removed");
    await this.d.rooms.setAccess(p.roomId, t.userId, { status: "removed" });
    const gone = await this.d.state.remove(p.roomId, t.id);
    if (!gone) return;
    this.d.out.toSocket(gone.socketId, "removed", { roomId: p.roomId });
    this.d.out.leave(gone.socketId, p.roomId);
    await this.room.afterLeave(gone, "removed", Date.now());
  }

  /** Lets a waiting (or earlier removed / rejected) person in. */
  async admit(p: LiveParticipant, userId: string): Promise<void> {
    this.requireHost(p);
    const waiting = await this.d.state.removeWaiting(p.roomId, userId);
    const access = isUuid(userId) ? await this.d.rooms.accessOf(p.roomId, userId) : undefined;
    if (!waiting && !access) throw new AppError("PARTICIPANT_NOT_FOUND", "That person is not waiting");
    await this.d.rooms.setAccess(p.roomId, userId, { status: "admitted" });
    if (waiting) {
      this.d.out.toSocket(waiting.socketId, "admitted", { roomId: p.roomId });
      await this.room.notifyWaiting(p.roomId);
    }
  }

  async reject(p: LiveParticipant, userId: string): Promise<void> {
    this.requireHost(p);
    const waiting = await this.d.state.removeWaiting(p.roomId, userId);
    if (!waiting) throw new AppError("PARTICIPANT_NOT_FOUND", "That person is not waiting");
    await this.d.rooms.setAccess(p.roomId, userId, { status: "rejected" });
    this.d.out.toSocket(waiting.socketId, "rejected", { roomId: p.roomId });
    await this.room.notifyWaiting(p.roomId);
  }

  async updateSettings(p: LiveParticipant, settings: RoomSettingsPatch): Promise<RoomDto> {
    this.requireHost(p);
    const { room, wasLive } = await this.d.rooms.updateSettings(p.roomId, settings);
    if (wasLive) await this.room.roomUpdated(room);
    return room;
  }

  async end(p: LiveParticipant): Promise<void> {
    this.requireHost(p);
    await this.room.endRoom(p.roomId, p.userId);
  }

  // ---- chat

  async chatSend(p: LiveParticipant, text: string): Promise<ChatMessageDto> {
    const room = await this.room.room(p.roomId);
    if (!room.chat_enabled && p.role !== "host") throw new AppError("CHAT_DISABLED", "Chat is turned off in this class");
    const message = await this.d.chat.send(p.roomId, { id: p.userId, fullName: p.name }, text);
    this.d.out.toRoom(p.roomId, "chat-message", { roomId: p.roomId, message });
    return message;
  }

  async chatDelete(p: LiveParticipant, messageId: string): Promise<void> {
    this.requireHost(p);
    const m = await this.d.chat.delete(p.roomId, messageId, p.userId);
    this.d.out.toRoom(p.roomId, "chat-deleted", { roomId: p.roomId, messageId: m.id, seq: m.seq });
  }

  // ---- peer-to-peer relay

  async relay<E extends RelayEvent>(p: LiveParticipant, event: E, to: string, body: RelayBody<E>): Promise<void> {
    if (to === p.id) throw new AppError("BAD_REQUEST", "You cannot send this to yourself");
    const t = await this.d.state.get(p.roomId, to);
    if (!t?.connected) throw participantNotFound();
    this.d.out.toSocket(t.socketId, event, { ...body, roomId: p.roomId, from: p.id } as Parameters<ServerToClientEvents[E]>[0]);
  }
}
