import type { ClientEventName, EventPayload, EventResult } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { Classroom, Session } from "./Classroom.js";
import type { ClassroomControls } from "./ClassroomControls.js";
import type { LiveParticipant } from "./state/index.js";

/** What the server keeps on each socket. roomId/participantId are a hint, checked against the live state. */
export interface SocketData {
  user: AuthUser;
  /** Epoch ms when the access token expires (null: unknown). */
  tokenExpiresAt: number | null;
  roomId?: string;
  participantId?: string;
  /** Set while this socket waits in a room's waiting room. */
  waitingRoomId?: string;
  /** Set when the account's access changed and this socket is being disconnected. */
  revoked?: "account-disabled" | "role-changed";
}

export interface HandlerContext {
  session: Session;
  data: SocketData;
  classroom: Classroom;
  controls: ClassroomControls;
  /** The caller's participant; NOT_IN_ROOM when not (or no longer) in a room. */
  member(requestedRoomId?: string): Promise<LiveParticipant>;
  /** Checks a new access token and returns its user and expiry. */
  renewToken(token: string): Promise<{ user: AuthUser; expiresAt: number | null }>;
}

/** The fields a handler answers (besides `ok: true`); nothing at all for an event whose result is empty. */
// biome-ignore lint/suspicious/noConfusingVoidType: a return type; void lets a handler with an empty result be an async function that returns nothing
export type HandlerResult<E extends ClientEventName> = Record<never, never> extends EventResult<E> ? EventResult<E> | void : EventResult<E>;

export interface HandlerOptions {
  /** Runs even with an expired access token (auth-renew, leave-room). */
  allowExpiredToken?: boolean;
}

/**
 * One client event: what it does with its payload, already checked against the event's schema
 * in the protocol (`ClientEvents[event].payload`). `run` returns the ack's fields; a thrown
 * AppError becomes `{ ok: false, error }`.
 */
export interface SocketHandler<E extends ClientEventName = ClientEventName> extends HandlerOptions {
  event: E;
  run(ctx: HandlerContext, payload: EventPayload<E>): Promise<HandlerResult<E>>;
}

/** Registers the handler of a client event (`SignallingServer.defineHandler`): at most one per event. */
export type DefineHandler = <E extends ClientEventName>(event: E, run: SocketHandler<E>["run"], options?: HandlerOptions) => void;

/** The classroom's events (the media events are defined by the media layer, `add-marker` by recording). */
export function defineClassroomHandlers(h: DefineHandler): void {
  h("join-room", async (c, { roomId }) => {
    const { data, session, classroom } = c;
    if (data.waitingRoomId && data.waitingRoomId !== roomId) {
      await classroom.waitingDropped(session.socketId, data.waitingRoomId, session.user.id);
      data.waitingRoomId = undefined;
    }
    if (data.roomId && data.participantId && data.roomId !== roomId) {
      await classroom.leave(session, data.roomId, data.participantId);
      data.roomId = data.participantId = undefined;
    }
    try {
      const result = await classroom.join(session, roomId);
      data.roomId = result.room.id;
      data.participantId = result.participantId;
      data.waitingRoomId = undefined;
      return result;
    } catch (err) {
      if (err instanceof AppError && err.code === "WAITING_FOR_HOST") data.waitingRoomId = roomId;
      throw err;
    }
  });
  h(
    "leave-room",
    async (c, { roomId }) => {
      const { data, session, classroom } = c;
      if (data.waitingRoomId && (roomId === undefined || roomId === data.waitingRoomId) && !data.participantId) {
        await classroom.waitingDropped(session.socketId, data.waitingRoomId, session.user.id);
        data.waitingRoomId = undefined;
        return;
      }
      const p = await c.member(roomId);
      await classroom.leave(session, p.roomId, p.id);
      data.roomId = data.participantId = undefined;
    },
    { allowExpiredToken: true },
  );
  h("get-room-info", async (c, { roomId }) => c.classroom.roomInfo(await c.member(roomId)));
  h("get-participants", async (c, { roomId }) => {
    const p = await c.member(roomId);
    return { participants: await c.classroom.participants(p.roomId) };
  });

  h("webrtc-offer", async (c, { roomId, to, description }) => c.controls.relay(await c.member(roomId), "webrtc-offer", to, { description }));
  h("webrtc-answer", async (c, { roomId, to, description }) => c.controls.relay(await c.member(roomId), "webrtc-answer", to, { description }));
  h("ice-candidate", async (c, { roomId, to, candidate }) => c.controls.relay(await c.member(roomId), "ice-candidate", to, { candidate }));

  h("raise-hand", async (c, { roomId }) => c.controls.raiseHand(await c.member(roomId)));
  h("lower-hand", async (c, { roomId, participantId }) => c.controls.lowerHand(await c.member(roomId), participantId));

  h("promote", async (c, { roomId, participantId }) => ({ participant: await c.controls.setRole(await c.member(roomId), participantId, "presenter") }));
  h("demote", async (c, { roomId, participantId }) => ({ participant: await c.controls.setRole(await c.member(roomId), participantId, "student") }));
  h("mute-participant", async (c, { roomId, participantId }) => c.controls.mute(await c.member(roomId), participantId));
  h("remove-participant", async (c, { roomId, participantId }) => c.controls.remove(await c.member(roomId), participantId));
  h("admit", async (c, { roomId, userId }) => c.controls.admit(await c.member(roomId), userId));
  h("reject", async (c, { roomId, userId }) => c.controls.reject(await c.member(roomId), userId));
  h("update-room-settings", async (c, { roomId, settings }) => ({ room: await c.controls.updateSettings(await c.member(roomId), settings) }));
  h("end-room", async (c, { roomId }) => {
    await c.controls.end(await c.member(roomId));
    c.data.roomId = c.data.participantId = undefined;
  });

  h("chat-send", async (c, { roomId, text }) => ({ message: await c.controls.chatSend(await c.member(roomId), text) }));
  h("chat-delete", async (c, { roomId, messageId }) => c.controls.chatDelete(await c.member(roomId), messageId));

  h(
    "auth-renew",
    async (c, { token }) => {
      const { user, expiresAt } = await c.renewToken(token);
      if (user.id !== c.data.user.id) throw new AppError("FORBIDDEN", "The new token belongs to another account; reconnect instead");
      c.data.user = user;
      c.session.user = user;
      c.data.tokenExpiresAt = expiresAt;
      return { expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
    },
    { allowExpiredToken: true },
  );
}
