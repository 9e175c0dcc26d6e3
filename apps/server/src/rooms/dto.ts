import type { RoomDto, RoomSettings } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { RoomRow } from "./repo.js";

export const roomNotFound = () => new AppError("ROOM_NOT_FOUND", "No such room");

export function settingsOf(r: RoomRow): RoomSettings {
  return { studentsCanPublish: r.students_can_publish, waitingRoom: r.waiting_room, maxParticipants: r.max_participants, chatEnabled: r.chat_enabled };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toRoomDto(r: RoomRow): RoomDto {
  return {
    id: r.id,
    code: r.code,
    title: r.title,
    description: r.description,
    hostId: r.host_id,
    hostName: r.host_name,
    status: r.status,
    settings: settingsOf(r),
    scheduledStart: iso(r.scheduled_start),
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** May this user change / end / delete the room, and act as its host in class? */
export function isRoomHost(user: Pick<AuthUser, "id" | "role">, room: Pick<RoomRow, "host_id">): boolean {
  return user.role === "admin" || room.host_id === user.id;
}
