import type { RoomDto, RoomSettings } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { RoomRow } from "./repo.js";

export const roomNotFound = () => new AppError("ROOM_NOT_FOUND", "No such room");

export function settingsOf(room: RoomRow): RoomSettings {
  return {
    studentsCanPublish: room.students_can_publish,
    waitingRoom: room.waiting_room,
    maxParticipants: room.max_participants,
    chatEnabled: room.chat_enabled,
  };
}

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toRoomDto(room: RoomRow): RoomDto {
  return {
    id: room.id,
    code: room.code,
    title: room.title,
    description: room.description,
    hostId: room.host_id,
    hostName: room.host_name,
    status: room.status,
    settings: settingsOf(room),
    scheduledStart: iso(room.scheduled_start),
    startedAt: iso(room.started_at),
    endedAt: iso(room.ended_at),
    createdAt: new Date(room.created_at).toISOString(),
    updatedAt: new Date(room.updated_at).toISOString(),
  };
}

/** May this user change / end / delete the room, and act as its host in class? */
export function isRoomHost(user: Pick<AuthUser, "id" | "role">, room: Pick<RoomRow, "host_id">): boolean {
  return user.role === "admin" || room.host_id === user.id;
}
