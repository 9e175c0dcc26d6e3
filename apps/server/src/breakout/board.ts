import { BOARD_WHITEBOARD, type BoardElement, type BreakoutBoardDto } from "@vtp/protocol";
import { stampAndDedupe } from "../board/service.js";
import { AppError } from "../errors/index.js";
import type { LiveParticipant } from "../signalling/index.js";
import type { BoardGroupRow, BreakoutBoardRepo } from "./boardRepo.js";
import type { BreakoutDeps } from "./service.js";

const groupNotFound = () => new AppError("BREAKOUT_GROUP_NOT_FOUND", "This group does not exist");
const notYours = () => new AppError("NOT_IN_THIS_GROUP", "Only the group's members see and draw on its board");

/**
 * Each group's own board (issue 16): the document the teacher picked for the group (or a
 * whiteboard of its own), drawn on by the people in the group, kept with the group afterwards
 * (breakout_board_elements) and shown to the whole class by a host. Who: a student reads and draws
 * only on the board of the group they are in right now; a host (co-teachers too) reads any group's
 * board of the class, open or kept, and draws on an open group's. Drawings follow the class
 * board's rules (element size and content checks, the author stamped, last-writer-wins per element).
 */
export class BreakoutBoards {
  constructor(
    private readonly deps: BreakoutDeps,
    private readonly repo: BreakoutBoardRepo,
  ) {}

  /** Every picked material is one of the class's (MATERIAL_NOT_FOUND otherwise): checked before the groups open. */
  async checkMaterials(roomId: string, groups: { materialId?: string | null }[]): Promise<void> {
    for (const materialId of new Set(groups.map((g) => g.materialId).filter((id): id is string => !!id)))
      if ((await this.repo.materialPages(roomId, materialId)) === undefined)
        throw new AppError("MATERIAL_NOT_FOUND", "A material picked for a group is not one of this class's");
  }

  /** The group, if the caller may read its board; `draw`: may draw on it (the groups are open). */
  private async allowed(me: LiveParticipant, groupId: string, draw: boolean): Promise<BoardGroupRow> {
    const record = await this.deps.store.get(me.roomId);
    const open = record?.groups.some((g) => g.id === groupId) ?? false;
    if (me.role !== "host") {
      // A student: the group they are in now (their placement), while it is open.
      if (!open || record?.placement[me.userId] !== groupId) throw notYours();
    }
    const group = await this.repo.group(me.roomId, groupId);
    if (!group) throw groupNotFound();
    if (draw && !open) throw new AppError("BREAKOUT_NOT_OPEN", "This group is closed: its board is kept as it was");
    return group;
  }

  private async describe(group: BoardGroupRow): Promise<BreakoutBoardDto> {
    const pages = group.materialId ? await this.repo.materialPages(group.roomId, group.materialId) : undefined;
    // A picked material deleted since: the group's board is a whiteboard.
    return {
      groupId: group.id,
      groupName: group.name,
      surfaceId: pages === undefined ? BOARD_WHITEBOARD : (group.materialId as string),
      pages: pages ?? 1,
      seq: group.seq,
    };
  }

  private async pageOf(group: BoardGroupRow, page: number): Promise<{ board: BreakoutBoardDto; page: number; elements: BoardElement[] }> {
    const board = await this.describe(group);
    if (page > board.pages)
      throw new AppError("BOARD_PAGE_OUT_OF_RANGE", `Page ${page} does not exist (there ${board.pages === 1 ? "is 1 page" : `are ${board.pages} pages`})`);
    return { board, page, elements: await this.repo.pageElements(group.id, page) };
  }

  async page(me: LiveParticipant, groupId: string, page: number) {
    return this.pageOf(await this.allowed(me, groupId, false), page);
  }

  /** Elements onto a page of the group's board; the winners go to the group (not the sender's socket). */
  async draw(me: LiveParticipant, groupId: string, page: number, elements: BoardElement[]): Promise<{ seq: number; accepted: number }> {
    const group = await this.allowed(me, groupId, true);
    const board = await this.describe(group);
    if (page > board.pages) throw new AppError("BOARD_PAGE_OUT_OF_RANGE", `Page ${page} does not exist`);
    const batch = stampAndDedupe(elements, { userId: me.userId, name: me.name, role: me.role });
    const { seq, accepted } = await this.repo.draw(groupId, page, me.userId, batch);
    if (accepted.length > 0)
      this.deps.signalling.out.toRoom(
        groupId,
        "breakout-board-elements",
        { roomId: me.roomId, groupId, page, elements: accepted, seq, authorId: me.userId },
        me.socketId,
      );
    return { seq, accepted: accepted.length };
  }

  /** A host shows a page of a group's board (open or kept) to the whole class. */
  async show(host: LiveParticipant, groupId: string, page = 1) {
    const group = await this.repo.group(host.roomId, groupId);
    if (!group) throw groupNotFound();
    const shown = await this.pageOf(group, page);
    this.deps.signalling.out.toRoom(host.roomId, "breakout-board-shown", { roomId: host.roomId, ...shown });
    return shown;
  }
}
