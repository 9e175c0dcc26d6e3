import type { ColumnType, Generated } from "kysely";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type RoomStatusColumn = "scheduled" | "live" | "ended";
export type RoomRoleColumn = "host" | "presenter" | "student";

export interface RoomsTable {
  id: Generated<string>;
  code: string;
  title: string;
  description: Generated<string>;
  host_id: string;
  status: Generated<RoomStatusColumn>;
  students_can_publish: Generated<boolean>;
  waiting_room: Generated<boolean>;
  max_participants: Generated<number>;
  chat_enabled: Generated<boolean>;
  scheduled_start: NullableTimestamp;
  started_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  chat_seq: Generated<number>;
  peak_participants: Generated<number>;
  hands_raised_total: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface RoomAccessTable {
  room_id: string;
  user_id: string;
  status: "admitted" | "rejected" | "removed";
  role: "presenter" | "student" | null;
  updated_at: DefaultTimestamp;
}

export interface ChatMessagesTable {
  id: Generated<string>;
  room_id: string;
  seq: number;
  user_id: string | null;
  author_name: string;
  text: string;
  created_at: DefaultTimestamp;
  deleted_at: NullableTimestamp;
  deleted_by: string | null;
}

export interface AttendanceTable {
  id: Generated<string>;
  room_id: string;
  user_id: string;
  room_role: RoomRoleColumn;
  joined_at: DefaultTimestamp;
  left_at: NullableTimestamp;
  /** Milliseconds of speech in this session (the SFU's audio-level reading, migration 008). */
  talk_ms: ColumnType<string | number, number | undefined, number>;
  /** Milliseconds with a camera published in this session. */
  camera_ms: ColumnType<string | number, number | undefined, number>;
  hands_raised: ColumnType<number, number | undefined, number>;
}

export interface RoomTables {
  rooms: RoomsTable;
  room_access: RoomAccessTable;
  chat_messages: ChatMessagesTable;
  attendance: AttendanceTable;
}
