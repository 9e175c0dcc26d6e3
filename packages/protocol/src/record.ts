import { Type, type Static } from "@sinclair/typebox";
import { Text } from "./input.js";
import { RoomRole, RoomStatus } from "./rooms.js";

/**
 * The class record (issue 14): what each student did in a class — attendance, talk time,
 * camera-on time, chat, hands and polls — for the host and admins; a student gets their own
 * row only. Endpoints are listed in docs/PROTOCOL.md ("Class record"); who sees what in docs/PRIVACY.md.
 */

/** A first join more than this many minutes after the class went live is a late arrival. */
export const LATE_AFTER_MINUTES = 5;

const Iso = Type.String({ format: "date-time" });
const IsoOrNull = Type.Union([Iso, Type.Null()]);

/** One person's line of a class's record (their sessions summed). */
export const RecordRow = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  email: Type.String(),
  /** The room role at the latest join. */
  role: RoomRole,
  /** Minutes present over every session (an open one counts up to now), one decimal. */
  minutesPresent: Type.Number(),
  firstJoinAt: Iso,
  /** Null while still in class. */
  lastLeaveAt: IsoOrNull,
  /** First join more than LATE_AFTER_MINUTES after the class went live. */
  late: Type.Boolean(),
  /** Minutes after the class went live of the first join (0 when on time or before), one decimal. */
  minutesLate: Type.Number(),
  sessions: Type.Integer(),
  talkSeconds: Type.Integer(),
  cameraSeconds: Type.Integer(),
  /** Seconds spent in breakout groups (issue 16). */
  groupSeconds: Type.Integer(),
  chatMessages: Type.Integer(),
  handsRaised: Type.Integer(),
  /** Named (not anonymous) polls of the class this person answered, of `pollsAsked`. */
  pollsAnswered: Type.Integer(),
  pollsAsked: Type.Integer(),
  /** Points scored in the class's closed quizzes, of `quizMaxScore` (their total); 0 of 0 without quizzes. */
  quizScore: Type.Number(),
  quizMaxScore: Type.Number(),
});
export type RecordRow = Static<typeof RecordRow>;

/** One poll of the class: class totals only (for anonymous polls nothing per person exists). */
export const RecordPoll = Type.Object({
  pollId: Type.String(),
  question: Type.String(),
  anonymous: Type.Boolean(),
  openedAt: IsoOrNull,
  answers: Type.Integer(),
});
export type RecordPoll = Static<typeof RecordPoll>;

/** One quiz of the class: its submissions and average score (host view only). */
export const RecordQuiz = Type.Object({
  quizId: Type.String(),
  title: Type.String(),
  status: Type.Union([Type.Literal("draft"), Type.Literal("open"), Type.Literal("closed")]),
  maxScore: Type.Number(),
  submissions: Type.Integer(),
  /** Null without submissions. */
  averageScore: Type.Union([Type.Number(), Type.Null()]),
});
export type RecordQuiz = Static<typeof RecordQuiz>;

/** One join session: an interval of the attendance timeline. */
export const RecordSession = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  joinedAt: Iso,
  leftAt: IsoOrNull,
});
export type RecordSession = Static<typeof RecordSession>;

export const RecordClass = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  status: RoomStatus,
  hostName: Type.String(),
  startedAt: IsoOrNull,
  endedAt: IsoOrNull,
  /** From going live to the end (or now), one decimal; 0 before it went live. */
  durationMinutes: Type.Number(),
});
export type RecordClass = Static<typeof RecordClass>;

export const ClassRecordResponse = Type.Object({
  /** `host`: the host's or an admin's whole record; `student`: the caller's own row and sessions only. */
  view: Type.Union([Type.Literal("host"), Type.Literal("student")]),
  lateAfterMinutes: Type.Integer(),
  class: RecordClass,
  rows: Type.Array(RecordRow),
  polls: Type.Array(RecordPoll),
  quizzes: Type.Array(RecordQuiz),
  sessions: Type.Array(RecordSession),
});
export type ClassRecordResponse = Static<typeof ClassRecordResponse>;

