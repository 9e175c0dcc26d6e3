/**
 * Error codes shared by the server and the browser. Every non-2xx HTTP response and every
 * failed socket ack carries one of these as `error.code`.
 */
export const ErrorCodes = [
  // generic
  "BAD_REQUEST",
  "VALIDATION_FAILED",
  "INVALID_JSON",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "CONFLICT",
  "RATE_LIMITED",
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
  "DATABASE_UNAVAILABLE",
  "LIVE_STATE_UNAVAILABLE",
  "METRICS_DISABLED",
  // accounts
  "EMAIL_TAKEN",
  "WEAK_PASSWORD",
  "PASSWORD_TOO_LONG",
  "INVALID_CREDENTIALS",
  "EMAIL_NOT_VERIFIED",
  "ACCOUNT_DISABLED",
  "TOO_MANY_ATTEMPTS",
  "INVALID_TOKEN",
  "TOKEN_EXPIRED",
  "REFRESH_TOKEN_REUSED",
  "ROLE_NOT_ALLOWED",
  // rooms and signalling
  "ROOM_NOT_FOUND",
  "ROOM_ENDED",
  "ROOM_FULL",
  "NOT_IN_ROOM",
  "ALREADY_IN_ROOM",
  "WAITING_FOR_HOST",
  "REJECTED_BY_HOST",
  "REMOVED_FROM_ROOM",
  "PARTICIPANT_NOT_FOUND",
  "CHAT_DISABLED",
  "MESSAGE_NOT_FOUND",
  // media
  "MEDIA_UNAVAILABLE",
  "TRANSPORT_NOT_FOUND",
  "TOO_MANY_TRANSPORTS",
  "PRODUCER_NOT_FOUND",
  "CONSUMER_NOT_FOUND",
  "INVALID_SDP",
  "WRONG_DIRECTION",
  "NOT_ALLOWED_TO_PUBLISH",
  // recording
  "RECORDING_UNAVAILABLE",
  "RECORDING_NOT_FOUND",
  "RECORDING_ALREADY_ACTIVE",
  "RECORDING_NOT_READY",
  "SHARE_NOT_FOUND",
  // polls
  "POLL_NOT_FOUND",
  "POLL_NOT_OPEN",
  "POLL_NOT_DRAFT",
  "INVALID_ANSWER",
  "NOT_ALLOWED_TO_MANAGE_POLLS",
  // quizzes
  "QUIZ_NOT_FOUND",
  "QUIZ_NOT_OPEN",
  "QUIZ_NOT_DRAFT",
  "QUIZ_DEADLINE_PASSED",
  "NOT_ALLOWED_TO_MANAGE_QUIZZES",
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

/**
 * The HTTP status of each code, declared once: the server derives an error's status from its code.
 * A call site may answer another status only through `AppError.withStatus` (e.g. an email link's
 * INVALID_TOKEN is a 400, an access token's a 401; see docs/DECISIONS.md).
 */
export const ErrorStatus: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  LIVE_STATE_UNAVAILABLE: 503,
  METRICS_DISABLED: 404,
  EMAIL_TAKEN: 409,
  WEAK_PASSWORD: 400,
  PASSWORD_TOO_LONG: 400,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_DISABLED: 403,
  TOO_MANY_ATTEMPTS: 429,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  REFRESH_TOKEN_REUSED: 401,
  ROLE_NOT_ALLOWED: 403,
  ROOM_NOT_FOUND: 404,
  ROOM_ENDED: 409,
  ROOM_FULL: 409,
  NOT_IN_ROOM: 409,
  ALREADY_IN_ROOM: 409,
  WAITING_FOR_HOST: 403,
  REJECTED_BY_HOST: 403,
  REMOVED_FROM_ROOM: 403,
  PARTICIPANT_NOT_FOUND: 404,
  CHAT_DISABLED: 403,
  MESSAGE_NOT_FOUND: 404,
  MEDIA_UNAVAILABLE: 503,
  TRANSPORT_NOT_FOUND: 404,
  TOO_MANY_TRANSPORTS: 429,
  PRODUCER_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  INVALID_SDP: 400,
  WRONG_DIRECTION: 400,
  NOT_ALLOWED_TO_PUBLISH: 403,
  RECORDING_UNAVAILABLE: 503,
  RECORDING_NOT_FOUND: 404,
  RECORDING_ALREADY_ACTIVE: 409,
  RECORDING_NOT_READY: 409,
  SHARE_NOT_FOUND: 404,
  POLL_NOT_FOUND: 404,
  POLL_NOT_OPEN: 409,
  POLL_NOT_DRAFT: 409,
  INVALID_ANSWER: 400,
  NOT_ALLOWED_TO_MANAGE_POLLS: 403,
  QUIZ_NOT_FOUND: 404,
  QUIZ_NOT_OPEN: 409,
  QUIZ_NOT_DRAFT: 409,
  QUIZ_DEADLINE_PASSED: 409,
  NOT_ALLOWED_TO_MANAGE_QUIZZES: 403,
};

/** The body of every error response and failed ack. */
export interface ErrorBody {
  code: ErrorCode | string;
  message: string;
  details?: unknown;
}

export interface ErrorResponse {
  error: ErrorBody;
}

/** Human messages for the browser, by code. */
export const ErrorMessages: Partial<Record<ErrorCode, string>> = {
  EMAIL_TAKEN: "An account with this email already exists.",
  WEAK_PASSWORD: "The password must be between 10 and 128 characters.",
  PASSWORD_TOO_LONG: "The password is too long (at most 72 bytes when encoded).",
  INVALID_CREDENTIALS: "The email or password is not correct.",
  EMAIL_NOT_VERIFIED: "Please verify your email first: check your inbox for the link.",
  ACCOUNT_DISABLED: "This account has been disabled. Contact your administrator.",
  TOO_MANY_ATTEMPTS: "Too many attempts. Please wait a moment and try again.",
  INVALID_TOKEN: "This link is invalid or has already been used.",
  TOKEN_EXPIRED: "This link has expired. Please request a new one.",
  REFRESH_TOKEN_REUSED: "Your session was ended for security reasons. Please sign in again.",
  ROOM_NOT_FOUND: "This class does not exist.",
  ROOM_ENDED: "This class has ended.",
  ROOM_FULL: "This class is full.",
  WAITING_FOR_HOST: "Waiting for the teacher to let you in.",
  REJECTED_BY_HOST: "The teacher did not let you in.",
  REMOVED_FROM_ROOM: "You were removed from this class.",
  CHAT_DISABLED: "Chat is turned off in this class.",
  NOT_ALLOWED_TO_PUBLISH: "You are not allowed to share audio or video in this class.",
  RECORDING_UNAVAILABLE: "Recording is not available on this server.",
  POLL_NOT_OPEN: "This poll is closed: answers are no longer taken.",
  INVALID_ANSWER: "This answer does not fit the poll's question.",
  NOT_ALLOWED_TO_MANAGE_POLLS: "Only the teacher and speakers can run polls.",
  QUIZ_NOT_OPEN: "This quiz is closed: answers are no longer taken.",
  QUIZ_DEADLINE_PASSED: "The deadline of this quiz has passed.",
  NOT_ALLOWED_TO_MANAGE_QUIZZES: "Only the teacher and speakers can run quizzes.",
  RATE_LIMITED: "Slow down a little.",
  INTERNAL_ERROR: "Something went wrong on our side.",
  SERVICE_UNAVAILABLE: "The service is having trouble, retrying…",
  DATABASE_UNAVAILABLE: "The service is having trouble, retrying…",
  LIVE_STATE_UNAVAILABLE: "The service is having trouble, retrying…",
};
