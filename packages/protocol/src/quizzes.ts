import { Type, type Static } from "@sinclair/typebox";
import { DateTime, Text, Uuid } from "./input.js";
import { POLL_DURATION_MAX_S, POLL_DURATION_MIN_S, POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_QUESTION_MAX } from "./polls.js";

/**
 * Quizzes: the host (or a presenter) prepares a set of 1–30 scored questions, opens it in class;
 * every student answers all questions on one card and may change the answers until it closes
 * (one submission per student, kept by the server). Question kinds are the poll kinds that can be
 * scored: `single` (one of 2–10 options), `multiple` (any non-empty set), `yes-no` (always
 * ["Yes", "No"]). A question scores its points when the chosen options are exactly the correct ones.
 * The correct options are never sent to students before the quiz closes. Scores are not anonymous.
 * `allowAfterClass`: students who attended may still answer after the class ended, until `deadline`.
 */

export const QuizQuestionKind = Type.Union([Type.Literal("single"), Type.Literal("multiple"), Type.Literal("yes-no")]);
export type QuizQuestionKind = Static<typeof QuizQuestionKind>;

export const QUIZ_TITLE_MAX = 200;
export const QUIZ_QUESTIONS_MIN = 1;
export const QUIZ_QUESTIONS_MAX = 30;
export const QUIZ_POINTS_MIN = 1;
export const QUIZ_POINTS_MAX = 100;

export const QuizStatus = Type.Union([Type.Literal("draft"), Type.Literal("open"), Type.Literal("closed")]);
export type QuizStatus = Static<typeof QuizStatus>;

const OptionIndex = Type.Integer({ minimum: 0, maximum: POLL_OPTIONS_MAX - 1 });
const Choices = Type.Array(OptionIndex, { maxItems: POLL_OPTIONS_MAX });

/** One question as the teacher writes it. */
export const QuizQuestionDraft = Type.Object(
  {
    text: Text({ minLength: 1, maxLength: POLL_QUESTION_MAX }),
    kind: QuizQuestionKind,
    /** `single` and `multiple`: 2–10 options (trimmed, distinct). `yes-no`: omitted or empty. */
    options: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: POLL_OPTION_MAX }), { maxItems: POLL_OPTIONS_MAX })),
    /** The correct option indexes: exactly one for single and yes-no, one or more for multiple. */
    correct: Choices,
    /** Default 1. */
    points: Type.Optional(Type.Integer({ minimum: QUIZ_POINTS_MIN, maximum: QUIZ_POINTS_MAX })),
  },
  { additionalProperties: false },
);
export type QuizQuestionDraft = Static<typeof QuizQuestionDraft>;

/** What the teacher writes: a new quiz (prepared ahead, or opened at once with `open`). */
export const QuizDraft = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: QUIZ_TITLE_MAX }),
    questions: Type.Array(QuizQuestionDraft, { minItems: QUIZ_QUESTIONS_MIN, maxItems: QUIZ_QUESTIONS_MAX }),
    /** Students who attended may answer after the class ended, until `deadline` (required then). Default false. */
    allowAfterClass: Type.Optional(Type.Boolean()),
    /** When an after-class quiz closes by itself (in the future). Only with `allowAfterClass`. */
    deadline: Type.Optional(Type.Union([DateTime({ maxLength: 40 }), Type.Null()])),
    /** An in-class quiz closes by itself this many seconds after it opens (not with `allowAfterClass`). */
    durationSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: POLL_DURATION_MIN_S, maximum: POLL_DURATION_MAX_S }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type QuizDraft = Static<typeof QuizDraft>;

/** A question as shown: `correct` only for managers, or for everyone once the quiz closed. */
export const QuizQuestionDto = Type.Object({
  text: Type.String(),
  kind: QuizQuestionKind,
  options: Type.Array(Type.String()),
  points: Type.Integer(),
  correct: Type.Optional(Type.Array(Type.Integer())),
});
export type QuizQuestionDto = Static<typeof QuizQuestionDto>;

export const QuizDto = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  title: Type.String(),
  questions: Type.Array(QuizQuestionDto),
  /** The sum of the questions' points. */
  maxScore: Type.Integer(),
  allowAfterClass: Type.Boolean(),
  deadline: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()]),
  status: QuizStatus,
  createdBy: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  openedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** When the quiz closes by itself (its timer, or its deadline). */
  closesAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
export type QuizDto = Static<typeof QuizDto>;

/** A student's submission: `score` only once the quiz closed. */
export const QuizSubmissionDto = Type.Object({
  quizId: Type.String(),
  /** Per question, in order: the chosen option indexes (empty: not answered). */
  answers: Type.Array(Type.Array(Type.Integer())),
  score: Type.Union([Type.Integer(), Type.Null()]),
  maxScore: Type.Integer(),
  submittedAt: Type.String({ format: "date-time" }),
});
export type QuizSubmissionDto = Static<typeof QuizSubmissionDto>;

export const QuizStudentScoreDto = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  score: Type.Integer(),
  maxScore: Type.Integer(),
  submittedAt: Type.String({ format: "date-time" }),
});
export type QuizStudentScoreDto = Static<typeof QuizStudentScoreDto>;

