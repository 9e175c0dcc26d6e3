import type { ErrorCode } from "@vtp/protocol";

/**
 * The one error type the server throws on purpose. It carries a stable code and an HTTP
 * status; the HTTP layer and the socket ack layer each map it once.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody() {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, "VALIDATION_FAILED", message, details);
export const unauthorized = (message = "Authentication required", code: ErrorCode = "UNAUTHORIZED") =>
  new AppError(401, code, message);
export const forbidden = (message = "You are not allowed to do this", code: ErrorCode = "FORBIDDEN") =>
  new AppError(403, code, message);
export const notFound = (message = "Not found", code: ErrorCode = "NOT_FOUND") => new AppError(404, code, message);
export const conflict = (message: string, code: ErrorCode = "CONFLICT") => new AppError(409, code, message);

/** Turns anything thrown into a safe error body (no internals leak for unknown errors). */
export function toErrorBody(err: unknown): { status: number; body: { code: string; message: string; details?: unknown } } {
  if (err instanceof AppError) return { status: err.status, body: err.toBody() };
  return { status: 500, body: { code: "INTERNAL_ERROR", message: "Internal server error" } };
}
