import { AppError } from "../errors/index.js";

/** Seconds a client is asked to wait (Retry-After) when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);
/** SQLSTATEs that mean "the server is not serving", not "your statement is wrong". */
const UNAVAILABLE_STATES = new Set(["57014" /* statement timeout / cancelled */, "57P01", "57P02", "57P03", "53300" /* too many connections */]);
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /^Query read timeout/i,
  /^Connection terminated/i,
  /not queryable/i,
  /^connect(ion)? timeout/i,
  /PGlite is closed/i,
  /Cannot use a pool after calling end/i,
  /driver has already been destroyed/i,
];

/**
 * True when `err` says the database cannot be reached or did not answer in time (refused,
 * reset, pool or connect timeout, statement timeout, a closed PGlite): the request may succeed
 * later, so it is a 503 and not a bug.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  if (err instanceof AppError) return err.code === "DATABASE_UNAVAILABLE";
  const error = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof error.code === "string" && (NETWORK_CODES.has(error.code) || UNAVAILABLE_STATES.has(error.code) || error.code.startsWith("08"))) return true;
  if (typeof error.message === "string" && UNAVAILABLE_MESSAGES.some((re) => re.test(error.message as string))) return true;
  // An AggregateError from a connect to several addresses (IPv4 and IPv6).
  if (Array.isArray(error.errors)) return error.errors.some(isDatabaseUnavailable);
  return false;
}

export function databaseUnavailable(): AppError {
  return new AppError(
    "DATABASE_UNAVAILABLE",
    "The database is not reachable right now; try again in a few seconds",
    { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}

/** `err` as DATABASE_UNAVAILABLE when it is a connection problem, otherwise `err` itself. */
export function classifyDatabaseError(err: unknown): unknown {
  return err instanceof AppError ? err : isDatabaseUnavailable(err) ? databaseUnavailable() : err;
}
