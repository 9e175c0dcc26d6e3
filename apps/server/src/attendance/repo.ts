import { sql } from "kysely";
import type { DB } from "../db/index.js";
import type { RoomRoleColumn } from "../rooms/tables.js";

export interface AttendanceRow {
  user_id: string;
  name: string;
  email: string;
  role: RoomRoleColumn;
  first_join: Date;
  last_leave: Date | null;
  open_sessions: number;
  seconds: number;
  joins: number;
}

/** SQL for attendance: one row per join, closed on leave. */
export class AttendanceRepo {
  constructor(private readonly db: DB) {}

  async open(roomId: string, userId: string, role: RoomRoleColumn, at: Date): Promise<string> {
    const result = await this.db
      .insertInto("attendance")
      .values({ room_id: roomId, user_id: userId, room_role: role, joined_at: at })
      .returning("id")
      .executeTakeFirstOrThrow();
    return result.id;
  }

  /** Same, with an id chosen by the caller (the live state knows it before the row exists). */
  async openWithId(id: string, roomId: string, userId: string, role: RoomRoleColumn, at: Date, nodeId: string | null = null): Promise<void> {
    await sql`insert into attendance (id, room_id, user_id, room_role, joined_at, node_id)
      values (${id}, ${roomId}, ${userId}, ${role}, ${at}, ${nodeId})`.execute(this.db);
  }

  async close(id: string, at: Date): Promise<void> {
    await this.db.updateTable("attendance").set({ left_at: at }).where("id", "=", id).where("left_at", "is", null).execute();
  }

  async setRole(id: string, role: RoomRoleColumn): Promise<void> {
    await this.db.updateTable("attendance").set({ room_role: role }).where("id", "=", id).execute();
  }

  async countHand(id: string): Promise<void> {
    await sql`update attendance set hands_raised = hands_raised + 1 where id = ${id}`.execute(this.db);
  }

  async closeAllOpen(roomId: string, at: Date): Promise<void> {
    await this.db.updateTable("attendance").set({ left_at: at }).where("room_id", "=", roomId).where("left_at", "is", null).execute();
  }

  async hasJoined(roomId: string, userId: string): Promise<boolean> {
    const row = await this.db.selectFrom("attendance").select("id").where("room_id", "=", roomId).where("user_id", "=", userId).limit(1).executeTakeFirst();
    return Boolean(row);
  }

  async report(roomId: string): Promise<AttendanceRow[]> {
    const result = await sql<AttendanceRow>`
      select a.user_id, u.full_name as name, u.email,
        (array_agg(a.room_role order by a.joined_at desc))[1] as role,
        min(a.joined_at) as first_join,
        max(a.left_at) as last_leave,
        (count(*) filter (where a.left_at is null))::int as open_sessions,
        coalesce(sum(extract(epoch from (coalesce(a.left_at, now()) - a.joined_at))), 0)::float8 as seconds,
        count(*)::int as joins
      from attendance a join users u on u.id = a.user_id
      where a.room_id = ${roomId}
      group by a.user_id, u.full_name, u.email
      order by min(a.joined_at), u.full_name`.execute(this.db);
    return result.rows;
  }
}
