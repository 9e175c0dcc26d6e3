import { sql, type Kysely, type Selectable } from "kysely";
import type {
  RecordingOutputsColumn,
  RecordingWarningColumn,
  RecordingsTable,
  RecordingTables,
  RecordingTracksTable,
  TrackPartColumn,
  RecordingMarkersTable,
} from "./tables.js";

export type RecordingRow = Selectable<RecordingsTable>;
export type TrackRow = Selectable<RecordingTracksTable>;
export type MarkerRow = Selectable<RecordingMarkersTable>;
export interface LiveShare {
  id: string;
  recording_id: string;
  expires_at: Date | null;
}

/** The tables this repository reads besides its own (owned by accounts and rooms). */
interface ReadTables extends RecordingTables {
  rooms: { id: string; host_id: string; status: string; title: string };
  attendance: { room_id: string; user_id: string };
  chat_messages: { room_id: string; seq: number; author_name: string; text: string; created_at: Date; deleted_at: Date | null };
  breakout_messages: { group_id: string; seq: number; author_name: string; text: string; created_at: Date };
  users: { id: string; full_name: string; role: "admin" | "teacher" | "student"; disabled: boolean };
}

const json = (value: unknown) => JSON.stringify(value);
const parse = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;

/** SQL of recordings, their tracks, markers and share links. */
export class RecordingsRepo {
  private readonly db: Kysely<ReadTables>;