/** For the managers: who submitted, their scores, per question the share answered correctly. */
export const QuizResultsDto = Type.Object({
  quizId: Type.String(),
  submitted: Type.Integer({ minimum: 0 }),
  maxScore: Type.Integer(),
  /** The class average score (null: no submission). */
  average: Type.Union([Type.Number(), Type.Null()]),
  /** Per question, in order: the percentage (0–100, rounded) of submissions that got it right. */
  correctPercent: Type.Array(Type.Integer({ minimum: 0, maximum: 100 })),
  students: Type.Array(QuizStudentScoreDto),
});
export type QuizResultsDto = Static<typeof QuizResultsDto>;

/** One quiz as one person may see it. */
export const QuizView = Type.Object({
  quiz: QuizDto,
  /** Managers: the results. Students: null. */
  results: Type.Union([QuizResultsDto, Type.Null()]),
  /** Students: their submission (with its score once closed). */
  mySubmission: Type.Union([QuizSubmissionDto, Type.Null()]),
});
export type QuizView = Static<typeof QuizView>;

// ---------------------------------------------------------------- socket payloads

const strict = { additionalProperties: false } as const;
const QuizRef = { roomId: Uuid(), quizId: Uuid() };

export const QuizAnswers = Type.Array(Choices, { maxItems: QUIZ_QUESTIONS_MAX });
export const QuizCreatePayload = Type.Object({ roomId: Uuid(), quiz: QuizDraft, open: Type.Optional(Type.Boolean()) }, strict);
export type QuizCreatePayload = Static<typeof QuizCreatePayload>;
export const QuizRefPayload = Type.Object(QuizRef, strict);
export type QuizRefPayload = Static<typeof QuizRefPayload>;
export const QuizSubmitPayload = Type.Object({ ...QuizRef, answers: QuizAnswers }, strict);
export type QuizSubmitPayload = Static<typeof QuizSubmitPayload>;
export const QuizListPayload = Type.Object({ roomId: Uuid() }, strict);

export const QuizResult = Type.Object({ quiz: QuizDto });
export const QuizListResult = Type.Object({ quizzes: Type.Array(QuizView) });
export const QuizSubmitResult = Type.Object({ submission: QuizSubmissionDto });
export const QuizCloseResult = Type.Object({ quiz: QuizDto, results: QuizResultsDto });

/** Client → server quiz events (merged into `ClientEvents`). */
export const QuizClientEventSchemas = {
  /** Host or presenter: a new quiz (draft, or opened at once with `open: true`). */
  "quiz-create": { payload: QuizCreatePayload, result: QuizResult },
  /** Host or presenter: open a draft. */
  "quiz-open": { payload: QuizRefPayload, result: QuizResult },
  /** Host or presenter: close an open quiz (scores go out). */
  "quiz-close": { payload: QuizRefPayload, result: QuizCloseResult },
  /** Host or presenter: delete a quiz with its submissions. */
  "quiz-delete": { payload: QuizRefPayload, result: Type.Object({}) },
  /** Students: submit (or change) one's answers while the quiz is open. */
  "quiz-submit": { payload: QuizSubmitPayload, result: QuizSubmitResult },
  /** Everyone in the class: the class's quizzes as they may see them. */
  "quiz-list": { payload: QuizListPayload, result: QuizListResult },
};

/** Server → client quiz events (merged into `ServerEvents`). */
export const QuizServerEventSchemas = {
  /** A quiz changed: drafts to managers; others to the class (without `correct` until closed) and, complete, to managers. */
  "quiz-updated": Type.Object({ roomId: Type.String(), quiz: QuizDto }),
  /** To managers: a quiz was deleted. To the class too when it was not a draft. */
  "quiz-deleted": Type.Object({ roomId: Type.String(), quizId: Type.String() }),
  /** To a student when the quiz closed: their score and submission (the quiz's correct options come with `quiz-updated`). */
  "quiz-score": Type.Object({ roomId: Type.String(), submission: QuizSubmissionDto }),
  /** To managers: the results (live while open, final at close). */
  "quiz-results": Type.Object({ roomId: Type.String(), results: QuizResultsDto }),
};

// ---------------------------------------------------------------- REST

/** `GET /api/v1/rooms/:id/quizzes`. */
export const QuizListResponse = Type.Object({ quizzes: Type.Array(QuizView) });
export type QuizListResponse = Static<typeof QuizListResponse>;
export const QuizViewResponse = Type.Object({ view: QuizView });
/** `/api/v1/rooms/:id/quizzes/:quizId`. */
export const RoomQuizParams = Type.Object({ id: Uuid(), quizId: Uuid() });
export type RoomQuizParams = Static<typeof RoomQuizParams>;
/** `PUT /api/v1/rooms/:id/quizzes/:quizId/submission`. */
export const QuizSubmissionBody = Type.Object({ answers: QuizAnswers }, strict);
export type QuizSubmissionBody = Static<typeof QuizSubmissionBody>;
