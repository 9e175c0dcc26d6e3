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
  /**
   * Lets the socket's next events run while this handler still works (its ack comes later): for
   * a handler that orders its own work (the board's merged stroke writes). Called or not, the
   * next events run once the handler is done.
   */
  release(): void;
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
export function defineClassroomHandlers(define: DefineHandler): void {
  define("join-room", async (ctx, { roomId }) => {
    const { data, session, classroom } = ctx;
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
  define(
    "leave-room",
    async (ctx, { roomId }) => {
      const { data, session, classroom } = ctx;
      if (data.waitingRoomId && (roomId === undefined || roomId === data.waitingRoomId) && !data.participantId) {
        await classroom.waitingDropped(session.socketId, data.waitingRoomId, session.user.id);
        data.waitingRoomId = undefined;
        return;
      }
      const participant = await ctx.member(roomId);
      await classroom.leave(session, participant.roomId, participant.id);
      data.roomId = data.participantId = undefined;
    },
    { allowExpiredToken: true },
  );
  define("get-room-info", async (ctx, { roomId }) => ctx.classroom.roomInfo(await ctx.member(roomId)));
  define("get-participants", async (ctx, { roomId }) => {
    const participant = await ctx.member(roomId);
    return { participants: await ctx.classroom.participants(participant.roomId) };
  });

  define("webrtc-offer", async (ctx, { roomId, to, description }) => ctx.controls.relay(await ctx.member(roomId), "webrtc-offer", to, { description }));
  define("webrtc-answer", async (ctx, { roomId, to, description }) => ctx.controls.relay(await ctx.member(roomId), "webrtc-answer", to, { description }));
  define("ice-candidate", async (ctx, { roomId, to, candidate }) => ctx.controls.relay(await ctx.member(roomId), "ice-candidate", to, { candidate }));

  define("raise-hand", async (ctx, { roomId }) => ctx.controls.raiseHand(await ctx.member(roomId)));
  define("lower-hand", async (ctx, { roomId, participantId }) => ctx.controls.lowerHand(await ctx.member(roomId), participantId));

  define("promote", async (ctx, { roomId, participantId }) => ({
    participant: await ctx.controls.setRole(await ctx.member(roomId), participantId, "presenter"),
  }));
  define("demote", async (ctx, { roomId, participantId }) => ({ participant: await ctx.controls.setRole(await ctx.member(roomId), participantId, "student") }));
  define("mute-participant", async (ctx, { roomId, participantId }) => ctx.controls.mute(await ctx.member(roomId), participantId));
  define("remove-participant", async (ctx, { roomId, participantId }) => ctx.controls.remove(await ctx.member(roomId), participantId));
  define("admit", async (ctx, { roomId, userId }) => ctx.controls.admit(await ctx.member(roomId), userId));
  define("reject", async (ctx, { roomId, userId }) => ctx.controls.reject(await ctx.member(roomId), userId));
  define("update-room-settings", async (ctx, { roomId, settings }) => ({ room: await ctx.controls.updateSettings(await ctx.member(roomId), settings) }));
  define("end-room", async (ctx, { roomId }) => {
    await ctx.controls.end(await ctx.member(roomId));
    ctx.data.roomId = ctx.data.participantId = undefined;
  });

  define("chat-send", async (ctx, { roomId, text }) => ({ message: await ctx.controls.chatSend(await ctx.member(roomId), text) }));
  define("chat-delete", async (ctx, { roomId, messageId }) => ctx.controls.chatDelete(await ctx.member(roomId), messageId));

  define(
    "auth-renew",
    async (ctx, { token }) => {
      const { user, expiresAt } = await ctx.renewToken(token);
      if (user.id !== ctx.data.user.id) throw new AppError("FORBIDDEN", "The new token belongs to another account; reconnect instead");
      ctx.data.user = user;
      ctx.session.user = user;
      ctx.data.tokenExpiresAt = expiresAt;
      return { expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
    },
    { allowExpiredToken: true },
  );
}
