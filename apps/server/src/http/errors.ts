import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FORMAT_PROBLEMS, PATTERN_PROBLEMS } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { databaseUnavailable, isDatabaseUnavailable } from "../db/unavailable.js";

/**
 * The one place where thrown errors become HTTP responses:
 * `{ error: { code, message, details? } }` with the right status. A 500 is always a bug and
 * is logged with its stack; its message never leaks internals.
 */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.status(err.status).send({ error: err.toBody() });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details = fe.validation.map((issue) => ({
        field:
          (issue.instancePath || "").replace(/^\//, "").replace(/\//g, ".") ||
          stringParam(issue, "missingProperty") ||
          stringParam(issue, "additionalProperty") ||
          undefined,
        problem: problemOf(issue),
        where: fe.validationContext,
      }));
      return reply.status(400).send({ error: { code: "VALIDATION_FAILED", message: describeValidation(fe), details } });
    }
    const mapped = mapFastifyCode(fe);
    if (mapped) {
      if (mapped.headers) reply.headers(mapped.headers);
      return reply.status(mapped.status).send({ error: { code: mapped.code, message: mapped.message } });
    }
    if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: "BAD_REQUEST", message: fe.message } });
    }
    // The database layer already answers DATABASE_UNAVAILABLE; this catches a connection error raised past it.
    if (isDatabaseUnavailable(err)) {
      const unavailable = databaseUnavailable();
      request.log.warn({ err }, "database unavailable");
      return reply
        .status(unavailable.status)
        .headers(unavailable.headers ?? {})
        .send({ error: unavailable.toBody() });
    }
    request.log.error({ err }, "unhandled error");
    return reply.status(500).send({ error: { code: "INTERNAL_ERROR", message: "Internal server error" } });
  });
}

/**
 * Errors Fastify's router raises before any route runs (a malformed percent-encoding, a path
 * segment longer than the router's limit): the same `{ error: { code, message } }` as every
 * other error. Passed to Fastify as its `frameworkErrors` option.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const mapped = mapFastifyCode(err) ?? { status: 400, code: "BAD_REQUEST", message: "Malformed request" };
  return reply.status(mapped.status).send({ error: { code: mapped.code, message: mapped.message } });
}

const API_PREFIXES = ["/api/", "/socket.io/", "/health"];

/**
 * Unknown routes: a JSON 404 `NOT_FOUND`, except that when the web client is served, a GET for
 * a page path (no file extension, not an API path) gets index.html (history fallback).
 */
export function registerNotFound(app: FastifyInstance, opts: { serveSpa: boolean }) {
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split("?")[0];
    if (opts.serveSpa && request.method === "GET" && !API_PREFIXES.some((p) => url.startsWith(p)) && !/\.[a-z0-9]+$/i.test(url)) {
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    }
    return reply.status(404).send({ error: { code: "NOT_FOUND", message: `No route for ${request.method} ${url}` } });
  });
}

function describeValidation(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return "Invalid request";
  const where = err.validationContext ?? "body";
  const missing = stringParam(first, "missingProperty");
  if (missing) return `${where}: "${missing}" is required`;
  const extra = stringParam(first, "additionalProperty");
  if (extra) return `${where}: unknown field "${extra}"`;
  const field = first.instancePath.replace(/^\//, "").replace(/\//g, ".");
  return `${where}${field ? `.${field}` : ""} ${problemOf(first) ?? "is invalid"}`;
}

type ValidationIssue = NonNullable<FastifyError["validation"]>[number];

/** A string parameter of an Ajv issue (`missingProperty`, `additionalProperty`), if present. */
function stringParam(issue: ValidationIssue, key: string): string | undefined {
  const value = (issue.params as Record<string, unknown> | undefined)?.[key];
  return typeof value === "string" ? value : undefined;
}

/** Ajv's message, except for the protocol's patterns and formats, which say what is expected. */
function problemOf(issue: ValidationIssue): string | undefined {
  const params = issue.params as { pattern?: unknown; format?: unknown } | undefined;
  if (issue.keyword === "pattern" && typeof params?.pattern === "string") return PATTERN_PROBLEMS[params.pattern] ?? issue.message;
  if (issue.keyword === "format" && typeof params?.format === "string") return FORMAT_PROBLEMS[params.format] ?? issue.message;
  return issue.message;
}

function mapFastifyCode(err: FastifyError): { status: number; code: string; message: string; headers?: Record<string, string> } | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, code: "INVALID_JSON", message: "The request body is not valid JSON" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "VALIDATION_FAILED", message: "The request body is empty" };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "PAYLOAD_TOO_LARGE", message: "The request body is too large" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Send the body as application/json" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "BAD_REQUEST", message: "Content-Length does not match the body" };
    case "FST_ERR_BAD_URL":
    case "FST_ERR_ASYNC_CONSTRAINT":
      return { status: 400, code: "BAD_REQUEST", message: "Malformed URL" };
    case "FST_ERR_MAX_PARAM_LENGTH":
      return { status: 400, code: "BAD_REQUEST", message: "Malformed URL: a path segment is too long" };
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return { status: 400, code: "INVALID_JSON", message: "The request body is not valid JSON" };
  }
  if (err.statusCode === 429) {
    return { status: 429, code: "RATE_LIMITED", message: err.message || "Too many requests" };
  }
  return undefined;
}
