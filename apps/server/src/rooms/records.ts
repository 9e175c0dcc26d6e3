import type { RoomDto, RoomSettingsPatch, UpdateRoomBody } from "@vtp/protocol";
import type { DB } from "../db/index.js";
import { RoomsRepo, type RoomAccessRow, type RoomRow } from "./repo.js";
import { roomNotFound, toRoomDto } from "./dto.js";

/** What one person may do in one room, as stored: admitted / removed / rejected, and a presenter role. */
export type RoomAccess = Pick<RoomAccessRow, "status" | "role">;
export type AccessChange = { status: RoomAccessRow["status"] } | { role: "presenter" | "student" };

/**
 * The rooms as stored records, for the live classroom and the numbers about rooms: look up,
 * access of people, lifecycle, counters, settings. Holds no rules about who may do what (the
 * callers check); SQL stays in RoomsRepo.
 */
export class RoomRecords {
  private readonly repo: RoomsRepo;

  constructor(db: DB) {
    this.repo = new RoomsRepo(db);
  }

  find(roomId: string): Promise<RoomRow | undefined> {
    return this.repo.byId(roomId);
  }

  /** The row, or ROOM_NOT_FOUND. */
  async row(roomId: string): Promise<RoomRow> {
    const room = await this.repo.byId(roomId);
    if (!room) throw roomNotFound();
    return room;
  }

  accessOf(roomId: string, userId: string): Promise<RoomAccess | undefined> {
    return this.repo.access(roomId, userId);
  }

  async setAccess(roomId: string, userId: string, change: AccessChange): Promise<void> {
    if ("status" in change) await this.repo.setAccess(roomId, userId, change.status);
    else await this.repo.setAccessRole(roomId, userId, change.role);
  }

  /** scheduled → live, or → ended; true when this call changed the status. */
  markStatus(roomId: string, status: "live" | "ended"): Promise<boolean> {
    return status === "live" ? this.repo.markLive(roomId) : this.repo.markEnded(roomId);
  }

  /** The stored counters: the peak of participants, and hands raised in total. */
  async count(roomId: string, what: { participants: number } | "hand-raised"): Promise<void> {
    if (what === "hand-raised") await this.repo.countHandRaised(roomId);
    else await this.repo.bumpPeak(roomId, what.participants);
  }

  /** Stores new settings; `wasLive` tells the caller whether people in the room must hear of it. */
  async updateSettings(roomId: string, settings: RoomSettingsPatch): Promise<{ room: RoomDto; wasLive: boolean }> {
    const before = await this.row(roomId);
    return { room: await this.update(before, { settings }), wasLive: before.status === "live" };
  }

  /** Applies a change of title, description, schedule or settings to `r`; returns the new room. */
  async update(room: RoomRow, body: UpdateRoomBody): Promise<RoomDto> {
    const settings = stripUndefined(body.settings ?? {});
    await this.repo.update(room.id, {
      ...(body.title !== undefined ? { title: body.title.trim() || room.title } : {}),
      ...(body.description !== undefined ? { description: body.description.trim() } : {}),
      ...(body.scheduledStart !== undefined ? { scheduled_start: body.scheduledStart ? new Date(body.scheduledStart) : null } : {}),
      ...(settings.studentsCanPublish !== undefined ? { students_can_publish: settings.studentsCanPublish } : {}),
      ...(settings.waitingRoom !== undefined ? { waiting_room: settings.waitingRoom } : {}),
      ...(settings.maxParticipants !== undefined ? { max_participants: settings.maxParticipants } : {}),
      ...(settings.chatEnabled !== undefined ? { chat_enabled: settings.chatEnabled } : {}),
    });
    return toRoomDto(await this.row(room.id));
  }

  /** Live rooms (all, or those one host runs), newest first. */
  liveRoomIds(hostId?: string): Promise<string[]> {
    return this.repo.liveRoomIds(hostId);
  }
}

export function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
