import { DEFAULT_ROOM_SETTINGS, type CreateRoomBody, type RoomDto, type RoomListQuery, type RoomListResponse, type RoomSettings, type UpdateRoomBody } from "@vtp/protocol";
import { AppError, forbidden } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { DB } from "../db/index.js";
import { newJoinCode, normalizeJoinCode } from "./code.js";
import { RoomsRepo, type RoomRow } from "./repo.js";

/** What the live (socket) layer does when a room changes through REST. */
export interface RoomLiveControl {
  /** Ends the live session: everyone gets room-ended, attendance is closed. Idempotent. */
  endRoom(roomId: string, byUserId: string | null): Promise<void>;
  /** Tells the people in the room about new settings/title. */
  roomUpdated(room: RoomDto): Promise<void>;
}

export const roomNotFound = () => new AppError(404, "ROOM_NOT_FOUND", "No such room");

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

/**
 * Rooms (classes) as records: create, look up, list, change, delete. Ending and live
 * broadcasts go through the RoomLiveControl the signalling layer installs.
 */
export class RoomService {
  readonly repo: RoomsRepo;
  private live: RoomLiveControl | undefined;

  constructor(db: DB) {
    this.repo = new RoomsRepo(db);
  }

  setLiveControl(live: RoomLiveControl) {
    this.live = live;
  }

  async create(user: AuthUser, body: CreateRoomBody): Promise<RoomDto> {
    if (user.role !== "teacher" && user.role !== "admin") throw new AppError(403, "ROLE_NOT_ALLOWED", "Only teachers and admins can create rooms");
    const s = { ...DEFAULT_ROOM_SETTINGS, ...stripUndefined(body.settings ?? {}) };
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.repo.insert({
          code: newJoinCode(),
          title: body.title.trim() || "Untitled class",
          description: (body.description ?? "").trim(),
          host_id: user.id,
          scheduled_start: body.scheduledStart ? new Date(body.scheduledStart) : null,
          students_can_publish: s.studentsCanPublish,
          waiting_room: s.waitingRoom,
          max_participants: s.maxParticipants,
          chat_enabled: s.chatEnabled,
        });
        return toRoomDto((await this.repo.byId(id))!);
      } catch (err) {
        if (attempt < 5 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  /** The row, or ROOM_NOT_FOUND. */
  async row(id: string): Promise<RoomRow> {
    const r = await this.repo.byId(id);
    if (!r) throw roomNotFound();
    return r;
  }

  /** Any signed-in user may read a room they know the id or code of (to join it). */
  async get(id: string): Promise<RoomDto> {
    return toRoomDto(await this.row(id));
  }

  async byCode(code: string): Promise<RoomDto> {
    const c = normalizeJoinCode(code);
    const r = c ? await this.repo.byCode(c) : undefined;
    if (!r) throw new AppError(404, "ROOM_NOT_FOUND", "No room has this code");
    return toRoomDto(r);
  }

  async list(user: AuthUser, q: RoomListQuery): Promise<RoomListResponse> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const { rows, total } = await this.repo.list({ userId: user.id, everything: user.role === "admin", scope: q.scope ?? "all", status: q.status, page, pageSize });
    return { rooms: rows.map(toRoomDto), total, page, pageSize };
  }

  /** The row when the user may manage it; ROOM_NOT_FOUND / FORBIDDEN otherwise. */
  async managed(user: AuthUser, id: string): Promise<RoomRow> {
    const r = await this.row(id);
    if (!isRoomHost(user, r)) throw forbidden("Only the room's host or an admin can do this");
    return r;
  }

  async update(user: AuthUser, id: string, body: UpdateRoomBody): Promise<RoomDto> {
    const r = await this.managed(user, id);
    return this.applyUpdate(r, body);
  }

  async applyUpdate(r: RoomRow, body: UpdateRoomBody): Promise<RoomDto> {
    const s = stripUndefined(body.settings ?? {});
    await this.repo.update(r.id, {
      ...(body.title !== undefined ? { title: body.title.trim() || r.title } : {}),
      ...(body.description !== undefined ? { description: body.description.trim() } : {}),
      ...(body.scheduledStart !== undefined ? { scheduled_start: body.scheduledStart ? new Date(body.scheduledStart) : null } : {}),
      ...(s.studentsCanPublish !== undefined ? { students_can_publish: s.studentsCanPublish } : {}),
      ...(s.waitingRoom !== undefined ? { waiting_room: s.waitingRoom } : {}),
      ...(s.maxParticipants !== undefined ? { max_participants: s.maxParticipants } : {}),
      ...(s.chatEnabled !== undefined ? { chat_enabled: s.chatEnabled } : {}),
    });
    const dto = toRoomDto(await this.row(r.id));
    if (r.status === "live") await this.live?.roomUpdated(dto);
    return dto;
  }

  async end(user: AuthUser, id: string): Promise<RoomDto> {
    const r = await this.managed(user, id);
    if (this.live) await this.live.endRoom(r.id, user.id);
    else await this.repo.markEnded(r.id);
    return toRoomDto(await this.row(r.id));
  }

  async delete(user: AuthUser, id: string): Promise<void> {
    const r = await this.managed(user, id);
    if (r.status !== "ended" && this.live) await this.live.endRoom(r.id, user.id);
    await this.repo.delete(r.id);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}
