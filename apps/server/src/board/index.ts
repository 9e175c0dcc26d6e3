import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import type { SignallingServer } from "../signalling/index.js";
import { BoardLive } from "./live.js";
import { BoardRepo } from "./repo.js";
import { BoardHistory } from "./history.js";
import { BoardService, type MaterialPages } from "./service.js";
import { defineBoardHandlers } from "./socket.js";

export { BoardService, mayDraw, stampAndDedupe, wins, type BoardActor, type MaterialPages } from "./service.js";
export { boardRoutes } from "./routes.js";
export { boardReplay } from "./replay.js";
export { BoardHistory };

/** The board's history from the database alone (a processing-only worker has nothing live). */
export function boardHistory(db: DB): BoardHistory {
  return new BoardHistory(new BoardRepo(db));
}

/** A material's page count is cached this long (it never changes; a deleted material's drawings fail on the foreign key). */
const MATERIAL_CACHE_MS = 10_000;

/** The materials' page counts, read from class_materials and cached briefly (every stroke asks). */
export function materialPagesFromTable(repo: Pick<BoardRepo, "materialPages">): MaterialPages {
  const cache = new Map<string, { roomId: string; pages: number; at: number }>();
  return {
    async pagesOf(roomId, materialId, fresh) {
      const hit = cache.get(materialId);
      if (!fresh && hit && hit.roomId === roomId && Date.now() - hit.at < MATERIAL_CACHE_MS) return hit.pages;
      const pages = await repo.materialPages(roomId, materialId);
      if (pages === undefined) {
        cache.delete(materialId);
        return undefined;
      }
      if (cache.size > 5_000) cache.clear();
      cache.set(materialId, { roomId, pages, at: Date.now() });
      return pages;
    },
  };
}

/**
 * The class board: the service (stage, elements with last-writer-wins and a per-room seq from
 * the database, the history) with its live events through signalling's Broadcaster, and the
 * `board-*` socket events. The door for others: `pageElementsOfSurface` (the annotated-PDF
 * export), `boardOpsBetween` / `boardAt` (the recording's replay), `clearAll`.
 * The stage stays as it is when the class ends (the next session continues); nothing to stop.
 */
export function createBoard(deps: { db: DB; signalling: SignallingServer; log: Logger; materials?: MaterialPages }): BoardService {
  const log = deps.log.child({ module: "board" });
  const repo = new BoardRepo(deps.db);
  const service = new BoardService(repo, new BoardLive(deps.signalling.out), deps.materials ?? materialPagesFromTable(repo), log);
  defineBoardHandlers(deps.signalling, service);
  return service;
}
