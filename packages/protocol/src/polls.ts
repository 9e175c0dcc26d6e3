import { Type, type Static } from "@sinclair/typebox";
import { MultilineText, Text, Uuid } from "./input.js";

/**
 * Polls: a teacher (host) or a speaker (presenter) asks the class a question; students answer
 * from the classroom. Kinds:
 * - `single`: one of 2–10 options; `multiple`: any non-empty set of them;
 * - `yes-no`: the options are always ["Yes", "No"]; `rating`: always ["1", "2", "3", "4", "5"];
 * - `text`: a short free-text answer (1–500 characters), no options.
 * One answer per student and poll, kept by the server (a second tab, a reconnect or a second
 * app server changes the same answer); a student may change it until the poll closes.
 * Anonymous polls never reveal who answered what, to anyone (host, exports, logs): the server
 * does not store the author of an anonymous answer next to it.
 */

export const POLL_KINDS = ["single", "multiple", "yes-no", "rating", "text"] as const;
// Spelled out as a tuple: a union built from an array (POLL_KINDS.map) is typed `never` by Fastify's TypeBox provider.
export const PollKind = Type.Union([Type.Literal("single"), Type.Literal("multiple"), Type.Literal("yes-no"), Type.Literal("rating"), Type.Literal("text")]);
export type PollKind = Static<typeof PollKind>;

export const POLL_QUESTION_MAX = 300;
export const POLL_OPTION_MAX = 120;
export const POLL_OPTIONS_MIN = 2;
export const POLL_OPTIONS_MAX = 10;
export const POLL_TEXT_ANSWER_MAX = 500;
export const POLL_DURATION_MIN_S = 10;
export const POLL_DURATION_MAX_S = 3600;
/** The fixed options of the kinds that have them. */
export const POLL_FIXED_OPTIONS: Partial<Record<PollKind, readonly string[]>> = {
  "yes-no": ["Yes", "No"],
  rating: ["1", "2", "3", "4", "5"],
};

export const PollStatus = Type.Union([Type.Literal("draft"), Type.Literal("open"), Type.Literal("closed")]);
export type PollStatus = Static<typeof PollStatus>;

/** What the teacher writes: a new poll (prepared ahead, or launched at once with `open`). */
export const PollDraft = Type.Object(
  {
    question: Text({ minLength: 1, maxLength: POLL_QUESTION_MAX }),
    kind: PollKind,
    /** `single` and `multiple`: 2–10 options (trimmed, distinct, 1–120 characters). Others: omitted or empty. */
    options: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: POLL_OPTION_MAX }), { maxItems: POLL_OPTIONS_MAX })),
    /** Answers are counted but never linked to a person. Default false. */
    anonymous: Type.Optional(Type.Boolean()),
    /** Students see the results fill in while the poll is open (otherwise only once published). Default false. */
    showResultsLive: Type.Optional(Type.Boolean()),
    /** The poll closes by itself this many seconds after it opens; omitted or null: the teacher closes it. */
    durationSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: POLL_DURATION_MIN_S, maximum: POLL_DURATION_MAX_S }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type PollDraft = Static<typeof PollDraft>;

export const PollDto = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  question: Type.String(),
  kind: PollKind,
  /** The options answers choose from (fixed ones for yes-no and rating; empty for text). */
  options: Type.Array(Type.String()),
  anonymous: Type.Boolean(),
  showResultsLive: Type.Boolean(),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()]),
  status: PollStatus,
  /** The results were published to the class (after close, or at any time by the teacher). */
  published: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  openedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** When a timed poll closes by itself. */
  closesAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** A re-run: the poll it repeats. */
  rerunOf: Type.Union([Type.String(), Type.Null()]),
});
export type PollDto = Static<typeof PollDto>;

export const PollTextAnswerDto = Type.Object({
  text: Type.String(),
  /** Null for an anonymous poll (always). */
  authorName: Type.Union([Type.String(), Type.Null()]),
});
export type PollTextAnswerDto = Static<typeof PollTextAnswerDto>;

export const PollResultsDto = Type.Object({
  pollId: Type.String(),
  /** How many students answered. */
  answered: Type.Integer({ minimum: 0 }),
  /** Per option, in the poll's option order: how many answers chose it (empty for text). */
  counts: Type.Array(Type.Integer({ minimum: 0 })),
  /** Text polls: the answers, oldest first (names only when the poll is not anonymous). */
  textAnswers: Type.Array(PollTextAnswerDto),
});
export type PollResultsDto = Static<typeof PollResultsDto>;

