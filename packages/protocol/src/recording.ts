import { PollDto, PollResultsDto } from "./polls.js";
import { Type, type Static } from "@sinclair/typebox";
import { Text, Uuid } from "./input.js";

/** Recordings: REST bodies and DTOs, and the socket events (see docs/RECORDING.md). */

export const RECORDING_STATUSES = ["recording", "processing", "ready", "failed"] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

export const RecordingTrackDto = Type.Object({
  id: Type.String(),
  producerId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal("audio"), Type.Literal("video")]),
  source: Type.String(),
  codec: Type.String(),
  /** Milliseconds from the recording's start. */
  startOffsetMs: Type.Integer(),
  endOffsetMs: Type.Union([Type.Integer(), Type.Null()]),
  /** More than one when FFmpeg was restarted (gaps between parts). */
  parts: Type.Array(Type.Object({ offsetMs: Type.Integer(), endOffsetMs: Type.Optional(Type.Integer()), gapReason: Type.Optional(Type.String()) })),
  status: Type.Union([Type.Literal("recording"), Type.Literal("finalized")]),
});
export type RecordingTrackDto = Static<typeof RecordingTrackDto>;

export const RecordingMarkerDto = Type.Object({
  id: Type.String(),
  /** "marker" (a teacher's), "screen" (a screen share started), "hand" (a raised hand), … */
  kind: Type.String(),
  label: Type.String(),
  offsetMs: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
});
export type RecordingMarkerDto = Static<typeof RecordingMarkerDto>;

/** Something missing from a recording, found when it was processed (shown to its host). */
export const RecordingWarningDto = Type.Object({
  /** "track-empty": a published track yielded no frames; "track-partial": only part of its time. */
  code: Type.Union([Type.Literal("track-empty"), Type.Literal("track-partial")]),
  trackId: Type.String(),
  kind: Type.Union([Type.Literal("audio"), Type.Literal("video")]),
  source: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  /** A sentence for the host, e.g. "No picture was recorded from Lou Student's camera." */
  message: Type.String(),
});
export type RecordingWarningDto = Static<typeof RecordingWarningDto>;

export const RecordingDto = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  title: Type.String(),
  status: Type.Union(RECORDING_STATUSES.map((s) => Type.Literal(s))),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  error: Type.Union([Type.String(), Type.Null()]),
  visibility: Type.Union([Type.Literal("private"), Type.Literal("participants")]),
  startedBy: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String({ format: "date-time" }),
  stoppedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  durationSeconds: Type.Union([Type.Number(), Type.Null()]),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  tracks: Type.Array(RecordingTrackDto),
  markers: Type.Array(RecordingMarkerDto),
  /** Empty unless processing found a track without frames (or with frames for part of its time). */
  warnings: Type.Array(RecordingWarningDto),
  /** Present when ready: relative URLs (thumbnail, download, stream). */
  urls: Type.Optional(Type.Object({ thumbnail: Type.String(), download: Type.String(), stream: Type.String() })),
  /** A breakout group's own recording ("Record each group"): which group (absent: the main room's). */
  breakoutGroup: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type RecordingDto = Static<typeof RecordingDto>;

export const StartRecordingBody = Type.Object({ roomId: Uuid() }, { additionalProperties: false });
export type StartRecordingBody = Static<typeof StartRecordingBody>;

export const UpdateRecordingBody = Type.Object(
  {
    title: Type.Optional(Text({ maxLength: 200 })),
    visibility: Type.Optional(Type.Union([Type.Literal("private"), Type.Literal("participants")])),
  },
  { additionalProperties: false },
);
export type UpdateRecordingBody = Static<typeof UpdateRecordingBody>;

export const AddMarkerBody = Type.Object({ label: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type AddMarkerBody = Static<typeof AddMarkerBody>;

export const ShareRecordingBody = Type.Object(
  { expiresInHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 })) },
  { additionalProperties: false },
);
export type ShareRecordingBody = Static<typeof ShareRecordingBody>;

