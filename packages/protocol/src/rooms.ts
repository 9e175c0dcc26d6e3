import { Type, type Static } from "@sinclair/typebox";
import { DateTime, MultilineText, Text, Uuid } from "./input.js";

/**
 * Rooms (classes): REST DTOs shared by the server and the browser.
 * Endpoints are listed in docs/PROTOCOL.md.
 */

export const RoomStatus = Type.Union([Type.Literal("scheduled"), Type.Literal("live"), Type.Literal("ended")]);
export type RoomStatus = Static<typeof RoomStatus>;

/** Role inside one room (not the account role). */
export const RoomRole = Type.Union([Type.Literal("host"), Type.Literal("presenter"), Type.Literal("student")]);
export type RoomRole = Static<typeof RoomRole>;

/**
 * What people read for each room role, everywhere (classroom, class details, attendance CSV):
 * a presenter is a student the teacher allowed to speak (microphone, camera, screen share).
 */
export const ROOM_ROLE_LABELS: Record<RoomRole, string> = { host: "Teacher", presenter: "Speaker", student: "Student" };

export const MAX_PARTICIPANTS_LIMIT = 1000;

export const RoomSettings = Type.Object({
  /** Students may publish audio/video without being promoted to presenter. */
  studentsCanPublish: Type.Boolean(),
  /** Non-hosts wait until a host admits them. */
  waitingRoom: Type.Boolean(),
  /** Participants at once, hosts included (hosts can always join). */
  maxParticipants: Type.Integer({ minimum: 2, maximum: MAX_PARTICIPANTS_LIMIT }),
  chatEnabled: Type.Boolean(),
});
export type RoomSettings = Static<typeof RoomSettings>;

export const DEFAULT_ROOM_SETTINGS: RoomSettings = {
  studentsCanPublish: false,
  waitingRoom: false,
  maxParticipants: 100,
  chatEnabled: true,
};

export const RoomSettingsPatch = Type.Partial(RoomSettings, { additionalProperties: false });
export type RoomSettingsPatch = Static<typeof RoomSettingsPatch>;

/** Join codes use these characters only (no 0/O, 1/I/L, no vowels-that-confuse). */
export const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const JOIN_CODE_LENGTH = 8;

export const RoomDto = Type.Object({
  id: Type.String(),
  /** 8 characters from JOIN_CODE_ALPHABET; shown as "ABCD-EFGH", accepted with or without the dash. */
  code: Type.String(),
  title: Type.String(),
  description: Type.String(),
  hostId: Type.String(),
  hostName: Type.String(),
  status: RoomStatus,
  settings: RoomSettings,
  scheduledStart: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  startedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  endedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});
export type RoomDto = Static<typeof RoomDto>;

