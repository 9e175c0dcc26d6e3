import type { MessagePort } from "node:worker_threads";
import { AppError } from "../../errors/index.js";
import type { MediaMethod, ShardOperations } from "../MediaService.js";
import type { MediaEvent } from "../types.js";
import { checkMediaArgs } from "../rpc/validate.js";
import { serializeError, writeRecord, type LogRecord, type MediaLogger } from "../log.js";

/**
 * The only door into a media worker thread: request/response messages over a MessagePort,
 * plus one-way event and log messages from the worker. Both ends live in this file. The worker
 * side answers only the methods of the media RPC table (rpc/table.ts), with arguments checked
 * against their schemas, and `close`.
 */

export type ChannelMethod = MediaMethod | "close";

export interface ChannelRequest {
  id: number;
  method: ChannelMethod;
  args: unknown[];
}

export interface ChannelError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export type ChannelMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ChannelError }
  | { event: MediaEvent }
  | { log: LogRecord }
  | { ready: true };

// Node types a port's messages as any; each listener here declares the channel message it reads.
type PortListener = Parameters<MessagePort["on"]>[1];
type Port = {
  postMessage(value: unknown): void;
  on(event: "message", listener: PortListener): unknown;
  off(event: "message", listener: PortListener): unknown;
};

export function toChannelError(err: unknown): ChannelError {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, code: "INTERNAL_ERROR", message };
}

export function fromChannelError(error: ChannelError): AppError {
  return AppError.withStatus(error.status, error.code as AppError["code"], error.message, error.details);
}

export type ChannelCore = ShardOperations & { onEvent(listener: (event: MediaEvent) => void): () => void; close(): Promise<void> };

/**
 * Worker side: answer requests with `core`, forward its events. A method outside the table, or
 * arguments that do not match its schemas, are refused with a 400 before `core` sees them. An
 * error that is not an AppError is a bug: it is logged with its stack and answered INTERNAL_ERROR.
 */
export function serveChannel(port: Port, core: ChannelCore, log: MediaLogger): void {
  core.onEvent((event) => port.postMessage({ event } satisfies ChannelMessage));
  port.on("message", async (msg: ChannelRequest) => {
    try {
      let result: unknown;
      if (msg.method === "close") result = await core.close();
      else {
        const args = checkMediaArgs(msg.method as unknown, msg.args);
        const fn = core[msg.method as MediaMethod] as (...callArgs: unknown[]) => Promise<unknown>;
        result = await fn.apply(core, args);
      }
      port.postMessage({ id: msg.id, ok: true, result } satisfies ChannelMessage);
    } catch (err) {
      if (!(err instanceof AppError)) log.error({ err, method: msg.method }, "media request failed");
      port.postMessage({ id: msg.id, ok: false, error: toChannelError(err) } satisfies ChannelMessage);
    }
  });
  port.postMessage({ ready: true } satisfies ChannelMessage);
}

/** Main side: typed requests over the port, events to a callback, log records to `log`. */
export class ChannelClient {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (reason: unknown) => void }>();
  /** Set once the other end is gone: every later request fails with it at once. */
  #failed: AppError | undefined;
  readonly ready: Promise<void>;
  #onReady!: () => void;

  constructor(
    private readonly port: Port,
    private readonly onEvent: (event: MediaEvent) => void,
    private readonly log: MediaLogger,
  ) {
    this.ready = new Promise((resolve) => (this.#onReady = resolve));
    port.on("message", this.#onMessage);
  }

  #onMessage = (msg: ChannelMessage): void => {
    if ("event" in msg) {
      this.onEvent(msg.event);
      return;
    }
    if ("log" in msg) {
      writeRecord(this.log, msg.log);
      return;
    }
    if ("ready" in msg) {
      this.#onReady();
      return;
    }
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    if (msg.ok) pending.resolve(msg.result);
    else pending.reject(fromChannelError(msg.error));
  };

  request<M extends MediaMethod>(method: M, args: Parameters<ShardOperations[M]>): ReturnType<ShardOperations[M]>;
  request(method: "close", args: []): Promise<void>;
  request(method: ChannelMethod, args: unknown[]): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.port.postMessage({ id, method, args } satisfies ChannelRequest);
      } catch (err) {
        // Arguments that cannot be cloned (a function, a socket...) never reach the worker.
        this.#pending.delete(id);
        reject(new AppError("VALIDATION_FAILED", `${method}: arguments cannot be sent to a media worker (${serializeError(err).message})`));
      }
    });
  }

  /** Fail every pending request and every later one (the worker died). */
  failAll(err: AppError): void {
    this.#failed = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  detach(): void {
    this.port.off("message", this.#onMessage);
  }
}