/** A student's own answer. */
export const PollAnswerDto = Type.Object({
  pollId: Type.String(),
  /** Option indexes (single, yes-no, rating: exactly one; multiple: one or more); empty for text. */
  choices: Type.Array(Type.Integer({ minimum: 0 })),
  text: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String({ format: "date-time" }),
});
export type PollAnswerDto = Static<typeof PollAnswerDto>;

/** One poll as one person may see it: results only when they may see them, their own answer. */
export const PollView = Type.Object({
  poll: PollDto,
  results: Type.Union([PollResultsDto, Type.Null()]),
  myAnswer: Type.Union([PollAnswerDto, Type.Null()]),
});
export type PollView = Static<typeof PollView>;

// ---------------------------------------------------------------- socket payloads

const strict = { additionalProperties: false } as const;
const PollRef = { roomId: Uuid(), pollId: Uuid() };

export const PollCreatePayload = Type.Object({ roomId: Uuid(), poll: PollDraft, open: Type.Optional(Type.Boolean()) }, strict);
export type PollCreatePayload = Static<typeof PollCreatePayload>;
export const PollRefPayload = Type.Object(PollRef, strict);
export type PollRefPayload = Static<typeof PollRefPayload>;
export const PollAnswerPayload = Type.Object(
  {
    ...PollRef,
    choices: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: POLL_OPTIONS_MAX - 1 }), { maxItems: POLL_OPTIONS_MAX })),
    text: Type.Optional(MultilineText({ minLength: 1, maxLength: POLL_TEXT_ANSWER_MAX * 4 })),
  },
  strict,
);
export type PollAnswerPayload = Static<typeof PollAnswerPayload>;
export const PollListPayload = Type.Object({ roomId: Uuid() }, strict);
export type PollListPayload = Static<typeof PollListPayload>;

export const PollResult = Type.Object({ poll: PollDto });
export const PollListResult = Type.Object({ polls: Type.Array(PollView) });
export const PollAnswerResult = Type.Object({ answer: PollAnswerDto });
export const PollCloseResult = Type.Object({ poll: PollDto, results: PollResultsDto });

/** Client → server poll events (merged into `ClientEvents`). */
export const PollClientEventSchemas = {
  /** Host or presenter: a new poll (draft, or opened at once with `open: true`). */
  "poll-create": { payload: PollCreatePayload, result: PollResult },
  /** Host or presenter: open a draft. */
  "poll-open": { payload: PollRefPayload, result: PollResult },
  /** Host or presenter: close an open poll (answers stop). */
  "poll-close": { payload: PollRefPayload, result: PollCloseResult },
  /** Host or presenter: show the results to the class (open or closed poll). */
  "poll-publish": { payload: PollRefPayload, result: PollResult },
  /** Host or presenter: ask a poll again (a new poll with the same question, opened at once). */
  "poll-rerun": { payload: PollRefPayload, result: PollResult },
  /** Host or presenter: delete a draft. */
  "poll-delete": { payload: PollRefPayload, result: Type.Object({}) },
  /** Anyone in the class except the poll's own managers: answer or change one's answer while open. */
  "poll-answer": { payload: PollAnswerPayload, result: PollAnswerResult },
  /** Everyone in the class: the class's polls as they may see them (drafts: managers only). */
  "poll-list": { payload: PollListPayload, result: PollListResult },
};

/** Server → client poll events (merged into `ServerEvents`). */
export const PollServerEventSchemas = {
  /** To the class: a poll opened (or changed state: closed, published). Drafts go to managers only. */
  "poll-updated": Type.Object({ roomId: Type.String(), poll: PollDto }),
  /** The current results: to managers while open (live); to everyone when `showResultsLive` or published. */
  "poll-results": Type.Object({ roomId: Type.String(), results: PollResultsDto }),
  /** To managers: a draft was deleted. */
  "poll-deleted": Type.Object({ roomId: Type.String(), pollId: Type.String() }),
};

// ---------------------------------------------------------------- REST (prepare ahead, the record)

/** `GET /api/v1/rooms/:id/polls`: every poll of the class across its sessions, with results, for the host. */
export const PollListResponse = Type.Object({ polls: Type.Array(PollView) });
export type PollListResponse = Static<typeof PollListResponse>;

/** `DELETE /api/v1/rooms/:id/polls/:pollId`. */
export const RoomPollParams = Type.Object({ id: Uuid(), pollId: Uuid() });
export type RoomPollParams = Static<typeof RoomPollParams>;
