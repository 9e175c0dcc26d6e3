import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import type { LogFormat, LogLevel } from "./config/index.js";

/** Fields that never reach a log line, whatever the format. */
export const REDACT = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.refreshToken",
  "*.accessToken",
  "*.token",
];

/**
 * Fields of an error that may carry stored values: a database driver's query parameters
 * (PGlite's `params`; a password hash among them for an account INSERT), the failing row
 * PostgreSQL puts in `detail` ("Failing row contains (…)"), and its context lines. Logged
 * errors keep their message, code, constraint, table and stack, never these.
 */
export const ERROR_FIELDS_WITH_VALUES = ["params", "parameters", "values", "detail", "where", "internalQuery"];

/** pino's error serializer without the fields above, in the error and its causes. */
export function serializeError(err: unknown): unknown {
  if (!err || typeof err !== "object") return err;
  const out = pino.stdSerializers.err(err as Error) as unknown;
  scrub(out, 0);
  return out;
}

function scrub(value: unknown, depth: number): void {
  if (!value || typeof value !== "object" || depth > 5) return;
  if (Array.isArray(value)) {
    for (const item of value) scrub(item, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key of ERROR_FIELDS_WITH_VALUES) delete obj[key];
  for (const key of ["cause", "errors", "err", "error"]) scrub(obj[key], depth + 1);
}

/** Fields the pretty format leaves out: the one-line message already says them. */
const PRETTY_IGNORE = "pid,hostname,reqId,req,res,responseTime,outbox,link";

export interface LoggerOptions {
  logLevel: LogLevel;
  /** `auto` (the default): pretty when stdout is a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
}

/** Whether `auto` means pretty here: stdout is a terminal. */
export function prettyLogs(format: LogFormat = "auto", stdoutIsTTY = Boolean(process.stdout.isTTY)): boolean {
  return format === "pretty" || (format === "auto" && stdoutIsTTY);
}

/**
 * The process logger: JSON lines (pino) for machines, or one readable line per event for a
 * person at a terminal (or JSON lines into `destination`, for tests). Errors are logged
 * without the values a database error may carry (`serializeError`). A `link` field (the
 * outbox's mail links) is printed alone on the next line so it can be copied whole.
 */
export function createLogger(config: LoggerOptions, destination?: DestinationStream): Logger {
  const options = { level: config.logLevel, redact: { paths: REDACT, censor: "[redacted]" }, serializers: { err: serializeError, error: serializeError } };
  if (!prettyLogs(config.logFormat)) return destination ? pino(options, destination) : pino(options);
  const colorize = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return pino(
    options,
    pretty({
      sync: true,
      colorize,
      singleLine: true,
      translateTime: "SYS:HH:MM:ss",
      ignore: PRETTY_IGNORE,
      messageFormat: (log, messageKey) => {
        const msg = String(log[messageKey] ?? "");
        return typeof log.link === "string" ? `${msg}\n${log.link}` : msg;
      },
    }),
  );
}

const HEALTH_PATHS = new Set(["/health", "/api/v1/health"]);
const SECRET_QUERY = /^(token|sig|signature|code|key|password|access_token|refresh_token)$/i;

/** The URL as it may appear in a log: capability tokens in the path or query are replaced. */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const pathPart = (queryAt < 0 ? url : url.slice(0, queryAt)).replace(/(\/shared\/recordings\/)[^/]+/, "$1[redacted]");
  if (queryAt < 0) return pathPart;
  const query = url
    .slice(queryAt + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_QUERY.test(decodeURIComponent(name)) ? `${name}=[redacted]` : pair;
    })
    .join("&");
  return `${pathPart}?${query}`;
}

/**
 * One log line per finished request (method, URL, status, time) instead of Fastify's two;
 * health checks at debug so a load balancer's probes don't fill the log. Fastify's other
 * lines (errors, not found, shutting down) keep their defaults.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    const url = loggableUrl(req.url);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const line = { req: { method: req.method, url, remoteAddress: req.ip }, res: { statusCode: reply.statusCode }, responseTime: ms };
    const msg = `${req.method} ${url} ${reply.statusCode} ${ms} ms`;
    if (error) reply.log.error({ ...line, err: error }, msg);
    else if (HEALTH_PATHS.has(req.url.split("?", 1)[0] ?? "")) reply.log.debug(line, msg);
    else reply.log.info(line, msg);
  }
}
