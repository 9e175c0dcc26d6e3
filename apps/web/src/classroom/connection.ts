import { io, type Socket } from "socket.io-client";
import type { AckResult, ClientEventName, ClientToServerEvents, ErrorBody, EventPayload, EventResult, ServerToClientEvents } from "@vtp/protocol";
import { api } from "../api/browser";
import type { RoomAction } from "./state";

type VtpSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A failed ack (or a lost connection) as an Error with the server's code. */
export class SocketError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const AUTH_CODES = new Set(["UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED"]);
const FINAL_JOIN_CODES = new Set(["ROOM_ENDED", "ROOM_NOT_FOUND", "REMOVED_FROM_ROOM", "REJECTED_BY_HOST", "ROOM_FULL", "FORBIDDEN"]);

/**
 * One person's Socket.IO connection to one class: joins (and re-joins after a drop, which the
 * server treats as a resume), keeps the socket's token fresh, and turns every server event into
 * a reducer action. The media layer hangs off `socket`.
 */
export class RoomConnection {
  readonly socket: VtpSocket;
  private joinedOnce = false;
  private closed = false;
  private offSession: () => void;

  constructor(
    private readonly roomId: string,
    private readonly userId: string,
    private readonly dispatch: (action: RoomAction) => void,
    private readonly onRejoined?: () => void,
  ) {
    this.socket = io({
      path: "/socket.io/",
      transports: ["websocket"],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      // A fresh token for every (re)connection.
      auth: (cb) => {
        void api.token().then((token) => cb({ token: token ?? "" }));
      },
    });
    const socket = this.socket;
    socket.on("connect", () => void this.join());
    socket.on("disconnect", (reason) => {
      if (this.closed) return;
      dispatch({ type: "reconnecting" });
      // The server closed us on purpose (e.g. after removal): reconnect by hand unless the class is over.
      if (reason === "io server disconnect") setTimeout(() => !this.closed && socket.connect(), 1000);
    });
    socket.on("connect_error", (err) => {
      if (this.closed) return;
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code && AUTH_CODES.has(code)) {
        // Refresh the session, then try again; a refused refresh signs the person out.
        void api.refresh().then((ok) => ok && !this.closed && setTimeout(() => socket.connect(), 300));
      } else if (code) {
        dispatch({ type: "failed", error: { code, message: err.message } });
      } else if (this.joinedOnce) dispatch({ type: "reconnecting" });
    });

    socket.on("participant-joined", (event) => dispatch({ type: "participant-joined", participant: event.participant }));
    socket.on("participant-updated", (event) => dispatch({ type: "participant-updated", participant: event.participant }));
    socket.on("participant-left", (event) => dispatch({ type: "participant-left", participantId: event.participantId }));
    socket.on("hand-queue", (event) => dispatch({ type: "hand-queue", queue: event.queue }));
    socket.on("waiting-updated", (event) => dispatch({ type: "waiting-updated", waiting: event.waiting }));
    socket.on("room-updated", (event) => dispatch({ type: "room-updated", room: event.room }));
    socket.on("room-ended", () => this.finish({ type: "room-ended" }));
    socket.on("removed", () => this.finish({ type: "removed" }));
    // An admin disabled the account: the class is over for this person. (A role change needs
    // nothing here: the server disconnects, and the reconnect joins again with the new role.)
    socket.on("session-ended", (event) => {
      if (event.reason === "account-disabled") this.finish({ type: "failed", error: { code: "ACCOUNT_DISABLED", message: event.message } });
    });
    socket.on("rejected", () => this.finish({ type: "rejected" }));
    socket.on("session-replaced", () => this.finish({ type: "replaced" }));
    socket.on("admitted", () => void this.join());
    socket.on("muted", (event) => dispatch({ type: "muted", by: event.byName || "The teacher" }));
    socket.on("chat-message", (event) => dispatch({ type: "chat-message", message: event.message }));
    socket.on("chat-deleted", (event) => dispatch({ type: "chat-deleted", messageId: event.messageId }));
    socket.on("recording-started", (event) => dispatch({ type: "recording", recording: { id: event.recordingId, startedAt: event.startedAt } }));
    socket.on("recording-stopped", () => dispatch({ type: "recording", recording: null }));

    // Keep the live socket's token current when the page refreshes its session.
    this.offSession = api.subscribe((event) => {
      if (event.type !== "signed-out" && socket.connected) void api.token().then((token) => token && socket.emit("auth-renew", { token }, () => {}));
    });
  }

  connect() {
    this.dispatch({ type: "connecting" });
    this.socket.connect();
  }

  /** Sends an event and resolves with its ack; an expired token is renewed and the event retried once. */
  async send<E extends ClientEventName>(event: E, payload: EventPayload<E>, timeoutMs = 10_000): Promise<EventResult<E>> {
    // Socket.IO's typings cannot pair an event name that is a type parameter with its arguments:
    // `send`'s own signature types them from the protocol's map, and the socket sends them as they are.
    const wire: Socket = this.socket;
    const once = () =>
      new Promise<AckResult<EventResult<E>>>((resolve) =>
        wire
          .timeout(timeoutMs)
          .emit(event, payload, (err: Error | null, ack: AckResult<EventResult<E>>) =>
            resolve(err ? { ok: false, error: { code: "NETWORK", message: "The connection to the class was interrupted." } } : ack),
          ),
      );
    let reply = await once();
    if (!reply.ok && reply.error.code === "TOKEN_EXPIRED") {
      const token = await api.token();
      if (token) await new Promise((res) => this.socket.emit("auth-renew", { token }, res));
      reply = await once();
    }
    if (!reply.ok) throw new SocketError(reply.error.code, reply.error.message);
    return reply;
  }

  /** Leaves on purpose (the Leave button). */
  async leave() {
    try {
      if (this.socket.connected) await this.send("leave-room", { roomId: this.roomId }, 3000);
    } catch {
      /* leaving anyway */
    }
    this.finish({ type: "left" });
  }

  close() {
    this.closed = true;
    this.offSession();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private finish(action: RoomAction) {
    this.dispatch(action);
    this.close();
  }

  private async join() {
    try {
      const result = await this.send("join-room", { roomId: this.roomId });
      const rejoin = this.joinedOnce;
      this.joinedOnce = true;
      this.dispatch({ type: "joined", result, userId: this.userId });
      if (rejoin) this.onRejoined?.();
    } catch (err) {
      const error: ErrorBody = err instanceof SocketError ? { code: err.code, message: err.message } : { code: "NETWORK", message: String(err) };
      if (error.code === "WAITING_FOR_HOST") return this.dispatch({ type: "waiting" });
      if (error.code === "NETWORK") return; // the socket will reconnect and join again
      this.dispatch({ type: "failed", error });
      if (FINAL_JOIN_CODES.has(error.code)) this.close();
    }
  }
}
