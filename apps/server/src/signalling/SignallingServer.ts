import { randomUUID } from "node:crypto";
import { Server, type Socket } from "socket.io";
import type { Redis } from "ioredis";
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import {
  ErrorMessages,
  isClientEventName,
  MEDIA_CLIENT_EVENTS,
  type AckResult,
  type ClientEventName,
  type ClientToServerEvents,
  type ServerEventPayload,
  type ServerToClientEvents,
} from "@vtp/protocol";
import { AppError, toErrorBody } from "../errors/index.js";
import type { Authenticator } from "../auth/guard.js";
import type { AttendanceLog, ChatLog, RoomDirectory } from "./ports.js";
import type { LiveState } from "./state/index.js";
import { RoomHooks } from "./hooks.js";
import { Broadcaster } from "./Broadcaster.js";
import { Classroom, type Session } from "./Classroom.js";
import { ClassroomControls } from "./ClassroomControls.js";
import { bearer, nextEventId, redisAdapter, safeAck, tokenExpiry } from "./socket-util.js";
import { validatePayload } from "./validate.js";
import { defineClassroomHandlers, type HandlerContext, type HandlerOptions, type SocketData, type SocketHandler } from "./handlers.js";

/** Messages between server processes (through the Redis adapter). */
export interface InterServerEvents {
  /** A capability's message to its counterpart on every other node (see `toOtherNodes`). */
  "vtp:node-message": (channel: string, payload: unknown) => void;
}
export type VtpServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type VtpSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SignallingOptions {
  httpServer: HttpServer;
  auth: Authenticator;
  rooms: RoomDirectory;
  chat: ChatLog;
  attendance: AttendanceLog;
  state: LiveState;
  log: Logger;
  corsOrigins: string[] | true;
  reconnectGraceSeconds: number;
  /** Socket.IO Redis adapter; absent = one process. */
  redis?: { url: string; prefix: string };
  /** How often this node looks for ended grace periods and dead nodes (ms). */
  sweepIntervalMs?: number;
  /** With Redis: a node whose heartbeat is older than this is dead; its connections are dropped. */
  nodeTimeoutSeconds?: number;
  /** Per socket: events per second (sustained) and burst, beyond which events get RATE_LIMITED. */
  socketEventRate?: { perSecond: number; burst: number };
  /** This process's id (shared with attendance, which marks the sessions it opens); a new one when absent. */
  nodeId?: string;
}

/**
 * Socket.IO at /socket.io/: token auth in the handshake, one dispatcher for every client
 * event (the protocol's payload schema → handler → ack), reconnect grace periods, the Redis
 * adapter for many nodes. Every event's handler, the classroom's and other capabilities'
 * (media, recording), is registered with `defineHandler`; capabilities follow the classroom
 * through `hooks`.
 */
export class SignallingServer {
  readonly io: VtpServer;
  readonly hooks: RoomHooks;
  readonly classroom: Classroom;
  readonly controls: ClassroomControls;
  readonly state: LiveState;
  /** Sends to rooms, hosts and sockets (through the adapter: to every node). */
  readonly out: Broadcaster;
  /** This process among the nodes sharing the live state. */
  readonly nodeId: string;
  private readonly handlers = new Map<ClientEventName, SocketHandler>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly sweeper: NodeJS.Timeout;
  private sweeping = false;
  private lastHeartbeat = 0;
  private redisClients: Redis[] = [];
  private closed = false;

