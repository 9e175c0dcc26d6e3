import type { HandlerContext, SignallingServer } from "../signalling/index.js";
import type { BoardActor, BoardService } from "./service.js";

/** The caller as a participant of the room (NOT_IN_ROOM otherwise), with the socket broadcasts skip. */
async function actor(ctx: HandlerContext, roomId: string): Promise<BoardActor & { roomId: string }> {
  const me = await ctx.member(roomId);
  return { roomId: me.roomId, userId: me.userId, name: me.name, role: me.role, socketId: ctx.session.socketId };
}

/**
 * The board events of the classroom (`board-*`): every member reads the stage and pages; the
 * host or the presenter presents, turns, clears and adds pages; drawers (per the stage's policy)
 * draw and point; the host changes the settings. The service checks each permission.
 */
export function defineBoardHandlers(signalling: SignallingServer, board: BoardService): void {
  const define = signalling.defineHandler.bind(signalling);

  define("board-state", async (ctx, { roomId }) => {
    const me = await actor(ctx, roomId);
    return { stage: await board.stage(me.roomId) };
  });
  define("board-page", async (ctx, { roomId, surfaceId, page }) => {
    const me = await actor(ctx, roomId);
    return board.page(me.roomId, surfaceId, page);
  });
  define("board-present", async (ctx, { roomId, surfaceId, page }) => {
    const me = await actor(ctx, roomId);
    return { stage: await board.present(me, me.roomId, surfaceId, page) };
  });
  define("board-turn", async (ctx, { roomId, page }) => {
    const me = await actor(ctx, roomId);
    return { stage: await board.turn(me, me.roomId, page) };
  });
  define("board-draw", async (ctx, { roomId, surfaceId, page, elements }) => {
    const me = await actor(ctx, roomId);
    return board.draw(me, me.roomId, surfaceId, page, elements, () => ctx.release());
  });
  define("board-clear", async (ctx, { roomId, surfaceId, page }) => {
    const me = await actor(ctx, roomId);
    return board.clear(me, me.roomId, surfaceId, page);
  });
  define("board-pointer", async (ctx, payload) => {
    const me = await actor(ctx, payload.roomId);
    await board.pointer(me, { ...payload, roomId: me.roomId });
  });
  define("board-settings", async (ctx, { roomId, ...changes }) => {
    const me = await actor(ctx, roomId);
    return { stage: await board.settings(me, me.roomId, changes) };
  });
  define("board-add-page", async (ctx, { roomId }) => {
    const me = await actor(ctx, roomId);
    return { stage: await board.addPage(me, me.roomId) };
  });
}
