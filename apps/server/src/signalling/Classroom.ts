import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { JoinRoomResult, LeaveReason, RoomDto, RoomInfoResult, RoomRole } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import { isRoomHost, roomNotFound, settingsOf, toRoomDto, type RoomLiveControl, type RoomRow } from "../rooms/index.js";
import type { AttendanceLog, ChatLog, RoomDirectory } from "./ports.js";
import type { LiveParticipant, LiveState } from "./state/index.js";
import type { RoomHooks } from "./hooks.js";
import type { Broadcaster } from "./Broadcaster.js";
import { canPublish, handQueueOf, toParticipantDto, toWaitingDto } from "./dto.js";

/** One connection acting in the classroom. */
export interface Session {
  socketId: string;
  user: AuthUser;
}

export interface ClassroomDeps {
  rooms: RoomDirectory;
  chat: Pick<ChatLog, "latest">;
  attendance: AttendanceLog;
  state: LiveState;
  hooks: RoomHooks;
  out: Broadcaster;
  /** 0 = a dropped connection leaves at once. */
  graceMs: number;
  /** This server process (LiveState records which node holds each connection). */
  nodeId: string;
  log: Logger;
}

export const notInRoom = () => new AppError("NOT_IN_ROOM", "Join the room first (join-room)");

/**
 * Who is in a live room: join (with the waiting room, capacity, removed/rejected people),
 * leave, dropped connections and their grace period, ending. The truth lives in LiveState
 * (shared between nodes); a socket's own idea of its room is only a hint checked against it.
 */
export class Classroom implements RoomLiveControl {
  constructor(private readonly deps: ClassroomDeps) {}

  /** The room's row, or ROOM_NOT_FOUND. */
  async room(roomId: string): Promise<RoomRow> {
    const room = await this.deps.rooms.find(roomId);
    if (!room) throw roomNotFound();
    return room;
  }

  async join(session: Session, roomId: string): Promise<JoinRoomResult> {
    const { rooms, state, out, hooks } = this.deps;
    let room = await this.room(roomId);
    if (room.status === "ended") throw new AppError("ROOM_ENDED", "This class has ended");
    const host = isRoomHost(session.user, room);
    let role: RoomRole = host ? "host" : "student";
    if (!host) {
      const access = await rooms.accessOf(room.id, session.user.id);
      if (access?.status === "removed") throw new AppError("REMOVED_FROM_ROOM", "You were removed from this class");
      if (access?.status === "rejected") throw new AppError("REJECTED_BY_HOST", "The host did not let you in");
      if (access?.role) role = access.role;
      if (room.waiting_room && access?.status !== "admitted" && !(await state.byUser(room.id, session.user.id))) {
        await state.addWaiting(room.id, {
          userId: session.user.id,
          name: session.user.fullName,
          socketId: session.socketId,
          since: Date.now(),
          nodeId: this.deps.nodeId,
        });
        await this.notifyWaiting(room.id);
        throw new AppError("WAITING_FOR_HOST", "Waiting for the host to let you in; you will get an `admitted` event", { waiting: true });
      }
    }

    const now = Date.now();
    const candidate: LiveParticipant = {
      id: randomUUID(),
      roomId: room.id,
      userId: session.user.id,
      name: session.user.fullName,
      role,
      socketId: session.socketId,
      connected: true,
      joinedAt: now,
      disconnectedAt: null,
      handRaisedAt: null,
      handSeq: null,
      media: { audio: false, video: false, screen: false },
      attendanceId: randomUUID(),
      nodeId: this.deps.nodeId,
    };
    const outcome = await state.join(candidate, room.max_participants, host);
    if (outcome.kind === "full") throw new AppError("ROOM_FULL", `This class is full (${room.max_participants} participants)`);
    const settings = settingsOf(room);
    const me = outcome.participant;

    if (outcome.kind === "joined") {
      await this.deps.attendance.joined(me.attendanceId, room.id, me.userId, me.role, new Date(me.joinedAt));
      await rooms.count(room.id, { participants: outcome.count });
      out.join(session.socketId, room.id, me.role === "host");
      out.toRoom(room.id, "participant-joined", { roomId: room.id, participant: toParticipantDto(me, settings) }, session.socketId);
      await hooks.fire("participant-joined", { roomId: room.id, participant: me });
    } else {
      if (outcome.previousSocketId !== session.socketId && outcome.wasConnected) {
        // Another tab (or a half-dead connection) of the same user: the newest one wins.
        out.toSocket(outcome.previousSocketId, "session-replaced", { roomId: room.id });
        out.leave(outcome.previousSocketId, room.id);
      }
      out.join(session.socketId, room.id, me.role === "host");
      if (!outcome.wasConnected) out.toRoom(room.id, "participant-updated", { roomId: room.id, participant: toParticipantDto(me, settings) }, session.socketId);
      await hooks.fire("participant-resumed", {
        roomId: room.id,
        participant: me,
        previousSocketId: outcome.previousSocketId,
        wasConnected: outcome.wasConnected,
      });
    }
    if (await state.removeWaiting(room.id, session.user.id)) await this.notifyWaiting(room.id);

    if (me.role === "host" && room.status === "scheduled" && (await rooms.markStatus(room.id, "live"))) {
      room = await this.room(room.id);
      out.toRoom(room.id, "room-updated", { room: toRoomDto(room) });
    }

    const participants = await state.list(room.id);
    return {
      room: toRoomDto(room),
      participantId: me.id,
      role: me.role,
      canPublish: toParticipantDto(me, settings).canPublish,
      participants: participants.map((p) => toParticipantDto(p, settings)),
      handQueue: handQueueOf(participants),
      messages: await this.deps.chat.latest(room.id, 50),
      ...(me.role === "host" ? { waiting: (await state.listWaiting(room.id)).map(toWaitingDto) } : {}),
      resumed: outcome.kind === "resumed",
    };
  }