  constructor(private readonly opts: SignallingOptions) {
    this.nodeId = opts.nodeId ?? randomUUID();
    this.state = opts.state;
    this.io = new Server(opts.httpServer, {
      path: "/socket.io/",
      serveClient: false,
      cors: { origin: opts.corsOrigins, credentials: true },
      maxHttpBufferSize: 256 * 1024,
      connectionStateRecovery: undefined,
    });
    if (opts.redis) {
      const { adapter, clients } = redisAdapter(opts.redis.url, `${opts.redis.prefix}socket.io`, opts.log);
      this.redisClients = clients;
      this.io.adapter(adapter);
    }
    this.hooks = new RoomHooks(opts.log);
    this.out = new Broadcaster(this.io);
    this.classroom = new Classroom({
      rooms: opts.rooms,
      chat: opts.chat,
      attendance: opts.attendance,
      state: opts.state,
      hooks: this.hooks,
      out: this.out,
      graceMs: opts.reconnectGraceSeconds * 1000,
      nodeId: this.nodeId,
      log: opts.log,
    });
    this.controls = new ClassroomControls(this.classroom, {
      rooms: opts.rooms,
      chat: opts.chat,
      attendance: opts.attendance,
      state: opts.state,
      hooks: this.hooks,
      out: this.out,
    });
    defineClassroomHandlers((event, run, options) => this.defineHandler(event, run, options));

    this.io.use((socket, next) => {
      const raw = socket.handshake.auth?.token ?? bearer(socket.handshake.headers.authorization);
      const token = typeof raw === "string" ? raw : undefined;
      opts.auth.fromToken(token).then(
        (user) => {
          socket.data.user = user;
          socket.data.tokenExpiresAt = token ? tokenExpiry(token) : null;
          next();
        },
        (err) => {
          const body = toErrorBody(err).body;
          next(Object.assign(new Error(body.message), { data: { code: body.code } }));
        },
      );
    });
    this.io.on("connection", (socket) => this.onConnection(socket));
    this.onNodeMessage(REVOKE_CHANNEL, (message) => {
      const { userId, reason } = message as { userId: string; reason: SessionEndReason };
      this.revokeLocal(userId, reason);
    });

    this.sweeper = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 1000);
    this.sweeper.unref();
    // Announce this node at once: a crash before the first sweep must still be noticed.
    setImmediate(() => this.sweep());
  }

  /** Sends `payload` to the `onNodeMessage(channel)` listeners of every other server process (none without Redis). */
  toOtherNodes(channel: string, payload: unknown) {
    if (this.opts.redis && !this.closed) this.io.serverSideEmit("vtp:node-message", channel, payload);
  }

  /** Listens to `toOtherNodes(channel, …)` from other processes. */
  onNodeMessage(channel: string, fn: (payload: unknown) => void) {
    this.io.on("vtp:node-message", (ch: string, payload: unknown) => {
      if (ch === channel) fn(payload);
    });
  }

  /**
   * Registers what client event `event` does: its payload arrives checked against the event's
   * schema in the protocol (`ClientEvents`), `run`'s result becomes the ack's fields, a thrown
   * AppError the ack's error. One handler per event; an event of the protocol without one
   * answers 503 (MEDIA_UNAVAILABLE for the media events of a server without media).
   */
  defineHandler<E extends ClientEventName>(event: E, run: SocketHandler<E>["run"], options: HandlerOptions = {}): void {
    if (!isClientEventName(event)) throw new Error(`"${event}" is not an event of the protocol`);
    if (this.handlers.has(event)) throw new Error(`The socket event "${event}" already has a handler`);
    const handler: SocketHandler<E> = { ...options, event, run };
    this.handlers.set(event, handler as unknown as SocketHandler);
  }

  /** The client events that have a handler on this server. */
  definedEvents(): ClientEventName[] {
    return [...this.handlers.keys()];
  }

  /**
   * Ends every live connection of `userId`, on every node: each gets `session-ended` and is
   * disconnected. A disabled account leaves its rooms at once; after a role change the
   * participant gets the reconnect grace period, so a client that reconnects (with the new
   * role) resumes its place.
   */
  async revokeUser(userId: string, reason: SessionEndReason): Promise<void> {
    this.revokeLocal(userId, reason);
    this.toOtherNodes(REVOKE_CHANNEL, { userId, reason });
  }

  private revokeLocal(userId: string, reason: SessionEndReason) {
    const message =
      reason === "account-disabled" ? (ErrorMessages.ACCOUNT_DISABLED ?? "This account has been disabled") : "Your role was changed: reconnect to continue";
    for (const socket of this.io.of("/").sockets.values()) {
      if (socket.data.user?.id !== userId) continue;
      socket.data.revoked = reason;
      socket.emit("session-ended", { reason, message });
      socket.disconnect(true);
    }
  }

  private onConnection(socket: VtpSocket) {
    const session: Session = { socketId: socket.id, user: socket.data.user };
    let queue: Promise<unknown> = Promise.resolve();
    // One event at a time per socket, in arrival order.
    const enqueue = (job: () => Promise<void>) => {
      const run = queue.then(job, job);
      queue = run;
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
    };
    // A token bucket per socket: a client flooding events (each may carry 128 KiB of SDP) gets
    // RATE_LIMITED acks instead of queueing unbounded work; a class's normal bursts (joining a
    // room with many producers: a consume and an answer each) stay well inside it.
    const rate = this.opts.socketEventRate ?? { perSecond: 50, burst: 200 };
    let tokens = rate.burst;
    let at = Date.now();
    socket.onAny((event: unknown, ...args: unknown[]) => {
      // A packet without an event name ("42", "421", "42[7]") carries its ack, if any, in the
      // name's place; it is answered BAD_REQUEST when it asked for an ack, else dropped.
      const named = typeof event === "string";
      const last = named ? args[args.length - 1] : typeof event === "function" ? event : args[args.length - 1];
      const ack = typeof last === "function" ? (last as (result: AckResult<object>) => void) : undefined;
      if (named && ack) args.pop();
      const now = Date.now();
      tokens = Math.min(rate.burst, tokens + ((now - at) * rate.perSecond) / 1000);
      at = now;
      if (tokens < 1) {
        if (ack) safeAck(ack, { ok: false, error: { code: "RATE_LIMITED", message: "Too many events: slow down" } });
        return;
      }
      tokens -= 1;
      if (!named) {
        if (ack) safeAck(ack, { ok: false, error: { code: "BAD_REQUEST", message: "An event needs a name" } });
        return;
      }
      enqueue(
        () =>
          new Promise<void>((released) => {
            const handled = this.dispatch(socket, session, event, args.length ? args[0] : {}, ack, released).finally(released);
            this.pending.add(handled);
            void handled.finally(() => this.pending.delete(handled));
          }),
      );
    });
    socket.on("disconnect", () =>
      enqueue(async () => {
        const data = socket.data;
        try {
          if (data.roomId && data.participantId) {
            if (data.revoked === "account-disabled") await this.classroom.leave(session, data.roomId, data.participantId);
            else await this.classroom.dropped(socket.id, data.roomId, data.participantId);
          }
          if (data.waitingRoomId) await this.classroom.waitingDropped(socket.id, data.waitingRoomId, data.user.id);
        } catch (err) {
          this.opts.log.error({ err }, "error handling a socket disconnect");
        }
      }),
    );
  }

  private async dispatch(
    socket: VtpSocket,
    session: Session,
    event: string,
    payload: unknown,
    ack: ((result: AckResult<object>) => void) | undefined,
    release: () => void,
  ) {
    // Each event gets a request id, as each HTTP request does: the lines one event logs share it.
    const reqId = nextEventId();
    const started = performance.now();
    let outcome = "ok";
    const reply = (result: AckResult<object>) => {
      if (ack) safeAck(ack, result);
    };
    try {
      if (!isClientEventName(event)) throw new AppError("BAD_REQUEST", `Unknown event "${event.slice(0, 64)}"`);
      if (socket.data.revoked === "account-disabled") throw new AppError("ACCOUNT_DISABLED");
      if (socket.data.revoked) throw new AppError("UNAUTHORIZED", "Your role was changed: reconnect to continue");
      const handler = this.handlers.get(event);
      const exp = socket.data.tokenExpiresAt;
      if (exp !== null && exp <= Date.now() && !handler?.allowExpiredToken)
        throw new AppError("TOKEN_EXPIRED", "Your access token expired: send auth-renew with a new one");
      validatePayload(event, payload);
      if (!handler) {
        if ((MEDIA_CLIENT_EVENTS as readonly string[]).includes(event)) throw new AppError("MEDIA_UNAVAILABLE", "Media is not available on this server");
        throw new AppError("SERVICE_UNAVAILABLE", `"${event}" is not available on this server`);
      }
      const ctx: HandlerContext = {
        session,
        data: socket.data,
        classroom: this.classroom,
        controls: this.controls,
        member: (roomId) => this.classroom.member(session, socket.data, roomId),
        renewToken: async (token) => ({ user: await this.opts.auth.fromToken(token), expiresAt: tokenExpiry(token) }),
        release,
      };
      const result = await handler.run(ctx, payload);
      reply({ ok: true, ...(result ?? {}) });
    } catch (err) {
      const { status, body } = toErrorBody(err);
      outcome = body.code;
      if (status >= 500 && !(err instanceof AppError))
        this.opts.log.error({ err, event, reqId, socketId: socket.id, userId: session.user.id }, "socket event failed");
      reply({ ok: false, error: { code: body.code, message: body.message, ...(body.details !== undefined ? { details: body.details } : {}) } });
    } finally {
      if (this.opts.log.isLevelEnabled("debug")) {
        const ms = Math.round((performance.now() - started) * 10) / 10;
        this.opts.log.debug({ reqId, event, socketId: socket.id, userId: session.user.id, outcome, ms }, "socket event");
      }
    }
  }

  private sweep() {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    const sweep = this.classroom
      .sweepGrace()
      .catch((err) => this.opts.log.warn({ err }, "grace sweep failed"))
      .then(() => this.checkNodes())
      .catch((err) => this.opts.log.warn({ err }, "node liveness check failed"))
      .finally(() => {
        this.sweeping = false;
      });
    this.pending.add(sweep);
    void sweep.finally(() => this.pending.delete(sweep));
  }

  /**
   * Node liveness (many processes on one Redis): renew this node's heartbeat, and drop the
   * connections of nodes that stopped renewing theirs (crashed, killed, cut off), as if each of
   * their sockets had disconnected: the participant shows as reconnecting and leaves when the
   * grace period ends, unless the person's client resumes on another node first. A node that
   * finds itself declared dead (it stalled longer than the timeout) disconnects its own sockets,
   * so that their clients reconnect and resume instead of staying half in the room.
   */
  async checkNodes(now = Date.now()): Promise<void> {
    if (this.closed) return;
    if (now - this.lastHeartbeat >= 500) {
      this.lastHeartbeat = now;
      const fine = await this.state.heartbeat(this.nodeId, (this.opts.nodeTimeoutSeconds ?? 10) * 1000);
      if (!fine && !this.closed) {
        this.opts.log.warn(
          { nodeId: this.nodeId },
          "this node was declared dead by another node (it stalled): disconnecting its sockets so their clients resume",
        );
        this.io.local.disconnectSockets(true);
      }
    }
    for (const dead of await this.state.claimDeadNodes()) {
      this.opts.log.warn(
        { nodeId: dead.nodeId, participants: dead.participants.length, waiting: dead.waiting.length },
        "a server node stopped answering: dropping its connections",
      );
      for (const g of dead.participants) await this.classroom.dropped(g.socketId, g.roomId, g.participantId);
      for (const w of dead.waiting) await this.classroom.waitingDropped(w.socketId, w.roomId, w.userId);
    }
  }

  /** Sockets connected to this process. */
  get localSocketCount(): number {
    return this.io.of("/").sockets.size;
  }

  /** Where live state is kept: this process's memory or Redis (shared by the nodes). */
  get adapterKind(): LiveState["kind"] {
    return this.state.kind;
  }

  /** The app-server nodes sharing this live state (this one included); empty when unknown. */
  async liveNodes(): Promise<string[]> {
    const nodes = await this.state.listNodes().catch((): string[] => []);
    return nodes.includes(this.nodeId) ? nodes : [...nodes, this.nodeId];
  }

  /**
   * Disconnects this node's sockets (their participants get the grace period, so they can
   * resume on another node), waits for in-flight events, then closes the adapter.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.io.local.disconnectSockets(true);
    for (let i = 0; i < 5 && this.pending.size; i++) await Promise.allSettled([...this.pending]);
    await this.state.forgetNode(this.nodeId).catch((err) => this.opts.log.warn({ err }, "could not deregister this node"));
    this.io.engine.close();
    try {
      await this.io.of("/").adapter.close?.();
    } catch {
      /* already closed */
    }
    for (const c of this.redisClients) c.disconnect();
    await this.state.close();
  }
}

const REVOKE_CHANNEL = "revoke-user";

/** Why the server ended a user's live connections (the `session-ended` event's reason). */
export type SessionEndReason = ServerEventPayload<"session-ended">["reason"];
