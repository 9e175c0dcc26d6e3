import { ErrorMessages, type ErrorCode } from "@vtp/protocol";

/** An error from the API (or the network), carrying the server's code and a human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * Codes that mean "the service is in trouble for a moment" (its database or live state is out of
 * reach): the client keeps the session, retries reads, and says so rather than showing a failure.
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set(["DATABASE_UNAVAILABLE", "LIVE_STATE_UNAVAILABLE", "SERVICE_UNAVAILABLE"]);

export function isTransient(err: unknown): boolean {
  return err instanceof ApiError && TRANSIENT_CODES.has(err.code);
}

const EXTRA: Record<string, string> = {
  NETWORK: "We could not reach the server. Check your connection and try again.",
  UNAUTHORIZED: "Please sign in again.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "We could not find what you asked for.",
  VALIDATION_FAILED: "Some of the details are not valid. Please check the form.",
  BAD_REQUEST: "Some of the details are not valid. Please check the form.",
  CONFLICT: "That conflicts with something that already exists.",
  ROLE_NOT_ALLOWED: "That role cannot be chosen here.",
  NOT_IN_ROOM: "You are not in this class.",
  ALREADY_IN_ROOM: "You are already in this class (perhaps in another tab).",
  PARTICIPANT_NOT_FOUND: "That person is no longer in the class.",
  MESSAGE_NOT_FOUND: "That message no longer exists.",
  MEDIA_UNAVAILABLE: "Audio and video are not available right now.",
};

/** The human text for an error code; falls back to the server's message, then a generic line. */
export function humanMessage(code: string | undefined, fallback?: string): string {
  if (code) {
    const known = (ErrorMessages as Record<string, string | undefined>)[code] ?? EXTRA[code];
    if (known) return known;
  }
  return fallback || "Something went wrong. Please try again.";
}

/** Any thrown value to a sentence for the person in front of the screen. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return humanMessage(err.code, err.message);
  if (err instanceof Error && err.name === "AbortError") return "The request was cancelled.";
  return humanMessage(undefined);
}

/** Field-level problems from a VALIDATION_FAILED error, when the server names the field. */
export function fieldOf(err: unknown): string | undefined {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return undefined;
  const first = err.details[0] as { field?: unknown } | undefined;
  return typeof first?.field === "string" ? first.field : undefined;
}
