import { ErrorMessages, ErrorStatus, type ErrorCode } from "@vtp/protocol";

/**
 * The one error type the server throws on purpose. It carries a stable code whose HTTP status is
 * declared once in the protocol (`ErrorStatus`); the HTTP layer and the socket ack layer each map
 * it once.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ErrorMessages[code] ?? code,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
    this.status = ErrorStatus[code] ?? 500;
  }

  /**
   * The exception: an error answered with another status than its code's, or one rebuilt from a
   * status and code that arrived over the wire (a media worker or node).
   */
  static withStatus(status: number, code: ErrorCode, message: string, details?: unknown): AppError {
    const err = new AppError(code, message, details);
    (err as { status: number }).status = status;
    return err;
  }

  toBody() {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError("VALIDATION_FAILED", message, details);
export const unauthorized = (message = "Authentication required", code: ErrorCode = "UNAUTHORIZED") => new AppError(code, message);
export const forbidden = (message = "You are not allowed to do this", code: ErrorCode = "FORBIDDEN") => new AppError(code, message);
export const notFound = (message = "Not found", code: ErrorCode = "NOT_FOUND") => new AppError(code, message);
export const conflict = (message: string, code: ErrorCode = "CONFLICT") => new AppError(code, message);

/** Turns anything thrown into a safe error body (no internals leak for unknown errors). */
export function toErrorBody(err: unknown): { status: number; body: { code: string; message: string; details?: unknown } } {
  if (err instanceof AppError) return { status: err.status, body: err.toBody() };
  return { status: 500, body: { code: "INTERNAL_ERROR", message: "Internal server error" } };
}