export const ClassRecordQuery = Type.Object(
  {
    /** `csv`: the table as a spreadsheet; `json`: this response as a download. */
    format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
    /** CSV only: an IANA time zone for the times, written with their offset; default UTC. */
    tz: Type.Optional(Text({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ClassRecordQuery = Static<typeof ClassRecordQuery>;

/** A student's own record across every class they attended. */
export const MyRecordClass = Type.Object({ class: RecordClass, row: RecordRow });
export const MyRecordResponse = Type.Object({ classes: Type.Array(MyRecordClass) });
export type MyRecordResponse = Static<typeof MyRecordResponse>;

/** A teacher's class with its participation totals (the course chart). */
export const TeachingRecordClass = Type.Object({
  class: RecordClass,
  students: Type.Integer(),
  lateArrivals: Type.Integer(),
  averageMinutesPresent: Type.Number(),
  talkSeconds: Type.Integer(),
  chatMessages: Type.Integer(),
  handsRaised: Type.Integer(),
  pollAnswers: Type.Integer(),
  pollsAsked: Type.Integer(),
});
export type TeachingRecordClass = Static<typeof TeachingRecordClass>;
export const TeachingRecordResponse = Type.Object({ classes: Type.Array(TeachingRecordClass) });
export type TeachingRecordResponse = Static<typeof TeachingRecordResponse>;

export const AdminOverviewQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) }, { additionalProperties: false });
/**
 * The media load (from the app servers' samples, one per media node and minute): the highest
 * minute's forwarded bitrate, packets per second, producers, consumers and busy media cores
 * (summed over the nodes), the average bitrate over the minutes media was in use, the
 * participant-minutes joined to media, and how many media nodes (remote nodes, or in-process
 * workers of an app server) carried media.
 */
export const OverviewMediaLoad = Type.Object({
  peakBitsPerSecond: Type.Number(),
  averageBitsPerSecond: Type.Number(),
  peakPacketsPerSecond: Type.Number(),
  peakProducers: Type.Integer(),
  peakConsumers: Type.Integer(),
  peakCpuCores: Type.Number(),
  mediaMinutes: Type.Number(),
  /** Minutes with a sample (media in use on at least one node). */
  minutesInUse: Type.Integer(),
  nodes: Type.Integer(),
});
export type OverviewMediaLoad = Static<typeof OverviewMediaLoad>;
export const OverviewNumbers = Type.Object({
  classesHeld: Type.Integer(),
  hoursTaught: Type.Number(),
  peakParticipants: Type.Integer(),
  recordings: Type.Integer(),
  recordingBytes: Type.Integer(),
  media: OverviewMediaLoad,
});
export type OverviewNumbers = Static<typeof OverviewNumbers>;
export const OverviewDay = Type.Composite([Type.Object({ day: Type.String() }), OverviewNumbers]);
export type OverviewDay = Static<typeof OverviewDay>;
export const AdminOverviewResponse = Type.Object({
  /** First and last day (UTC, YYYY-MM-DD), both included; every day in between has a row. */
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(OverviewDay),
  /** Peak: the highest of the days; recordings: everything stored now (any day); media: the whole period. */
  totals: OverviewNumbers,
});
export type AdminOverviewResponse = Static<typeof AdminOverviewResponse>;

/** Everything the platform holds about one person (GET /api/v1/admin/users/:id/export). */
export const UserDataExport = Type.Object({
  exportedAt: Iso,
  account: Type.Object({
    id: Type.String(),
    email: Type.String(),
    fullName: Type.String(),
    role: Type.String(),
    disabled: Type.Boolean(),
    emailVerifiedAt: IsoOrNull,
    createdAt: Iso,
  }),
  classesHosted: Type.Array(Type.Object({ roomId: Type.String(), code: Type.String(), title: Type.String(), createdAt: Iso })),
  attendance: Type.Array(
    Type.Object({
      roomId: Type.String(),
      classTitle: Type.String(),
      role: RoomRole,
      joinedAt: Iso,
      leftAt: IsoOrNull,
      talkMs: Type.Integer(),
      cameraMs: Type.Integer(),
      handsRaised: Type.Integer(),
    }),
  ),
  chatMessages: Type.Array(
    Type.Object({ roomId: Type.String(), classTitle: Type.String(), seq: Type.Integer(), text: Type.String(), sentAt: Iso, deletedAt: IsoOrNull }),
  ),
  /** Named answers only: an anonymous answer does not say who gave it. */
  pollAnswers: Type.Array(
    Type.Object({
      pollId: Type.String(),
      roomId: Type.String(),
      question: Type.String(),
      choices: Type.Array(Type.Integer()),
      text: Type.Union([Type.String(), Type.Null()]),
      answeredAt: Iso,
    }),
  ),
  quizSubmissions: Type.Array(
    Type.Object({
      quizId: Type.String(),
      roomId: Type.String(),
      title: Type.String(),
      answers: Type.Array(Type.Array(Type.Integer())),
      score: Type.Number(),
      submittedAt: Iso,
    }),
  ),
});
export type UserDataExport = Static<typeof UserDataExport>;

export const UserDataErasure = Type.Object({
  attendanceSessions: Type.Integer(),
  chatMessages: Type.Integer(),
  pollAnswers: Type.Integer(),
  quizSubmissions: Type.Integer(),
});
export type UserDataErasure = Static<typeof UserDataErasure>;
