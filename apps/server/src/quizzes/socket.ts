import { AppError } from "../errors/index.js";
import type { HandlerContext, LiveParticipant, SignallingServer } from "../signalling/index.js";
import type { QuizService } from "./service.js";

const isManager = (participant: LiveParticipant) => participant.role === "host" || participant.role === "presenter";

/** The caller, in the room, as a manager of its quizzes (host or presenter); NOT_ALLOWED_TO_MANAGE_QUIZZES otherwise. */
async function manager(ctx: HandlerContext, roomId: string): Promise<LiveParticipant> {
  const participant = await ctx.member(roomId);
  if (!isManager(participant)) throw new AppError("NOT_ALLOWED_TO_MANAGE_QUIZZES");
  return participant;
}

/** The quiz events of the classroom (`quiz-*`): the host and presenters run quizzes, students submit, everyone lists. */
export function defineQuizHandlers(signalling: SignallingServer, quizzes: QuizService): void {
  const define = signalling.defineHandler.bind(signalling);

  define("quiz-create", async (ctx, { roomId, quiz, open }) => {
    const me = await manager(ctx, roomId);
    return { quiz: await quizzes.create(me.roomId, me.userId, quiz, open ?? false) };
  });
  define("quiz-open", async (ctx, { roomId, quizId }) => {
    const me = await manager(ctx, roomId);
    return { quiz: await quizzes.open(me.roomId, quizId) };
  });
  define("quiz-close", async (ctx, { roomId, quizId }) => {
    const me = await manager(ctx, roomId);
    return quizzes.close(me.roomId, quizId);
  });
  define("quiz-delete", async (ctx, { roomId, quizId }) => {
    const me = await manager(ctx, roomId);
    await quizzes.delete(me.roomId, quizId);
  });
  define("quiz-submit", async (ctx, { roomId, quizId, answers }) => {
    const me = await ctx.member(roomId);
    if (isManager(me)) throw new AppError("FORBIDDEN", "The teacher and speakers run quizzes; students answer them");
    return { submission: await quizzes.submit(me.roomId, me.userId, quizId, answers) };
  });
  define("quiz-list", async (ctx, { roomId }) => {
    const me = await ctx.member(roomId);
    return { quizzes: await quizzes.list(me.roomId, { userId: me.userId, manager: isManager(me) }) };
  });
}