  /**
   * The participant behind this socket. `requestedRoomId` (when the payload names a room) must
   * be the socket's room. NOT_IN_ROOM when removed, replaced by another tab, or the room ended.
   */
  async member(session: Session, at: { roomId?: string; participantId?: string }, requestedRoomId?: string): Promise<LiveParticipant> {
    if (!at.roomId || !at.participantId) throw notInRoom();
    if (requestedRoomId !== undefined && requestedRoomId !== at.roomId) throw new AppError("NOT_IN_ROOM", "You are not in that room");
    const participant = await this.deps.state.get(at.roomId, at.participantId);
    if (!participant || participant.socketId !== session.socketId) throw notInRoom();
    return participant;
  }

  async leave(session: Session, roomId: string, participantId: string): Promise<void> {
    this.deps.out.leave(session.socketId, roomId);
    const participant = await this.deps.state.remove(roomId, participantId, { socketId: session.socketId });
    if (participant) await this.afterLeave(participant, "left", Date.now());
  }

  /** The socket disconnected: keep the participant for the grace period (or leave at once). */
  async dropped(socketId: string, roomId: string, participantId: string): Promise<void> {
    const now = Date.now();
    if (this.deps.graceMs <= 0) {
      const participant = await this.deps.state.remove(roomId, participantId, { socketId });
      if (participant) await this.afterLeave(participant, "disconnected", now);
      return;
    }
    const participant = await this.deps.state.startGrace(roomId, participantId, socketId, now, now + this.deps.graceMs);
    if (!participant) return; // replaced by another tab, removed, or the room ended
    const room = await this.deps.rooms.find(roomId);
    if (room) this.deps.out.toRoom(roomId, "participant-updated", { roomId, participant: toParticipantDto(participant, settingsOf(room)) });
    await this.deps.hooks.fire("participant-disconnected", { roomId, participant });
  }

  /** A waiting socket went away. */
  async waitingDropped(socketId: string, roomId: string, userId: string): Promise<void> {
    if (await this.deps.state.removeWaiting(roomId, userId, socketId)) await this.notifyWaiting(roomId);
  }

