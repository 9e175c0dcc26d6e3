import type { ColumnType, Generated } from "kysely";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type RecordingStatusColumn = "recording" | "processing" | "ready" | "failed";

/** One file of a track: FFmpeg wrote it from `offsetMs` (recording clock) on. */
export interface TrackPartColumn {
  file: string;
  offsetMs: number;
  endOffsetMs?: number;
  /** The FFmpeg process that wrote it (to stop an orphan after a crash). */
  pid?: number;
  /** Why the previous part ended (FFmpeg died, …). */
  gapReason?: string;
  /**
   * A video live when the recording started waits for a key frame (asked for at Record; a busy
   * browser takes a second or two): its first part shows its first frame from here (the clock's
   * start), not black, until its media begins (compose.ts). Only on a track's first part.
   */
  liveFromMs?: number;
}

/** Something missing from a recording (found when it is processed), shown to its host. */
export interface RecordingWarningColumn {
  /** "track-empty": no frames at all; "track-partial": frames for only part of the track's time. */
  code: "track-empty" | "track-partial";
  trackId: string;
  kind: "audio" | "video";
  source: string;
  userId: string | null;
  message: string;
}

export interface RecordingOutputsColumn {
  mp4?: string;
  hlsMaster?: string;
  thumbnail?: string;
  width?: number;
  height?: number;
  /** Joined from what was composed while the class ran (progressive/), not composed after class. */
  composedDuringClass?: boolean;
}

export interface RecordingsTable {
  id: Generated<string>;
  room_id: string;
  started_by: string | null;
  title: Generated<string>;
  status: Generated<RecordingStatusColumn>;
  progress: Generated<number>;
  error: string | null;
  visibility: Generated<"private" | "participants">;
  started_at: DefaultTimestamp;
  stopped_at: NullableTimestamp;
  duration_seconds: number | null;
  size_bytes: ColumnType<number | null, number | null | undefined, number | null>;
  node_id: string | null;
  outputs: Json<RecordingOutputsColumn>;
  warnings: Json<RecordingWarningColumn[]>;
  /** A breakout group's own recording (migration 016): the group; null for the main room's. */
  breakout_group_id: ColumnType<string | null, string | null | undefined, never>;
  breakout_group_name: ColumnType<string | null, string | null | undefined, never>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface RecordingTracksTable {
  id: Generated<string>;
  recording_id: string;
  producer_id: string;
  peer_id: Generated<string>;
  user_id: string | null;
  kind: "audio" | "video";
  source: string;
  codec: string;
  start_offset_ms: number;
  end_offset_ms: number | null;
  parts: Json<TrackPartColumn[]>;
  status: Generated<"recording" | "finalized">;
  created_at: DefaultTimestamp;
}

export interface RecordingMarkersTable {
  id: Generated<string>;
  recording_id: string;
  user_id: string | null;
  kind: Generated<string>;
  label: string;
  offset_ms: number;
  created_at: DefaultTimestamp;
}

export interface RecordingSharesTable {
  id: Generated<string>;
  recording_id: string;
  token_hash: string;
  created_by: string | null;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: DefaultTimestamp;
}

export interface RecordingTables {
  recordings: RecordingsTable;
  recording_tracks: RecordingTracksTable;
  recording_markers: RecordingMarkersTable;
  recording_shares: RecordingSharesTable;
}
