import pino from "pino";

/**
 * The logger the media layer writes to: the subset of pino's Logger it uses, so the app passes
 * its own pino logger (or a child). Worker threads use a ThreadLogger that posts records to the
 * main thread, where they reach this logger.
 */
export interface MediaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): MediaLogger;
}

export type MediaLogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: readonly MediaLogLevel[] = ["debug", "info", "warn", "error"];

/** The logger used when none is given: pino on stdout at LOG_LEVEL (default info). */
export function defaultMediaLogger(): MediaLogger {
  const level = process.env.LOG_LEVEL ?? "info";
  return pino({ level: [...LEVELS, "trace", "fatal", "silent"].includes(level) ? level : "info" });
}

/** The lowest level a pino-like logger writes ("info" when it does not say). */
export function levelOf(log: MediaLogger): MediaLogLevel | "silent" {
  const level = (log as { level?: unknown }).level;
  if (level === "trace") return "debug";
  if (level === "silent" || level === "fatal") return "silent";
  return LEVELS.includes(level as MediaLogLevel) ? (level as MediaLogLevel) : "info";
}

/** An error as plain data that survives postMessage and JSON (pino's `err` shape). */
export function serializeError(err: unknown): { type: string; message: string; stack?: string; code?: unknown } {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack, code: (err as { code?: unknown }).code };
  return { type: typeof err, message: String(err) };
}

/** A log record posted from a worker thread to the main thread. */
export interface LogRecord {
  level: MediaLogLevel;
  bindings: Record<string, unknown>;
  obj: Record<string, unknown>;
  msg?: string;
}

/** Writes a record that came from a worker thread to the main thread's logger. */
export function writeRecord(log: MediaLogger, record: LogRecord): void {
  const level = LEVELS.includes(record.level) ? record.level : "info";
  log[level]({ ...record.bindings, ...record.obj }, record.msg);
}

/**
 * The logger of a worker thread: each record at or above `level` is posted to the main thread
 * (`post`), which writes it with the app's logger. `err` fields are serialized on the way.
 */
export class ThreadLogger implements MediaLogger {
  constructor(
    private readonly post: (record: LogRecord) => void,
    private readonly level: MediaLogLevel | "silent",
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  #write(level: MediaLogLevel, obj: object, msg?: string): void {
    if (this.level === "silent" || LEVELS.indexOf(level) < LEVELS.indexOf(this.level)) return;
    const data: Record<string, unknown> = { ...obj };
    if ("err" in data) data.err = serializeError(data.err);
    try {
      this.post({ level, bindings: this.bindings, obj: data, msg });
    } catch {
      // A record that cannot be posted (a value that does not clone) is dropped, never thrown.
    }
  }

  debug(obj: object, msg?: string): void {
    this.#write("debug", obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.#write("info", obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.#write("warn", obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.#write("error", obj, msg);
  }
  child(bindings: Record<string, unknown>): MediaLogger {
    return new ThreadLogger(this.post, this.level, { ...this.bindings, ...bindings });
  }
}