  /** Ends grace periods that ran out (on whichever node claims them first). */
  async sweepGrace(now = Date.now()): Promise<number> {
    let ended = 0;
    for (const g of await this.deps.state.claimExpiredGrace(now)) {
      const participant = await this.deps.state.remove(g.roomId, g.participantId, { socketId: g.socketId, connected: false });
      if (!participant) continue;
      ended++;
      await this.afterLeave(participant, "disconnected", participant.disconnectedAt ?? now);
    }
    return ended;
  }

  /** Attendance, broadcasts and hooks after a participant is gone from the state. */
  async afterLeave(participant: LiveParticipant, reason: LeaveReason, at: number): Promise<void> {
    await this.deps.attendance.left(participant.attendanceId, new Date(at));
    this.deps.out.toRoom(participant.roomId, "participant-left", {
      roomId: participant.roomId,
      participantId: participant.id,
      userId: participant.userId,
      reason,
    });
    if (participant.handRaisedAt !== null) await this.broadcastHands(participant.roomId);
    await this.deps.hooks.fire("participant-left", { roomId: participant.roomId, participant, reason });
  }

  /** The room's hand queue to everyone; a burst of changes shares one send per 100 ms (Broadcaster.toRoomLatest). */
  async broadcastHands(roomId: string): Promise<void> {
    await this.deps.out.toRoomLatest(
      roomId,
      "hand-queue",
      async () => ({ roomId, queue: handQueueOf(await this.deps.state.list(roomId)) }),
      (err) => this.deps.log.warn({ err, roomId }, "hand queue broadcast failed"),
    );
  }

  async notifyWaiting(roomId: string): Promise<void> {
    this.deps.out.toHosts(roomId, "waiting-updated", { roomId, waiting: (await this.deps.state.listWaiting(roomId)).map(toWaitingDto) });
  }

  async roomInfo(participant: LiveParticipant): Promise<RoomInfoResult> {
    const room = await this.room(participant.roomId);
    const participants = await this.deps.state.list(participant.roomId);
    return {
      room: toRoomDto(room),
      participantCount: participants.length,
      handQueue: handQueueOf(participants),
      ...(participant.role === "host" ? { waiting: (await this.deps.state.listWaiting(participant.roomId)).map(toWaitingDto) } : {}),
    };
  }

  async participants(roomId: string, room?: RoomRow) {
    const found = room ?? (await this.room(roomId));
    return (await this.deps.state.list(roomId)).map((p) => toParticipantDto(p, settingsOf(found)));
  }

  /** May this participant publish audio or video now (their role and the room's settings)? */
  async mayPublish(participant: LiveParticipant): Promise<boolean> {
    return canPublish(participant, settingsOf(await this.room(participant.roomId)));
  }

  /** Tells the room about a participant's new state (nothing when the room is gone). */
  async participantUpdated(participant: LiveParticipant): Promise<void> {
    const room = await this.deps.rooms.find(participant.roomId);
    if (room)
      this.deps.out.toRoom(participant.roomId, "participant-updated", {
        roomId: participant.roomId,
        participant: toParticipantDto(participant, settingsOf(room)),
      });
  }

  // ---- RoomLiveControl (used by the REST endpoints too)

  async endRoom(roomId: string, _byUserId: string | null): Promise<void> {
    await this.deps.rooms.markStatus(roomId, "ended");
    const { participants, waiting } = await this.deps.state.clearRoom(roomId);
    await this.deps.attendance.closeRoom(roomId, new Date());
    this.deps.out.toRoom(roomId, "room-ended", { roomId });
    for (const w of waiting) this.deps.out.toSocket(w.socketId, "room-ended", { roomId });
    this.deps.out.clear(roomId);
    await this.deps.hooks.fire("room-ended", { roomId, participants });
  }

  async roomUpdated(room: RoomDto): Promise<void> {
    this.deps.out.toRoom(room.id, "room-updated", { room });
    await this.deps.hooks.fire("room-updated", { roomId: room.id, room });
  }
}