export const CreateRoomBody = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(MultilineText({ maxLength: 5000 })),
    scheduledStart: Type.Optional(Type.Union([DateTime(), Type.Null()])),
    settings: Type.Optional(RoomSettingsPatch),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const UpdateRoomBody = Type.Object(
  {
    title: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(MultilineText({ maxLength: 5000 })),
    scheduledStart: Type.Optional(Type.Union([DateTime(), Type.Null()])),
    settings: Type.Optional(RoomSettingsPatch),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoomBody = Static<typeof UpdateRoomBody>;

export const RoomResponse = Type.Object({ room: RoomDto });
export type RoomResponse = Static<typeof RoomResponse>;

export const RoomListQuery = Type.Object(
  {
    /** hosted: rooms I host; joined: rooms I joined as a participant; all (default): both (admins: every room). */
    scope: Type.Optional(Type.Union([Type.Literal("all"), Type.Literal("hosted"), Type.Literal("joined")])),
    status: Type.Optional(RoomStatus),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type RoomListQuery = Static<typeof RoomListQuery>;

export const RoomListResponse = Type.Object({
  rooms: Type.Array(RoomDto),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export type RoomListResponse = Static<typeof RoomListResponse>;

export const RoomIdParams = Type.Object({ id: Uuid() });
export const RoomCodeParams = Type.Object({ code: Text({ minLength: 1, maxLength: 32 }) });

/** Attendance: one row per person who joined the room. */
export const AttendanceEntry = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  email: Type.String(),
  /** The room role at the person's latest join. */
  role: RoomRole,
  firstJoinAt: Type.String({ format: "date-time" }),
  /** Null while the person is still in the room. */
  lastLeaveAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** Minutes present, summed over every join (open sessions count up to now), one decimal. */
  totalMinutes: Type.Number(),
  joins: Type.Integer(),
  present: Type.Boolean(),
});
export type AttendanceEntry = Static<typeof AttendanceEntry>;

export const AttendanceQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
    /** CSV only: an IANA time zone (e.g. Europe/Paris) for the times, written with their offset; default UTC. */
    tz: Type.Optional(Text({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const AttendanceResponse = Type.Object({ roomId: Type.String(), attendance: Type.Array(AttendanceEntry) });
export type AttendanceResponse = Static<typeof AttendanceResponse>;

/** Live and stored numbers for one room (GET /api/v1/signalling/room/stats). */
export const RoomStats = Type.Object({
  roomId: Type.String(),
  title: Type.String(),
  status: RoomStatus,
  participantsOnline: Type.Integer(),
  /** Participants in the reconnect grace period (dropped, not yet counted as left). */
  participantsReconnecting: Type.Integer(),
  peakParticipants: Type.Integer(),
  waiting: Type.Integer(),
  messages: Type.Integer(),
  raisedHands: Type.Integer(),
  handsRaisedTotal: Type.Integer(),
  startedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  endedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** Seconds live: started → ended (or now). 0 before the start. */
  durationSeconds: Type.Integer(),
});
export type RoomStats = Static<typeof RoomStats>;

export const RoomStatsResponse = Type.Object({ stats: RoomStats });

/** GET /api/v1/rooms/stats?ids=a,b,c: stored and live numbers of up to 100 rooms the caller manages (others are left out). */
export const RoomStatsListQuery = Type.Object({ ids: Text({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
export const RoomStatsListResponse = Type.Object({ rooms: Type.Array(RoomStats) });
export type RoomStatsListResponse = Static<typeof RoomStatsListResponse>;

/**
 * GET /api/v1/rooms/:id/my-access: may I join, before opening camera and microphone?
 * `host`: you run it; `removed` / `rejected`: the teacher removed you or did not let you in
 * (joining fails with REMOVED_FROM_ROOM / REJECTED_BY_HOST); `open`: you may join (maybe via the waiting room).
 */
export const MyRoomAccess = Type.Union([Type.Literal("host"), Type.Literal("open"), Type.Literal("removed"), Type.Literal("rejected")]);
export type MyRoomAccess = Static<typeof MyRoomAccess>;
export const MyRoomAccessResponse = Type.Object({ access: MyRoomAccess });
export type MyRoomAccessResponse = Static<typeof MyRoomAccessResponse>;
export const RoomsStatsResponse = Type.Object({
  rooms: Type.Array(RoomStats),
  totals: Type.Object({ liveRooms: Type.Integer(), participantsOnline: Type.Integer() }),
});
export type RoomsStatsResponse = Static<typeof RoomsStatsResponse>;

export const SignallingRoomQuery = Type.Object({ room_id: Uuid() }, { additionalProperties: false });

export const SignallingHealthResponse = Type.Object({
  status: Type.Literal("ok"),
  /** "memory" (one process) or "redis" (shared between nodes). */
  adapter: Type.Union([Type.Literal("memory"), Type.Literal("redis")]),
  socketsOnThisNode: Type.Integer(),
  liveRooms: Type.Integer(),
});
export type SignallingHealthResponse = Static<typeof SignallingHealthResponse>;