export const ShareRecordingResponse = Type.Object({
  /** The public player link (web client). */
  url: Type.String(),
  /** The API base for the shared recording: `${apiUrl}` (JSON), `/stream`, `/download`, `/thumbnail`. */
  apiUrl: Type.String(),
  token: Type.String(),
  expiresAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
export type ShareRecordingResponse = Static<typeof ShareRecordingResponse>;

export const RecordingListQuery = Type.Object({ roomId: Type.Optional(Uuid()) }, { additionalProperties: false });
export type RecordingListQuery = Static<typeof RecordingListQuery>;

export const RecordingListResponse = Type.Object({ recordings: Type.Array(RecordingDto) });
export type RecordingListResponse = Static<typeof RecordingListResponse>;

export const RecordingChatMessage = Type.Object({
  seq: Type.Integer(),
  authorName: Type.String(),
  text: Type.String(),
  /** Milliseconds from the recording's start (negative: before it). */
  offsetMs: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
});
export const RecordingChatResponse = Type.Object({ messages: Type.Array(RecordingChatMessage) });
export type RecordingChatResponse = Static<typeof RecordingChatResponse>;

/**
 * A poll asked while the recording ran, at its offsets on the recording's timeline. `results`
 * are the final ones, given to the class's host (and admins) always and to other viewers only
 * when the results were published in class; anonymous polls carry no names.
 */
export const RecordingPollDto = Type.Object({
  poll: PollDto,
  results: Type.Union([PollResultsDto, Type.Null()]),
  openedOffsetMs: Type.Integer(),
  /** Null: still open when the recording stopped. */
  closedOffsetMs: Type.Union([Type.Integer(), Type.Null()]),
});
export type RecordingPollDto = Static<typeof RecordingPollDto>;
/**
 * A quiz opened while the recording ran, at its offsets. How many submitted and the class's
 * average are given to the class's host and admins only (null for other viewers).
 */
export const RecordingQuizDto = Type.Object({
  quizId: Type.String(),
  title: Type.String(),
  questions: Type.Integer(),
  maxScore: Type.Integer(),
  openedOffsetMs: Type.Integer(),
  closedOffsetMs: Type.Union([Type.Integer(), Type.Null()]),
  submitted: Type.Union([Type.Integer(), Type.Null()]),
  averageScore: Type.Union([Type.Number(), Type.Null()]),
});
export type RecordingQuizDto = Static<typeof RecordingQuizDto>;
/** `GET /recordings/:id/polls`: the polls and quizzes of the recording's span. */
export const RecordingPollsResponse = Type.Object({ polls: Type.Array(RecordingPollDto), quizzes: Type.Array(RecordingQuizDto) });
export type RecordingPollsResponse = Static<typeof RecordingPollsResponse>;

/** Server → client socket events of recording (to the room, and progress to its hosts). */
export const RecordingStartedEvent = Type.Object({ roomId: Type.String(), recordingId: Type.String(), startedAt: Type.String() });
export type RecordingStartedEvent = Static<typeof RecordingStartedEvent>;
export const RecordingStoppedEvent = Type.Object({ roomId: Type.String(), recordingId: Type.String(), stoppedAt: Type.String() });
export type RecordingStoppedEvent = Static<typeof RecordingStoppedEvent>;
export const RecordingProgressEvent = Type.Object({
  roomId: Type.String(),
  recordingId: Type.String(),
  status: Type.Union(RECORDING_STATUSES.map((s) => Type.Literal(s))),
  progress: Type.Number(),
  error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type RecordingProgressEvent = Static<typeof RecordingProgressEvent>;
export const RecordingMarkerEvent = Type.Object({ roomId: Type.String(), recordingId: Type.String(), marker: RecordingMarkerDto });
export type RecordingMarkerEvent = Static<typeof RecordingMarkerEvent>;

/** The server → client recording events (part of the socket event map, events.ts). */
export const RecordingServerEventSchemas = {
  "recording-started": RecordingStartedEvent,
  "recording-stopped": RecordingStoppedEvent,
  "recording-progress": RecordingProgressEvent,
  "recording-marker": RecordingMarkerEvent,
};
export type RecordingServerEvents = { [E in keyof typeof RecordingServerEventSchemas]: (payload: Static<(typeof RecordingServerEventSchemas)[E]>) => void };

/** Client → server `add-marker`: a teacher (host) or a presenter marks a moment of the live class being recorded. */
export const AddMarkerPayload = Type.Object({ roomId: Uuid(), label: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type AddMarkerPayload = Static<typeof AddMarkerPayload>;
export const AddMarkerResult = Type.Object({ marker: RecordingMarkerDto });
export type AddMarkerResult = Static<typeof AddMarkerResult>;
