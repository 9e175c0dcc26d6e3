import { FormatRegistry, Type, type StringOptions, type TString } from "@sinclair/typebox";
import { DefaultErrorFunction, SetErrorFunction, ValueErrorType } from "@sinclair/typebox/errors";

/**
 * Builders for every string a client sends (REST bodies, query strings, path parameters and
 * socket payloads), so that the rules below hold for all of them by construction:
 *
 * - `Text`: one line, no control characters (C0, DEL, C1); `MultilineText` also allows tab,
 *   line feed and carriage return. A NUL or another control character is refused with
 *   VALIDATION_FAILED naming the field (PostgreSQL cannot store NUL in text, and nobody types them).
 * - `Uuid`: the id of a stored record (room, user, recording, chat message): 8-4-4-4-12 hex digits.
 *   A malformed id is refused like any other bad field (400 VALIDATION_FAILED), so it never reaches SQL.
 * - `LiveId`: the id of a live, in-memory object (participant, transport, producer, consumer):
 *   1–64 characters of letters, digits and `:_.-`; an unknown one is "not found".
 * - `DateTime`: an RFC 3339 date-time with an upper-case `T` and a `Z` or `±hh:mm` offset, a real
 *   calendar date in the years 2000–9999, and no leap second (seconds 00–59).
 *
 * The same checks run in the server's HTTP validator (Ajv) and its socket validator (TypeBox):
 * patterns are understood by both, and the two formats are registered with both (`PROTOCOL_FORMATS`).
 */

/** Control characters (C0, DEL, C1) allowed nowhere. */
const CONTROL = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";
/** One line of text: no control character at all. */
export const SINGLE_LINE_PATTERN = `^[^\\u0009\\u000A\\u000D${CONTROL}]*$`;
/** Several lines: tab, line feed and carriage return allowed. */
export const MULTILINE_PATTERN = `^[^${CONTROL}]*$`;
export const UUID_PATTERN = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";
export const LIVE_ID_PATTERN = "^[A-Za-z0-9:_.-]{1,64}$";
export const DATE_TIME_PATTERN = "^[2-9][0-9]{3}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-][0-2][0-9]:[0-5][0-9])$";

/** What a person reads when a value breaks one of the patterns above. */
const UUID_PROBLEM = "must be an id (a UUID such as 2f1c7e9a-0b4d-4c1e-9a6f-3d2b1c0e8f7a)";

export const PATTERN_PROBLEMS: Readonly<Record<string, string>> = {
  [SINGLE_LINE_PATTERN]: "must not contain control characters or line breaks",
  [MULTILINE_PATTERN]: "must not contain control characters",
  [UUID_PATTERN]: UUID_PROBLEM,
  [LIVE_ID_PATTERN]: "must be an id (1–64 letters, digits, ':', '_', '.' or '-')",
  [DATE_TIME_PATTERN]: "must be a date-time such as 2030-09-01T08:30:00Z, in the years 2000–9999",
};

export const YEAR_MIN = 2000;
export const YEAR_MAX = 9999;

export const Text = (options: StringOptions = {}): TString => Type.String({ ...options, pattern: SINGLE_LINE_PATTERN });
export const MultilineText = (options: StringOptions = {}): TString => Type.String({ ...options, pattern: MULTILINE_PATTERN });
export const Uuid = (options: StringOptions = {}): TString => Type.String({ ...options, format: "uuid", pattern: UUID_PATTERN });
export const LiveId = (options: StringOptions = {}): TString => Type.String({ ...options, pattern: LIVE_ID_PATTERN });
export const DateTime = (options: StringOptions = {}): TString => Type.String({ ...options, format: "date-time", pattern: DATE_TIME_PATTERN });

const UUID_RE = new RegExp(UUID_PATTERN);
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A date-time the protocol accepts (see `DateTime`): real calendar date, years 2000–9999, no leap second. */
export function isDateTime(value: string): boolean {
  const match = DATE_TIME_RE.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < YEAR_MIN || year > YEAR_MAX || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth || hour > 23 || minute > 59 || second > 59) return false;
  if (match[7] !== undefined && (Number(match[7]) > 23 || Number(match[8]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

/** The string formats the protocol's schemas use, by name: register them with any validator. */
export const PROTOCOL_FORMATS: Readonly<Record<"uuid" | "date-time", (value: string) => boolean>> = {
  uuid: isUuid,
  "date-time": isDateTime,
};

for (const [name, check] of Object.entries(PROTOCOL_FORMATS)) FormatRegistry.Set(name, check);

/** What a person reads when a value breaks one of the protocol's formats. */
export const FORMAT_PROBLEMS: Readonly<Record<string, string>> = {
  uuid: UUID_PROBLEM,
  "date-time": "must be a real date-time such as 2030-09-01T08:30:00Z, in the years 2000–9999",
};

// TypeBox's messages (the socket payloads' VALIDATION_FAILED) say the same as the HTTP ones.
SetErrorFunction((error) => {
  const schema = error.schema as { pattern?: unknown; format?: unknown };
  const patternProblem = error.errorType === ValueErrorType.StringPattern && typeof schema.pattern === "string" ? PATTERN_PROBLEMS[schema.pattern] : undefined;
  if (patternProblem) return patternProblem;
  const formatProblem = error.errorType === ValueErrorType.StringFormat && typeof schema.format === "string" ? FORMAT_PROBLEMS[schema.format] : undefined;
  if (formatProblem) return formatProblem;
  return DefaultErrorFunction(error);
});
