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
    private readonly dispatch: (a: RoomAction) => void,
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
    const s = this.socket;
    s.on("connect", () => void this.join());
    s.on("disconnect", (reason) => {
      if (this.closed) return;
      dispatch({ type: "reconnecting" });
      // The server closed us on purpose (e.g. after removal): reconnect by hand unless the class is over.
      if (reason === "io server disconnect") setTimeout(() => !this.closed && s.connect(), 1000);
    });
    s.on("connect_error", (err) => {
      if (this.closed) return;
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code && AUTH_CODES.has(code)) {
        // Refresh the session, then try again; a refused refresh signs the person out.
        void api.refresh().then((ok) => ok && !this.closed && setTimeout(() => s.connect(), 300));
      } else if (code) {
        dispatch({ type: "failed", error: { code, message: err.message } });
      } else if (this.joinedOnce) dispatch({ type: "reconnecting" });
    });

    s.on("participant-joined", (e) => dispatch({ type: "participant-joined", participant: e.participant }));
    s.on("participant-updated", (e) => dispatch({ type: "participant-updated", participant: e.participant }));
    s.on("participant-left", (e) => dispatch({ type: "participant-left", participantId: e.participantId }));
    s.on("hand-queue", (e) => dispatch({ type: "hand-queue", queue: e.queue }));
    s.on("waiting-updated", (e) => dispatch({ type: "waiting-updated", waiting: e.waiting }));
    s.on("room-updated", (e) => dispatch({ type: "room-updated", room: e.room }));
    s.on("room-ended", () => this.finish({ type: "room-ended" }));
    s.on("removed", () => this.finish({ type: "removed" }));
    // An admin disabled the account: the class is over for this person. (A role change needs
    // nothing here: the server disconnects, and the reconnect joins again with the new role.)
    s.on("session-ended", (e) => {
      if (e.reason === "account-disabled") this.finish({ type: "failed", error: { code: "ACCOUNT_DISABLED", message: e.message } });
    });
    s.on("rejected", () => this.finish({ type: "rejected" }));
    s.on("session-replaced", () => this.finish({ type: "replaced" }));
    s.on("admitted", () => void this.join());
    s.on("muted", (e) => dispatch({ type: "muted", by: e.byName || "The teacher" }));
    s.on("chat-message", (e) => dispatch({ type: "chat-message", message: e.message }));
    s.on("chat-deleted", (e) => dispatch({ type: "chat-deleted", messageId: e.messageId }));
    s.on("recording-started", (e) => dispatch({ type: "recording", recording: { id: e.recordingId, startedAt: e.startedAt } }));
    s.on("recording-stopped", () => dispatch({ type: "recording", recording: null }));

    // Keep the live socket's token current when the page refreshes its session.
    this.offSession = api.subscribe((e) => {
      if (e.type !== "signed-out" && s.connected) void api.token().then((t) => t && s.emit("auth-renew", { token: t }, () => {}));
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
          .emit(event, payload, (err: Error | null, r: AckResult<EventResult<E>>) =>
            resolve(err ? { ok: false, error: { code: "NETWORK", message: "The connection to the class was interrupted." } } : r),
          ),
      );
    let r = await once();
    if (!r.ok && r.error.code === "TOKEN_EXPIRED") {
      const t = await api.token();
      if (t) await new Promise((res) => this.socket.emit("auth-renew", { token: t }, res));
      r = await once();
    }
    if (!r.ok) throw new SocketError(r.error.code, r.error.message);
    return r;
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

  private finish(a: RoomAction) {
    this.dispatch(a);
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
      const e: ErrorBody = err instanceof SocketError ? { code: err.code, message: err.message } : { code: "NETWORK", message: String(err) };
      if (e.code === "WAITING_FOR_HOST") return this.dispatch({ type: "waiting" });
      if (e.code === "NETWORK") return; // the socket will reconnect and join again
      this.dispatch({ type: "failed", error: e });
      if (FINAL_JOIN_CODES.has(e.code)) this.close();
    }
  }
}
