import type { BoardElement, BoardStageDto } from "@vtp/protocol";
import type { BoardOpRow, BoardRepo } from "./repo.js";
import { DEFAULT_STAGE } from "./repo.js";

/** The board as it was at a moment: the stage then, and every non-empty page. */
export interface BoardAt {
  stage: BoardStageDto | null;
  pages: { surfaceId: string; page: number; elements: BoardElement[] }[];
}

/**
 * The board's history, read only: what the recording's replay and its composed video need. It
 * needs nothing live, so a processing-only worker (`vtp worker`) builds it from the database alone.
 */
export class BoardHistory {
  constructor(private readonly repo: Pick<BoardRepo, "opsBetween" | "stageBefore" | "elementsBefore" | "materialsByIds">) {}

  /** The history in [from, to] (ISO date-times), in seq order. */
  boardOpsBetween(roomId: string, fromIso: string, toIso: string): Promise<BoardOpRow[]> {
    return this.repo.opsBetween(roomId, new Date(fromIso), new Date(toIso));
  }

  /** The class's documents among `ids` (surface ids that are not the whiteboard), with titles and pages. */
  materialsOf(roomId: string, ids: string[]): Promise<{ id: string; title: string; pages: number }[]> {
    const uuids = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    return this.repo.materialsByIds(roomId, uuids);
  }

  /** The board as it was at `atIso` (the replay's start). */
  async boardAt(roomId: string, atIso: string): Promise<BoardAt> {
    const at = new Date(atIso);
    const stage = await this.repo.stageBefore(roomId, at);
    const pages = new Map<string, BoardAt["pages"][number]>();
    for (const row of await this.repo.elementsBefore(roomId, at)) {
      const key = `${row.surfaceId}/${row.page}`;
      const entry = pages.get(key) ?? { surfaceId: row.surfaceId, page: row.page, elements: [] };
      entry.elements.push(row.element);
      pages.set(key, entry);
    }
    return { stage: stage ? { ...DEFAULT_STAGE, seq: 0, ...stage, roomId } : null, pages: [...pages.values()] };
  }
}
