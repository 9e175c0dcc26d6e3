import { AppError } from "../../errors/index.js";
import type { MediaMethod, MediaOperations } from "../MediaService.js";
import type { MediaEvent } from "../types.js";

/**
 * The only door into a media worker thread: request/response messages over a MessagePort,
 * plus one-way event messages from the worker. Both ends live in this file.
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
  | { ready: true };

type Port = {
  postMessage(value: unknown): void;
  on(event: "message", listener: (value: any) => void): unknown;
  off(event: "message", listener: (value: any) => void): unknown;
};

export function toChannelError(err: unknown): ChannelError {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, code: "INTERNAL_ERROR", message };
}

export function fromChannelError(e: ChannelError): AppError {
  return new AppError(e.status, e.code as AppError["code"], e.message, e.details);
}

/** Worker side: answer requests with `core`, forward its events. */
export function serveChannel(
  port: Port,
  core: MediaOperations & { onEvent(l: (e: MediaEvent) => void): () => void; close(): Promise<void> },
): void {
  core.onEvent((event) => port.postMessage({ event } satisfies ChannelMessage));
  port.on("message", async (msg: ChannelRequest) => {
    try {
      const fn = (core as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[msg.method];
      if (typeof fn !== "function") throw new AppError(400, "BAD_REQUEST", `Unknown media method ${msg.method}`);
      const result = await fn.apply(core, msg.args);
      port.postMessage({ id: msg.id, ok: true, result } satisfies ChannelMessage);
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, error: toChannelError(err) } satisfies ChannelMessage);
    }
  });
  port.postMessage({ ready: true } satisfies ChannelMessage);
}

/** Main side: typed requests over the port, events to a callback. */
export class ChannelClient {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly ready: Promise<void>;
  #onReady!: () => void;

  constructor(
    private readonly port: Port,
    private readonly onEvent: (e: MediaEvent) => void,
  ) {
    this.ready = new Promise((r) => (this.#onReady = r));
    port.on("message", this.#onMessage);
  }

  #onMessage = (msg: ChannelMessage): void => {
    if ("event" in msg) return this.onEvent(msg.event);
    if ("ready" in msg) return this.#onReady();
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(fromChannelError(msg.error));
  };

  request<M extends MediaMethod>(method: M, args: Parameters<MediaOperations[M]>): ReturnType<MediaOperations[M]>;
  request(method: "close", args: []): Promise<void>;
  request(method: ChannelMethod, args: unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.port.postMessage({ id, method, args } satisfies ChannelRequest);
    });
  }

  /** Fail every pending request (the worker died). */
  failAll(err: AppError): void {
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
