import { sql, type Selectable, type Updateable } from "kysely";
import type { DB } from "../db/index.js";
import type { RoomAccessTable, RoomStatusColumn, RoomsTable } from "./tables.js";

export type RoomRow = Selectable<RoomsTable> & { host_name: string };
export type RoomAccessRow = Selectable<RoomAccessTable>;

export interface NewRoom {
  code: string;
  title: string;
  description: string;
  host_id: string;
  scheduled_start: Date | null;
  students_can_publish: boolean;
  waiting_room: boolean;
  max_participants: number;
  chat_enabled: boolean;
}

export interface RoomListFilter {
  userId: string;
  /** Admin and scope "all": every room. */
  everything: boolean;
  scope: "all" | "hosted" | "joined";
  status?: RoomStatusColumn;
  page: number;
  pageSize: number;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID_RE.test(value);

/** SQL for rooms and room_access. */
export class RoomsRepo {
  constructor(private readonly db: DB) {}

  private base() {
    return this.db.selectFrom("rooms").innerJoin("users", "users.id", "rooms.host_id").selectAll("rooms").select("users.full_name as host_name");
  }

  async insert(room: NewRoom): Promise<string> {
    const row = await this.db.insertInto("rooms").values(room).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  async byId(id: string): Promise<RoomRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.base().where("rooms.id", "=", id).executeTakeFirst();
  }

  async byCode(code: string): Promise<RoomRow | undefined> {
    return this.base().where("rooms.code", "=", code).executeTakeFirst();
  }

  async list(filter: RoomListFilter): Promise<{ rows: RoomRow[]; total: number }> {
    let query = this.db.selectFrom("rooms");
    if (!filter.everything || filter.scope !== "all") {
      query = query.where((eb) => {
        const hosted = eb("rooms.host_id", "=", filter.userId);
        const joined = eb.exists(
          eb.selectFrom("attendance").select(sql`1`.as("one")).whereRef("attendance.room_id", "=", "rooms.id").where("attendance.user_id", "=", filter.userId),
        );
        if (filter.scope === "hosted") return hosted;
        if (filter.scope === "joined") return joined;
        return eb.or([hosted, joined]);
      });
    }
    if (filter.status) query = query.where("rooms.status", "=", filter.status);
    const count = await query.select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    const ids = await query
      .select("rooms.id")
      .orderBy("rooms.created_at", "desc")
      .orderBy("rooms.id")
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute();
    if (!ids.length) return { rows: [], total: count.n };
    const rows = await this.base()
      .where(
        "rooms.id",
        "in",
        ids.map((r) => r.id),
      )
      .orderBy("rooms.created_at", "desc")
      .orderBy("rooms.id")
      .execute();
    return { rows, total: count.n };
  }

  async update(id: string, patch: Updateable<RoomsTable>): Promise<void> {
    await this.db
      .updateTable("rooms")
      .set({ ...patch, updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("rooms").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** scheduled → live (first host join). Returns true when this call made it live. */
  async markLive(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable("rooms")
      .set({ status: "live", started_at: sql`coalesce(started_at, now())`, updated_at: sql`now()` })
      .where("id", "=", id)
      .where("status", "=", "scheduled")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** → ended. Returns true when this call ended it (false: already ended or gone). */
  async markEnded(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable("rooms")
      .set({ status: "ended", ended_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", id)
      .where("status", "<>", "ended")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async bumpPeak(id: string, participants: number): Promise<void> {
    await this.db
      .updateTable("rooms")
      .set({ peak_participants: sql`greatest(peak_participants, ${participants}::int)` })
      .where("id", "=", id)
      .execute();
  }

  async countHandRaised(id: string): Promise<void> {
    await this.db.updateTable("rooms").set({ hands_raised_total: sql`hands_raised_total + 1` }).where("id", "=", id).execute();
  }

  async liveRoomIds(hostId?: string): Promise<string[]> {
    let query = this.db.selectFrom("rooms").select("id").where("status", "=", "live");
    if (hostId) query = query.where("host_id", "=", hostId);
    return (await query.orderBy("started_at", "desc").limit(500).execute()).map((r) => r.id);
  }

  async access(roomId: string, userId: string): Promise<RoomAccessRow | undefined> {
    return this.db.selectFrom("room_access").selectAll().where("room_id", "=", roomId).where("user_id", "=", userId).executeTakeFirst();
  }

  async setAccess(roomId: string, userId: string, status: RoomAccessRow["status"]): Promise<void> {
    await this.db
      .insertInto("room_access")
      .values({ room_id: roomId, user_id: userId, status })
      .onConflict((oc) => oc.columns(["room_id", "user_id"]).doUpdateSet({ status, updated_at: sql`now()` }))
      .execute();
  }

  async setAccessRole(roomId: string, userId: string, role: "presenter" | "student"): Promise<void> {
    await this.db
      .insertInto("room_access")
      .values({ room_id: roomId, user_id: userId, status: "admitted", role })
      .onConflict((oc) => oc.columns(["room_id", "user_id"]).doUpdateSet({ role, updated_at: sql`now()` }))
      .execute();
  }
}
