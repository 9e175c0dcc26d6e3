import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import type { LiveState, SignallingServer } from "../signalling/index.js";
import { QuizLive } from "./live.js";
import { QuizzesRepo } from "./repo.js";
import { QuizService } from "./service.js";
import { defineQuizHandlers } from "./socket.js";

export { QuizService, type QuizScores, type QuizViewer } from "./service.js";
export { quizRoutes } from "./routes.js";
export type { QuizTables } from "./tables.js";

/**
 * Quizzes in class: the service (with its live events through signalling's Broadcaster) and the
 * `quiz-*` socket events. `start` closes the quizzes past their timer or deadline while no server
 * watched and keeps timers; `stop` stops them. Ending a class closes its in-class quizzes.
 */
export function createQuizzes(deps: { db: DB; signalling: SignallingServer; state: LiveState; log: Logger }): QuizService {
  const log = deps.log.child({ module: "quizzes" });
  const live = new QuizLive(deps.signalling.out, deps.state, (roomId, quizId) => service.currentResults(roomId, quizId), log);
  const service = new QuizService(new QuizzesRepo(deps.db), live, log);
  defineQuizHandlers(deps.signalling, service);
  deps.signalling.hooks.on("room-ended", ({ roomId }) => service.classEnded(roomId));
  return service;
}
