import { DEFAULT_ROOM_SETTINGS, type CreateRoomBody, type RoomDto, type RoomListQuery, type RoomListResponse, type UpdateRoomBody } from "@vtp/protocol";
import { AppError, forbidden, notFound } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { DB } from "../db/index.js";
import { newJoinCode, normalizeJoinCode } from "./code.js";
import { RoomsRepo, type RoomRow } from "./repo.js";
import { isRoomHost, toRoomDto } from "./dto.js";
import { stripUndefined, type RoomRecords } from "./records.js";

export { roomNotFound, settingsOf, toRoomDto, isRoomHost } from "./dto.js";

/** What the live (socket) layer does when a room changes through REST. */
export interface RoomLiveControl {
  /** Ends the live session: everyone gets room-ended, attendance is closed. Idempotent. */
  endRoom(roomId: string, byUserId: string | null): Promise<void>;
  /** Tells the people in the room about new settings/title. */
  roomUpdated(room: RoomDto): Promise<void>;
}

/**
 * Rooms (classes) as the REST API sees them: create, look up, list, change, end, delete, with
 * who may do what. Ending and live broadcasts go through the live classroom (RoomLiveControl).
 */
export class RoomService {
  private readonly repo: RoomsRepo;
  private readonly deletedListeners: Array<(roomId: string) => Promise<void>> = [];
  private readonly deletingListeners: Array<(roomId: string) => Promise<() => Promise<void>>> = [];

  constructor(
    db: DB,
    private readonly records: RoomRecords,
    private readonly live: RoomLiveControl,
  ) {
    this.repo = new RoomsRepo(db);
  }

  async create(user: AuthUser, body: CreateRoomBody): Promise<RoomDto> {
    if (user.role !== "teacher" && user.role !== "admin") throw new AppError("ROLE_NOT_ALLOWED", "Only teachers and admins can create rooms");
    const settings = { ...DEFAULT_ROOM_SETTINGS, ...stripUndefined(body.settings ?? {}) };
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.repo.insert({
          code: newJoinCode(),
          title: body.title.trim() || "Untitled class",
          description: (body.description ?? "").trim(),
          host_id: user.id,
          scheduled_start: body.scheduledStart ? new Date(body.scheduledStart) : null,
          students_can_publish: settings.studentsCanPublish,
          waiting_room: settings.waitingRoom,
          max_participants: settings.maxParticipants,
          chat_enabled: settings.chatEnabled,
        });
        const room = await this.repo.byId(id);
        if (!room) throw notFound("The room was deleted as it was created");
        return toRoomDto(room);
      } catch (err) {
        if (attempt < 5 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  /** The row, or ROOM_NOT_FOUND. */
  row(id: string): Promise<RoomRow> {
    return this.records.row(id);
  }

  /** The row, or undefined. */
  find(id: string): Promise<RoomRow | undefined> {
    return this.records.find(id);
  }

  /** Any signed-in user may read a room they know the id or code of (to join it). */
  async get(id: string): Promise<RoomDto> {
    return toRoomDto(await this.row(id));
  }

  async byCode(code: string): Promise<RoomDto> {
    const normalized = normalizeJoinCode(code);
    const room = normalized ? await this.repo.byCode(normalized) : undefined;
    if (!room) throw new AppError("ROOM_NOT_FOUND", "No room has this code");
    return toRoomDto(room);
  }

  async list(user: AuthUser, query: RoomListQuery): Promise<RoomListResponse> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { rows, total } = await this.repo.list({
      userId: user.id,
      everything: user.role === "admin",
      scope: query.scope ?? "all",
      status: query.status,
      page,
      pageSize,
    });
    return { rooms: rows.map(toRoomDto), total, page, pageSize };
  }

  /** The row when the user may manage it; ROOM_NOT_FOUND / FORBIDDEN otherwise. */
  async managed(user: AuthUser, id: string): Promise<RoomRow> {
    const room = await this.row(id);
    if (!isRoomHost(user, room)) throw forbidden("Only the room's host or an admin can do this");
    return room;
  }

  async update(user: AuthUser, id: string, body: UpdateRoomBody): Promise<RoomDto> {
    const room = await this.managed(user, id);
    return this.applyUpdate(room, body);
  }

  private async applyUpdate(room: RoomRow, body: UpdateRoomBody): Promise<RoomDto> {
    const dto = await this.records.update(room, body);
    if (room.status === "live") await this.live.roomUpdated(dto);
    return dto;
  }

  /** Whether the user may join: their own room, open, or refused earlier (removed, rejected). */
  async accessOf(user: AuthUser, id: string): Promise<"host" | "open" | "removed" | "rejected"> {
    const room = await this.row(id);
    if (isRoomHost(user, room)) return "host";
    const access = await this.records.accessOf(room.id, user.id);
    return access?.status === "removed" ? "removed" : access?.status === "rejected" ? "rejected" : "open";
  }

  async end(user: AuthUser, id: string): Promise<RoomDto> {
    const room = await this.managed(user, id);
    await this.live.endRoom(room.id, user.id);
    return toRoomDto(await this.row(room.id));
  }

  async delete(user: AuthUser, id: string): Promise<void> {
    const room = await this.managed(user, id);
    if (room.status !== "ended") await this.live.endRoom(room.id, user.id);
    const afterwards = [];
    for (const listener of this.deletingListeners) afterwards.push(await listener(room.id));
    await this.repo.delete(room.id);
    for (const done of afterwards) await done();
    for (const listener of this.deletedListeners) await listener(room.id);
  }

  /**
   * Before a class is deleted: a capability whose files are named after its own rows (not the
   * class) reads what it needs; the function it returns runs once the rows are gone.
   */
  onDeleting(listener: (roomId: string) => Promise<() => Promise<void>>): void {
    this.deletingListeners.push(listener);
  }

  /**
   * After a class is deleted (its rows went with it, by cascade): what a capability keeps outside
   * the database, such as stored files, goes too. Listeners handle (log) their own failures.
   */
  onDeleted(listener: (roomId: string) => Promise<void>): void {
    this.deletedListeners.push(listener);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}