  // biome-ignore lint/suspicious/noExplicitAny: takes the app's database whatever its full table map; it reads only ReadTables.
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<ReadTables>;
  }

  /**
   * Null when the room's main room (or, with `group`, that breakout group) already has an active
   * recording (unique partial indexes, migration 016).
   */
  async insert(recording: {
    roomId: string;
    startedBy: string | null;
    title: string;
    nodeId: string;
    group?: { id: string; name: string };
  }): Promise<RecordingRow | null> {
    const { group } = recording;
    const row = await this.db
      .insertInto("recordings")
      .values({
        room_id: recording.roomId,
        started_by: recording.startedBy,
        title: recording.title,
        node_id: recording.nodeId,
        outputs: "{}",
        ...(group ? { breakout_group_id: group.id, breakout_group_name: group.name } : {}),
      })
      .onConflict((oc) =>
        group
          ? oc
              .column("breakout_group_id")
              .where((eb) => eb.and([eb("status", "=", "recording"), eb("breakout_group_id", "is not", null)]))
              .doNothing()
          : oc
              .column("room_id")
              .where((eb) => eb.and([eb("status", "=", "recording"), eb("breakout_group_id", "is", null)]))
              .doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    return row ? this.fix(row) : null;
  }

  private fix(row: RecordingRow): RecordingRow {
    return {
      ...row,
      outputs: parse<RecordingOutputsColumn>(row.outputs),
      warnings: parse<RecordingWarningColumn[]>(row.warnings ?? []),
      size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
    };
  }

  async byId(id: string): Promise<RecordingRow | undefined> {
    const row = await this.db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? this.fix(row) : undefined;
  }

  /** The main room's running recording (not a breakout group's). */
  async activeForRoom(roomId: string): Promise<RecordingRow | undefined> {
    const row = await this.db
      .selectFrom("recordings")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("status", "=", "recording")
      .where("breakout_group_id", "is", null)
      .executeTakeFirst();
    return row ? this.fix(row) : undefined;
  }

  /** The running recordings of these breakout groups. */
  async activeForGroups(groupIds: string[]): Promise<RecordingRow[]> {
    if (!groupIds.length) return [];
    const rows = await this.db.selectFrom("recordings").selectAll().where("breakout_group_id", "in", groupIds).where("status", "=", "recording").execute();
    return rows.map((r) => this.fix(r));
  }

  async byStatus(status: RecordingRow["status"]): Promise<RecordingRow[]> {
    const rows = await this.db.selectFrom("recordings").selectAll().where("status", "=", status).execute();
    return rows.map((r) => this.fix(r));
  }

  /** How many recordings are in each status (one query; for the metrics). */
  async countByStatus(): Promise<Record<RecordingRow["status"], number>> {
    const rows = await this.db
      .selectFrom("recordings")
      .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
      .groupBy("status")
      .execute();
    const out: Record<RecordingRow["status"], number> = { recording: 0, processing: 0, ready: 0, failed: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /** Recordings of rooms, newest first; `roomIds` undefined = all. */
  /** Every recording of a class (no limit). */
  async idsOfRoom(roomId: string): Promise<string[]> {
    return (await this.db.selectFrom("recordings").select("id").where("room_id", "=", roomId).execute()).map((row) => row.id);
  }

  async list(filter: { roomId?: string }): Promise<RecordingRow[]> {
    let query = this.db.selectFrom("recordings").selectAll().orderBy("started_at", "desc").limit(500);
    if (filter.roomId) query = query.where("room_id", "=", filter.roomId);
    return (await query.execute()).map((r) => this.fix(r));
  }

  async update(
    id: string,
    patch: Partial<{
      started_at: Date;
      status: RecordingRow["status"];
      progress: number;
      error: string | null;
      stopped_at: Date;
      duration_seconds: number;
      size_bytes: number;
      outputs: RecordingOutputsColumn;
      warnings: RecordingWarningColumn[];
      title: string;
      visibility: RecordingRow["visibility"];
    }>,
  ): Promise<void> {
    const { outputs, warnings, ...rest } = patch;
    await this.db
      .updateTable("recordings")
      .set({ ...rest, ...(outputs ? { outputs: json(outputs) } : {}), ...(warnings ? { warnings: json(warnings) } : {}), updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
  }

  /** recording → processing, once; false when it was not recording. */
  async markStopped(id: string, stoppedAt: Date): Promise<boolean> {
    const row = await this.db
      .updateTable("recordings")
      .set({ status: "processing", progress: 0, stopped_at: stoppedAt, updated_at: sql`now()` })
      .where("id", "=", id)
      .where("status", "=", "recording")
      .executeTakeFirst();
    return Number(row.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("recordings").where("id", "=", id).execute();
  }

  // ---------------------------------------------------------------- tracks

  async addTrack(track: {
    recordingId: string;
    producerId: string;
    peerId: string;
    userId: string | null;
    kind: "audio" | "video";
    source: string;
    codec: string;
    startOffsetMs: number;
    parts: TrackPartColumn[];
  }): Promise<string> {
    const row = await this.db
      .insertInto("recording_tracks")
      .values({
        recording_id: track.recordingId,
        producer_id: track.producerId,
        peer_id: track.peerId,
        user_id: track.userId,
        kind: track.kind,
        source: track.source,
        codec: track.codec,
        start_offset_ms: track.startOffsetMs,
        parts: json(track.parts),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async updateTrack(
    id: string,
    patch: { parts?: TrackPartColumn[]; endOffsetMs?: number; status?: "recording" | "finalized"; startOffsetMs?: number },
  ): Promise<void> {
    await this.db
      .updateTable("recording_tracks")
      .set({
        ...(patch.parts ? { parts: json(patch.parts) } : {}),
        ...(patch.endOffsetMs !== undefined ? { end_offset_ms: Math.round(patch.endOffsetMs) } : {}),
        ...(patch.startOffsetMs !== undefined ? { start_offset_ms: Math.round(patch.startOffsetMs) } : {}),
        ...(patch.status ? { status: patch.status } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  async tracks(recordingId: string): Promise<TrackRow[]> {
    const rows = await this.db
      .selectFrom("recording_tracks")
      .selectAll()
      .where("recording_id", "=", recordingId)
      .orderBy("start_offset_ms")
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({ ...r, parts: parse<TrackPartColumn[]>(r.parts) }));
  }

  async tracksOf(recordingIds: string[]): Promise<TrackRow[]> {
    if (!recordingIds.length) return [];
    const rows = await this.db.selectFrom("recording_tracks").selectAll().where("recording_id", "in", recordingIds).orderBy("start_offset_ms").execute();
    return rows.map((r) => ({ ...r, parts: parse<TrackPartColumn[]>(r.parts) }));
  }

  // ---------------------------------------------------------------- markers

  async addMarker(marker: { recordingId: string; userId: string | null; kind: string; label: string; offsetMs: number }): Promise<MarkerRow> {
    return this.db
      .insertInto("recording_markers")
      .values({
        recording_id: marker.recordingId,
        user_id: marker.userId,
        kind: marker.kind,
        label: marker.label,
        offset_ms: Math.max(0, Math.round(marker.offsetMs)),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async markers(recordingIds: string[]): Promise<MarkerRow[]> {
    if (!recordingIds.length) return [];
    return this.db.selectFrom("recording_markers").selectAll().where("recording_id", "in", recordingIds).orderBy("offset_ms").execute();
  }

  // ---------------------------------------------------------------- shares

  async addShare(share: { recordingId: string; tokenHash: string; createdBy: string; expiresAt: Date | null }): Promise<void> {
    await this.db
      .insertInto("recording_shares")
      .values({ recording_id: share.recordingId, token_hash: share.tokenHash, created_by: share.createdBy, expires_at: share.expiresAt })
      .execute();
  }

  /** A share link by its token's hash, when it is neither revoked nor expired. */
  async shareByHash(tokenHash: string): Promise<LiveShare | undefined> {
    return this.liveShares().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  /** A share link by its id, when it is neither revoked nor expired. */
  async liveShare(id: string): Promise<LiveShare | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return this.liveShares().where("id", "=", id).executeTakeFirst();
  }

  private liveShares() {
    return this.db
      .selectFrom("recording_shares")
      .select(["id", "recording_id", "expires_at"])
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", sql<Date>`now()`)]));
  }

  async revokeShares(recordingId: string): Promise<number> {
    const row = await this.db
      .updateTable("recording_shares")
      .set({ revoked_at: sql`now()` })
      .where("recording_id", "=", recordingId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(row.numUpdatedRows);
  }

  // ---------------------------------------------------------------- reads of rooms and chat

  async room(roomId: string): Promise<{ id: string; host_id: string; status: string; title: string } | undefined> {
    return this.db.selectFrom("rooms").select(["id", "host_id", "status", "title"]).where("id", "=", roomId).executeTakeFirst();
  }

  /** An account's role, unless it is gone or disabled. */
  async activeAccount(userId: string): Promise<{ id: string; role: "admin" | "teacher" | "student" } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
    return this.db.selectFrom("users").select(["id", "role"]).where("id", "=", userId).where("disabled", "=", false).executeTakeFirst();
  }

  async userName(userId: string): Promise<string | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
    return (await this.db.selectFrom("users").select("full_name").where("id", "=", userId).executeTakeFirst())?.full_name;
  }

  async attended(roomId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("attendance")
      .select("user_id")
      .where("room_id", "=", roomId)
      .where("user_id", "=", userId)
      .limit(1)
      .executeTakeFirst();
    return !!row;
  }

  /** Rooms a user hosts or attended (for listing what they may see). */
  async roomsOf(userId: string): Promise<{ hosted: string[]; attended: string[] }> {
    const hosted = await this.db.selectFrom("rooms").select("id").where("host_id", "=", userId).execute();
    const attended = await this.db.selectFrom("attendance").select("room_id").distinct().where("user_id", "=", userId).execute();
    return { hosted: hosted.map((r) => r.id), attended: attended.map((r) => r.room_id) };
  }

  /** The class's chat between two times; with `groupId`, that breakout group's chat instead. */
  async chatBetween(
    roomId: string,
    from: Date,
    to: Date,
    groupId?: string | null,
  ): Promise<{ seq: number; author_name: string; text: string; created_at: Date }[]> {
    if (groupId)
      return this.db
        .selectFrom("breakout_messages")
        .select(["seq", "author_name", "text", "created_at"])
        .where("group_id", "=", groupId)
        .where("created_at", ">=", from)
        .where("created_at", "<=", to)
        .orderBy("seq")
        .limit(5000)
        .execute();
    return this.db
      .selectFrom("chat_messages")
      .select(["seq", "author_name", "text", "created_at"])
      .where("room_id", "=", roomId)
      .where("deleted_at", "is", null)
      .where("created_at", ">=", from)
      .where("created_at", "<=", to)
      .orderBy("seq")
      .limit(5000)
      .execute();
  }
}
