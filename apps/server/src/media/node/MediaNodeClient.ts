import { AppError } from "../../errors/index.js";
import { TypedEmitter } from "../TypedEmitter.js";
import type {
  CloseProducersFilter,
  JoinPeerResult,
  MediaEventListener,
  MediaMethod,
  MediaOperations,
  MediaService,
} from "../MediaService.js";
import type {
  ConnectTransportResult,
  ConsumeParams,
  ConsumeResult,
  CreateTransportResult,
  MediaEvent,
  MediaHealth,
  MediaRoomInfo,
  MediaRoomSummary,
  MediaStats,
  ProduceParams,
  ProduceResult,
  SessionDescriptionDto,
  SimulcastLayer,
  TransportDirection,
} from "../types.js";

const SECRET_HEADER = "x-media-secret";
const REQUEST_TIMEOUT_MS = 30_000;
const enc = encodeURIComponent;

interface ClientEvents {
  event: [event: MediaEvent];
  /** The node restarted (its rooms are gone). */
  died: [error: Error];
}

/**
 * The MediaService over HTTP to one `vtp media` node. Events arrive over `GET /events`
 * (server-sent events), reconnecting with Last-Event-ID so none are lost across a short drop.
 */
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
  readonly eventsReady = new Promise<void>((r) => (this.#connected = r));

  constructor(
    readonly baseUrl: string,
    private readonly secret: string,
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

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          [SECRET_HEADER]: this.secret,
          ...(method === "POST" ? { "content-type": "application/json" } : {}),
        },
        body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (err) {
      throw new AppError(503, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new AppError(502, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} sent a non-JSON response (${res.status})`);
    }
    if (!res.ok) {
      const e = json?.error;
      if (e && typeof e.code === "string") throw new AppError(res.status, e.code, String(e.message ?? e.code), e.details);
      throw new AppError(502, "MEDIA_UNAVAILABLE", `Media node ${this.baseUrl} answered ${res.status}`);
    }
    return json as T;
  }

  /** Generic dispatch, used by ShardedMediaService. */
  request<M extends MediaMethod>(method: M, ...args: Parameters<MediaOperations[M]>): ReturnType<MediaOperations[M]> {
    const fn = this[method] as (...a: unknown[]) => ReturnType<MediaOperations[M]>;
    return fn.apply(this, args);
  }

  async health(): Promise<MediaHealth> {
    const h = await this.#call<MediaHealth & { bootId?: string }>("GET", "/health");
    return { ok: h.ok, workers: h.workers, rooms: h.rooms, peers: h.peers };
  }

  async listRooms(): Promise<MediaRoomSummary[]> {
    return (await this.#call<{ rooms: MediaRoomSummary[] }>("GET", "/rooms")).rooms;
  }

  getRoom(roomId: string): Promise<MediaRoomInfo> {
    return this.#call("GET", `/rooms/${enc(roomId)}`);
  }

  joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult> {
    return this.#call("POST", `/rooms/${enc(roomId)}/peers`, { peerId, userId });
  }

  async leavePeer(roomId: string, peerId: string): Promise<void> {
    await this.#call("POST", `/rooms/${enc(roomId)}/peers/${enc(peerId)}/leave`);
  }

  createTransport(roomId: string, peerId: string, direction: TransportDirection): Promise<CreateTransportResult> {
    return this.#call("POST", `/rooms/${enc(roomId)}/transports`, { peerId, direction });
  }

  connectTransport(
    roomId: string,
    peerId: string,
    transportId: string,
    description: SessionDescriptionDto,
  ): Promise<ConnectTransportResult> {
    return this.#call("POST", `/rooms/${enc(roomId)}/transports/${enc(transportId)}/connect`, { peerId, description });
  }

  produce(roomId: string, peerId: string, params: ProduceParams): Promise<ProduceResult> {
    return this.#call("POST", `/rooms/${enc(roomId)}/producers`, { peerId, ...params });
  }

  consume(roomId: string, peerId: string, params: ConsumeParams): Promise<ConsumeResult> {
    return this.#call("POST", `/rooms/${enc(roomId)}/consumers`, { peerId, ...params });
  }

  async closeProducer(roomId: string, producerId: string, peerId?: string): Promise<void> {
    await this.#call("POST", `/rooms/${enc(roomId)}/producers/${enc(producerId)}/close`, { peerId });
  }

  async closeConsumer(roomId: string, consumerId: string, peerId?: string): Promise<void> {
    await this.#call("POST", `/rooms/${enc(roomId)}/consumers/${enc(consumerId)}/close`, { peerId });
  }

  async closeProducersOf(roomId: string, peerId: string, filter?: CloseProducersFilter): Promise<string[]> {
    const r = await this.#call<{ producerIds: string[] }>("POST", `/rooms/${enc(roomId)}/peers/${enc(peerId)}/producers/close`, {
      sources: filter?.sources,
    });
    return r.producerIds;
  }

  async setPreferredLayer(roomId: string, consumerId: string, layer: SimulcastLayer): Promise<void> {
    await this.#call("POST", `/rooms/${enc(roomId)}/consumers/${enc(consumerId)}/layer`, { layer });
  }

  async requestKeyFrame(roomId: string, consumerId: string): Promise<void> {
    await this.#call("POST", `/rooms/${enc(roomId)}/consumers/${enc(consumerId)}/keyframe`);
  }

  stats(): Promise<MediaStats> {
    return this.#call("GET", "/stats");
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
      if (this.#bootId !== undefined && !this.#down && !(await this.health().then((h) => h.ok, () => false))) {
        this.#down = true;
        this.emit("died", new Error(`media node ${this.baseUrl} is unreachable`));
      }
      await new Promise((r) => setTimeout(r, delay));
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
    if (this.#bootId && bootId !== this.#bootId) {
      this.#lastEventId = 0;
      // Restarted: its rooms are gone (already said if it had been declared down meanwhile).
      if (!wasDown) this.emit("died", new Error(`media node ${this.baseUrl} restarted`));
    }
    this.#bootId = bootId;
    this.#connected();
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
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
    try {
      this.emit("event", JSON.parse(data) as MediaEvent);
    } catch {
      // a listener threw or the frame was not JSON: never break the stream for it
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    this.removeAllListeners();
  }
}
