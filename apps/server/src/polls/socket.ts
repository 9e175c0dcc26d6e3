import { AppError } from "../errors/index.js";
import type { HandlerContext, LiveParticipant, SignallingServer } from "../signalling/index.js";
import type { PollService } from "./service.js";

const isManager = (participant: LiveParticipant) => participant.role === "host" || participant.role === "presenter";

/** The caller, in the room, as a manager of its polls (host or presenter); NOT_ALLOWED_TO_MANAGE_POLLS otherwise. */
async function manager(ctx: HandlerContext, roomId: string): Promise<LiveParticipant> {
  const participant = await ctx.member(roomId);
  if (!isManager(participant)) throw new AppError("NOT_ALLOWED_TO_MANAGE_POLLS");
  return participant;
}

/**
 * The poll events of the classroom (`poll-*`), for the people in the room: the host and
 * presenters run polls, students answer them, everyone lists them.
 */
export function definePollHandlers(signalling: SignallingServer, polls: PollService): void {
  const define = signalling.defineHandler.bind(signalling);

  define("poll-create", async (ctx, { roomId, poll, open }) => {
    const me = await manager(ctx, roomId);
    return { poll: await polls.create(me.roomId, me.userId, poll, open ?? false) };
  });
  define("poll-open", async (ctx, { roomId, pollId }) => {
    const me = await manager(ctx, roomId);
    return { poll: await polls.open(me.roomId, pollId) };
  });
  define("poll-close", async (ctx, { roomId, pollId }) => {
    const me = await manager(ctx, roomId);
    return polls.close(me.roomId, pollId);
  });
  define("poll-publish", async (ctx, { roomId, pollId }) => {
    const me = await manager(ctx, roomId);
    return { poll: await polls.publish(me.roomId, pollId) };
  });
  define("poll-rerun", async (ctx, { roomId, pollId }) => {
    const me = await manager(ctx, roomId);
    return { poll: await polls.rerun(me.roomId, pollId, me.userId) };
  });
  define("poll-delete", async (ctx, { roomId, pollId }) => {
    const me = await manager(ctx, roomId);
    await polls.deleteDraft(me.roomId, pollId);
  });
  define("poll-answer", async (ctx, { roomId, pollId, choices, text }) => {
    const me = await ctx.member(roomId);
    if (isManager(me)) throw new AppError("FORBIDDEN", "The teacher and speakers run polls; students answer them");
    return { answer: await polls.answer(me.roomId, { userId: me.userId, name: me.name }, { pollId, choices, text }) };
  });
  define("poll-list", async (ctx, { roomId }) => {
    const me = await ctx.member(roomId);
    return { polls: await polls.list(me.roomId, { userId: me.userId, manager: isManager(me) }) };
  });
}
