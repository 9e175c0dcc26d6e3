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
    private readonly deps: ClassroomControlsDeps,
  ) {}

  private requireHost(participant: LiveParticipant) {
    if (participant.role !== "host") throw forbidden("Only the host can do this");
  }

  private async target(actor: LiveParticipant, participantId: string): Promise<LiveParticipant> {
    const target = await this.deps.state.get(actor.roomId, participantId);
    if (!target) throw participantNotFound();
    return target;
  }

  private async publishUpdate(target: LiveParticipant): Promise<ParticipantDto> {
    const dto = toParticipantDto(target, settingsOf(await this.room.room(target.roomId)));
    this.deps.out.toRoom(target.roomId, "participant-updated", { roomId: target.roomId, participant: dto });
    return dto;
  }

  // ---- hands

  async raiseHand(participant: LiveParticipant): Promise<{ position: number }> {
    let raised: LiveParticipant | undefined;
    if (participant.handRaisedAt === null) {
      const seq = await this.deps.state.nextHandSeq(participant.roomId);
      const up = await this.deps.state.update(
        participant.roomId,
        participant.id,
        { handRaisedAt: Date.now(), handSeq: seq },
        { socketId: participant.socketId, handRaisedAt: null },
      );
      if (up) {
        await this.deps.rooms.count(participant.roomId, "hand-raised");
        await this.deps.attendance.handRaised?.(up.attendanceId);
        await this.publishUpdate(up);
        await this.room.broadcastHands(participant.roomId);
        raised = up;
      }
    }
    const queue = handQueueOf(await this.deps.state.list(participant.roomId));
    const position = queue.findIndex((e) => e.participantId === participant.id) + 1;
    if (raised) await this.deps.hooks.fire("hand-raised", { roomId: participant.roomId, participant: raised, position });
    return { position };
  }

  /** Your own hand, or (host) anyone's. */
  async lowerHand(actor: LiveParticipant, targetId?: string): Promise<void> {
    const target = targetId && targetId !== actor.id ? await this.target(actor, targetId) : actor;
    if (target.id !== actor.id) this.requireHost(actor);
    if (target.handRaisedAt === null) return;
    const up = await this.deps.state.update(actor.roomId, target.id, { handRaisedAt: null, handSeq: null });
    if (!up) return;
    await this.publishUpdate(up);
    await this.room.broadcastHands(actor.roomId);
  }

  // ---- host controls

  async setRole(actor: LiveParticipant, targetId: string, role: "presenter" | "student"): Promise<ParticipantDto> {
    this.requireHost(actor);
    const target = await this.target(actor, targetId);
    if (target.role === "host") throw new AppError("CONFLICT", "A host's role cannot be changed");
    if (target.role === role) return toParticipantDto(target, settingsOf(await this.room.room(target.roomId)));
    const up = await this.deps.state.update(actor.roomId, target.id, { role });
    if (!up) throw participantNotFound();
    await this.deps.rooms.setAccess(actor.roomId, target.userId, { role });
    await this.deps.attendance.roleChanged(target.attendanceId, role);
    const room = await this.room.room(target.roomId);
    const dto = toParticipantDto(up, settingsOf(room));
    this.deps.out.toRoom(target.roomId, "participant-updated", { roomId: target.roomId, participant: dto });
    await this.deps.hooks.fire("participant-role-changed", {
      roomId: actor.roomId,
      participant: up,
      previousRole: target.role,
      canPublish: canPublish(up, settingsOf(room)),
    });
    return dto;
  }

  async mute(actor: LiveParticipant, targetId: string): Promise<void> {
    this.requireHost(actor);
    const target = await this.target(actor, targetId);
    const up = (await this.deps.state.update(actor.roomId, target.id, { media: { audio: false } })) ?? target;
    this.deps.out.toSocket(target.socketId, "muted", { roomId: actor.roomId, by: actor.id, byName: actor.name });
    await this.publishUpdate(up);
    await this.deps.hooks.fire("participant-muted", { roomId: actor.roomId, participant: up, byUserId: actor.userId });
  }

  /** Kicks the participant; they cannot join this class again unless a host admits them. */
  async remove(actor: LiveParticipant, targetId: string): Promise<void> {
    this.requireHost(actor);
    const target = await this.target(actor, targetId);
    if (target.role === "host") throw forbidden("A host cannot be removed");
    await this.deps.rooms.setAccess(actor.roomId, target.userId, { status: "removed" });
    const gone = await this.deps.state.remove(actor.roomId, target.id);
    if (!gone) return;
    this.deps.out.toSocket(gone.socketId, "removed", { roomId: actor.roomId });
    this.deps.out.leave(gone.socketId, actor.roomId);
    await this.room.afterLeave(gone, "removed", Date.now());
  }

  /** Lets a waiting (or earlier removed / rejected) person in. */
  async admit(actor: LiveParticipant, userId: string): Promise<void> {
    this.requireHost(actor);
    const waiting = await this.deps.state.removeWaiting(actor.roomId, userId);
    const access = isUuid(userId) ? await this.deps.rooms.accessOf(actor.roomId, userId) : undefined;
    if (!waiting && !access) throw new AppError("PARTICIPANT_NOT_FOUND", "That person is not waiting");
    await this.deps.rooms.setAccess(actor.roomId, userId, { status: "admitted" });
    if (waiting) {
      this.deps.out.toSocket(waiting.socketId, "admitted", { roomId: actor.roomId });
      await this.room.notifyWaiting(actor.roomId);
    }
  }

  async reject(actor: LiveParticipant, userId: string): Promise<void> {
    this.requireHost(actor);
    const waiting = await this.deps.state.removeWaiting(actor.roomId, userId);
    if (!waiting) throw new AppError("PARTICIPANT_NOT_FOUND", "That person is not waiting");
    await this.deps.rooms.setAccess(actor.roomId, userId, { status: "rejected" });
    this.deps.out.toSocket(waiting.socketId, "rejected", { roomId: actor.roomId });
    await this.room.notifyWaiting(actor.roomId);
  }

  async updateSettings(actor: LiveParticipant, settings: RoomSettingsPatch): Promise<RoomDto> {
    this.requireHost(actor);
    const { room, wasLive } = await this.deps.rooms.updateSettings(actor.roomId, settings);
    if (wasLive) await this.room.roomUpdated(room);
    return room;
  }

  async end(actor: LiveParticipant): Promise<void> {
    this.requireHost(actor);
    await this.room.endRoom(actor.roomId, actor.userId);
  }

  // ---- chat

  async chatSend(sender: LiveParticipant, text: string): Promise<ChatMessageDto> {
    const room = await this.room.room(sender.roomId);
    if (!room.chat_enabled && sender.role !== "host") throw new AppError("CHAT_DISABLED", "Chat is turned off in this class");
    const message = await this.deps.chat.send(sender.roomId, { id: sender.userId, fullName: sender.name }, text);
    this.deps.out.toRoom(sender.roomId, "chat-message", { roomId: sender.roomId, message });
    return message;
  }

  async chatDelete(actor: LiveParticipant, messageId: string): Promise<void> {
    this.requireHost(actor);
    const message = await this.deps.chat.delete(actor.roomId, messageId, actor.userId);
    this.deps.out.toRoom(actor.roomId, "chat-deleted", { roomId: actor.roomId, messageId: message.id, seq: message.seq });
  }

  // ---- peer-to-peer relay

  async relay<E extends RelayEvent>(sender: LiveParticipant, event: E, to: string, body: RelayBody<E>): Promise<void> {
    if (to === sender.id) throw new AppError("BAD_REQUEST", "You cannot send this to yourself");
    const recipient = await this.deps.state.get(sender.roomId, to);
    if (!recipient?.connected) throw participantNotFound();
    this.deps.out.toSocket(recipient.socketId, event, { ...body, roomId: sender.roomId, from: sender.id } as Parameters<ServerToClientEvents[E]>[0]);
  }
}
