import { AppError } from "../errors/index.js";
import type { HandlerContext, LiveParticipant, SignallingServer } from "../signalling/index.js";
import type { BreakoutActivity } from "./activity.js";
import type { BreakoutBoards } from "./board.js";
import type { BreakoutBroadcast } from "./broadcast.js";
import type { BreakoutService } from "./service.js";

/** The caller, in the class, as a host (NOT_ALLOWED_TO_MANAGE_BREAKOUTS otherwise). */
async function host(ctx: HandlerContext, roomId: string): Promise<LiveParticipant> {
  const me = await ctx.member(roomId);
  if (me.role !== "host") throw new AppError("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
  return me;
}

/** The `breakout-*` events: the host runs the groups; everyone in the class takes part. */
export function defineBreakoutHandlers(
  signalling: Pick<SignallingServer, "defineHandler">,
  groups: BreakoutService,
  activity: BreakoutActivity,
  voice: BreakoutBroadcast,
  boards: BreakoutBoards,
): void {
  const define = signalling.defineHandler.bind(signalling);

  define("breakout-open", async (ctx, payload) => {
    const me = await host(ctx, payload.roomId);
    await boards.checkMaterials(me.roomId, payload.groups);
    return { state: await groups.open(me, payload) };
  });
  define("breakout-close", async (ctx, { roomId, countdownSeconds }) => {
    const me = await host(ctx, roomId);
    return { state: await groups.close(me.roomId, countdownSeconds, "host") };
  });
  define("breakout-move", async (ctx, { roomId, userId, groupId }) => {
    const me = await host(ctx, roomId);
    return { state: await groups.move(me.roomId, userId, groupId) };
  });
  define("breakout-join", async (ctx, { roomId, groupId }) => groups.join(await ctx.member(roomId), groupId));
  define("breakout-leave", async (ctx, { roomId }) => groups.leave(await ctx.member(roomId)));
  define("breakout-state", async (ctx, { roomId }) => ({ state: await groups.state((await ctx.member(roomId)).roomId) }));
  define("breakout-chat-send", async (ctx, { roomId, text }) => ({ message: await activity.chat(await ctx.member(roomId), text) }));
  define("breakout-hand", async (ctx, { roomId, raised, participantId }) => activity.hand(await ctx.member(roomId), raised, participantId));
  define("breakout-help", async (ctx, { roomId, on }) => activity.help(await ctx.member(roomId), on));
  define("breakout-broadcast", async (ctx, { roomId, text }) => activity.broadcast(await host(ctx, roomId), text));
  define("breakout-broadcast-audio", async (ctx, { roomId, on }) => ({ state: await voice.set(await host(ctx, roomId), on) }));
  define("breakout-history", async (ctx, { roomId }) => ({ groups: await activity.history((await ctx.member(roomId)).roomId) }));
  define("breakout-show", async (ctx, { roomId, groupId }) => ({ group: await activity.show((await host(ctx, roomId)).roomId, groupId) }));
  // Each group's board: the service checks who is in which group.
  define("breakout-board-page", async (ctx, { roomId, groupId, page }) => boards.page(await ctx.member(roomId), groupId, page));
  define("breakout-board-draw", async (ctx, { roomId, groupId, page, elements }) => {
    const me = await ctx.member(roomId);
    return boards.draw({ ...me, socketId: ctx.session.socketId }, groupId, page, elements);
  });
  define("breakout-board-show", async (ctx, { roomId, groupId, page }) => boards.show(await host(ctx, roomId), groupId, page));
}
