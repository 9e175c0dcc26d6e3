import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import type { LiveState, SignallingServer } from "../signalling/index.js";
import { PollLive } from "./live.js";
import { PollsRepo } from "./repo.js";
import { PollService } from "./service.js";
import { definePollHandlers } from "./socket.js";

export { PollService, type PollRecord, type PollViewer, type PollVoter } from "./service.js";
export { pollRoutes } from "./routes.js";
export type { PollTables } from "./tables.js";

/**
 * Polls in class: the service (with its live events through signalling's Broadcaster) and the
 * `poll-*` socket events. `start` closes the timed polls that ran out while no server watched
 * and keeps a timer for the open ones; `stop` stops the timers. Ending a class closes its open polls.
 */
export function createPolls(deps: { db: DB; signalling: SignallingServer; state: LiveState; secret: string; log: Logger }): PollService {
  const log = deps.log.child({ module: "polls" });
  // The live side reads the poll again when coalesced results go out (the service is built just below).
  const live = new PollLive(deps.signalling.out, deps.state, (roomId, pollId) => service.current(roomId, pollId), log);
  const service = new PollService(new PollsRepo(deps.db), live, deps.secret, log);
  definePollHandlers(deps.signalling, service);
  deps.signalling.hooks.on("room-ended", ({ roomId }) => service.classEnded(roomId));
  return service;
}
