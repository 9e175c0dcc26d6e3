import { AppError } from "../../errors/index.js";
import { TypedEmitter } from "../TypedEmitter.js";
import type { MediaEventListener, MediaMethod, ShardOperations, MediaService } from "../MediaService.js";
import type { MediaEvent } from "../types.js";
import { MEDIA_METHODS } from "../rpc/table.js";
import { fromHttpResult, toHttpRequest } from "../rpc/http.js";
import { isMediaResult } from "../rpc/validate.js";
import type { MediaLogger } from "../log.js";

const SECRET_HEADER = "x-media-secret";
const REQUEST_TIMEOUT_MS = 30_000;

interface ClientEvents {
  event: [event: MediaEvent];
  /** The node restarted (its rooms are gone). */
  died: [error: Error];
}

/** Every media operation, defined once below from the RPC table. */
export interface MediaNodeClient extends ShardOperations {}

/**
 * The MediaService over HTTP to one `vtp media` node. Each operation is the route the media RPC
 * table gives it (rpc/table.ts, rpc/http.ts); a node's answer is checked against the method's
 * result schema. Events arrive over `GET /events` (server-sent events), reconnecting with
 * Last-Event-ID so none are lost across a short drop.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class's prototype gets every operation from the RPC table below; the interface above types them.
export class MediaNodeClient extends TypedEmitter<ClientEvents> implements MediaService {
  readonly id: string;
  #closed = false;
  #abort = new AbortController();
  #lastEventId = 0;
  #bootId: string | undefined;
  /** Declared dead ("died") and not back yet. */
  #down = false;
  #connected!: () => void;
  /** Resolves when the event stream is open for the first time. */
  readonly eventsReady = new Promise<void>((resolve) => (this.#connected = resolve));

  static {
    for (const method of MEDIA_METHODS) {
      Object.defineProperty(MediaNodeClient.prototype, method, {
        configurable: true,
        writable: true,
        value(this: MediaNodeClient, ...args: unknown[]) {
          return this.#call(method, args);
        },
      });
    }
  }

  constructor(
    readonly baseUrl: string,
    private readonly secret: string,
    private readonly log: MediaLogger,
  ) {
    super();
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.id = this.baseUrl;
    void this.#streamLoop();
  }

  onEvent(listener: MediaEventListener): () => void {
    this.on("event", listener);
    return () => this.off("event", listener);
  }

  /** Generic dispatch, used by ShardedMediaService. */
  request<M extends MediaMethod>(method: M, ...args: Parameters<ShardOperations[M]>): ReturnType<ShardOperations[M]> {
    return this.#call(method, args) as ReturnType<ShardOperations[M]>;
  }

  async #call(method: MediaMethod, args: readonly unknown[]): Promise<unknown> {
    const { verb, path, body } = toHttpRequest(method, args);
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method: verb,
        headers: { [SECRET_HEADER]: this.secret, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (err) {
      throw new AppError("MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw AppError.withStatus(502, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} sent a non-JSON response (${res.status})`);
    }
    if (!res.ok) {
      const error = json?.error;
      if (error && typeof error.code === "string")
        throw AppError.withStatus(res.status, error.code as AppError["code"], String(error.message ?? error.code), error.details);
      throw AppError.withStatus(502, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} answered ${res.status}`);
    }
    const result = fromHttpResult(method, json);
    if (!isMediaResult(method, result)) {
      this.log.error({ node: this.baseUrl, method }, "media node answered a malformed result");
      throw AppError.withStatus(502, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} answered ${method} with a malformed result`);
    }
    return result;
  }

  /** Keep one SSE stream open; reconnect with a growing delay (max 5 s). */
  async #streamLoop(): Promise<void> {
    let delay = 200;
    while (!this.#closed) {
      try {
        await this.#stream();
        delay = 200;
      } catch {
        // fall through to the retry delay
      }
      if (this.#closed) return;
      // The stream dropped: if the node does not answer either, it is gone (killed, crashed,
      // unreachable) and so are its rooms; say so once, so their people can start over elsewhere.
      if (
        this.#bootId !== undefined &&
        !this.#down &&
        !(await this.health().then(
          (health) => health.ok,
          () => false,
        ))
      ) {
        this.#down = true;
        this.log.warn({ node: this.baseUrl }, "media node unreachable (event stream and health); its rooms are lost");
        this.emit("died", new Error(`media node ${this.baseUrl} is unreachable`));
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  async #stream(): Promise<void> {
    const headers: Record<string, string> = { [SECRET_HEADER]: this.secret, accept: "text/event-stream" };
    if (this.#lastEventId) headers["last-event-id"] = String(this.#lastEventId);
    const res = await fetch(`${this.baseUrl}/events`, { headers, signal: this.#abort.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const bootId = res.headers.get("x-media-boot-id") ?? undefined;
    const wasDown = this.#down;
    this.#down = false;
    if (wasDown) this.log.info({ node: this.baseUrl }, "media node reachable again");
    if (this.#bootId && bootId !== this.#bootId) {
      this.#lastEventId = 0;
      // Restarted: its rooms are gone (already said if it had been declared down meanwhile).
      this.log.warn({ node: this.baseUrl, bootId }, "media node restarted; its rooms are lost");
      if (!wasDown) this.emit("died", new Error(`media node ${this.baseUrl} restarted`));
    }
    this.#bootId = bootId;
    this.#connected();
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.#frame(frame);
      }
    }
  }

  #frame(frame: string): void {
    let id: number | undefined;
    let type = "message";
    let data = "";
    for (const line of frame.split("\n")) {
      if (line.startsWith("id: ")) id = Number(line.slice(4));
      else if (line.startsWith("event: ")) type = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (type !== "message" || !data) return;
    if (id !== undefined) this.#lastEventId = id;
    let event: MediaEvent;
    try {
      event = JSON.parse(data) as MediaEvent;
    } catch {
      this.log.warn({ node: this.baseUrl, id }, "media node sent an event that is not JSON; skipped");
      return;
    }
    this.emit("event", event); // a listener that throws is reported by the emitter, never breaks the stream
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    this.removeAllListeners();
  }
}
