import type { Logger } from "pino";
import {
  BOARD_ELEMENT_JSON_MAX,
  BOARD_PAGES_MAX,
  BOARD_WHITEBOARD,
  type BoardElement,
  type BoardPointerPayload,
  type BoardSettingsPayload,
  type BoardStageDto,
  type RoomRole,
} from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { DrawCoalescer, type DrawWritten } from "./coalesce.js";
import { type BoardAt, BoardHistory } from "./history.js";
import type { BoardLive } from "./live.js";
import type { BoardOpRow, BoardRepo, StageRow, StoredStage } from "./repo.js";
import { DEFAULT_STAGE, isForeignKeyViolation } from "./repo.js";
import { type DeferredDraw, elementKey, StrokeHistory } from "./strokeHistory.js";

/** Who acts on the board: a participant of the class. */
export interface BoardActor {
  userId: string;
  name: string;
  role: RoomRole;
  /** The caller's socket (broadcasts skip it). */
  socketId?: string;
}

/** The page count of a material of the class (the materials' table), undefined when it is not one of the room's. */
export interface MaterialPages {
  /** `fresh`: not from a cache (a material deleted a moment ago is gone). */
  pagesOf(roomId: string, materialId: string, fresh?: boolean): Promise<number | undefined>;
}

/** What the draws of one lane share (one drawer's socket on one page). */
interface DrawContext {
  actor: BoardActor;
  roomId: string;
  surfaceId: string;
  page: number;
  /** The material's page count (undefined on the whiteboard). */
  materialPages: number | undefined;
}

/** At most one pointer sample per user and this many ms goes into the history. */
export const POINTER_SAMPLE_MS = 200;

const isHost = (actor: BoardActor) => actor.role === "host";
const isPresenter = (actor: BoardActor, stage: StoredStage) => isHost(actor) || (stage.presenterId !== null && stage.presenterId === actor.userId);

/** Whether the actor may draw (and point) under the stage's policy. */
export function mayDraw(actor: BoardActor, stage: StoredStage): boolean {
  if (isPresenter(actor, stage)) return true;
  if (stage.drawPolicy === "everyone") return true;
  if (stage.drawPolicy === "chosen") return stage.allowedUserIds.includes(actor.userId);
  return false;
}

function needPresenter(actor: BoardActor, stage: StoredStage): void {
  if (!isPresenter(actor, stage)) throw new AppError("FORBIDDEN", "Only the teacher or the presenter can do this on the board");
}

function needDrawer(actor: BoardActor, stage: StoredStage): void {
  if (!mayDraw(actor, stage)) throw new AppError("NOT_ALLOWED_TO_DRAW");
}

const toDto = (roomId: string, row: StageRow): BoardStageDto => ({ roomId, ...row.stage, seq: row.seq });

/** Excalidraw's rule: does `next` replace `current`? */
export function wins(next: Pick<BoardElement, "version" | "versionNonce">, current: Pick<BoardElement, "version" | "versionNonce">): boolean {
  return next.version > current.version || (next.version === current.version && next.versionNonce < current.versionNonce);
}

/**
 * The class board: the stage (what is shown, who presents and draws), the elements of each page
 * with last-writer-wins per element and a per-room sequence from the database, and the history
 * (board_ops) the recording's replay reads. Permissions are checked here, against the stage as
 * locked in the change's transaction.
 */
export class BoardService {
  private readonly lastPointer = new Map<string, number>();

  constructor(
    private readonly repo: BoardRepo,
    private readonly live: BoardLive,
    private readonly materials: MaterialPages,
    private readonly log: Logger,
  ) {
    this.history = new BoardHistory(repo);
    this.strokes = new StrokeHistory((draw) => this.keepDeferred(draw));
    this.coalescer = new DrawCoalescer<DrawContext>((batch) => this.write(batch.context, batch.elements), wins);
  }

  private readonly history: BoardHistory;
  private readonly strokes: StrokeHistory;
  private readonly coalescer: DrawCoalescer<DrawContext>;

  /** The stage; a material deleted while on the stage shows as nothing on the stage. */
  async stage(roomId: string): Promise<BoardStageDto> {
    const row = (await this.repo.stage(roomId)) ?? { stage: { ...DEFAULT_STAGE }, seq: 0 };
    if (row.stage.surfaceId && row.stage.surfaceId !== BOARD_WHITEBOARD && (await this.materials.pagesOf(roomId, row.stage.surfaceId, true)) === undefined) {
      row.stage = { ...row.stage, surfaceId: null, page: 1 };
    }
    return toDto(roomId, row);
  }

  /** The live elements of a page and the room's seq. */
  async page(roomId: string, surfaceId: string, page: number): Promise<{ elements: BoardElement[]; seq: number }> {
    const current = (await this.repo.stage(roomId)) ?? { stage: { ...DEFAULT_STAGE }, seq: 0 };
    await this.checkPage(roomId, surfaceId, page, current.stage);
    return { elements: await this.repo.pageElements(roomId, surfaceId, page), seq: current.seq };
  }

  async present(actor: BoardActor, roomId: string, surfaceId: string | null, page = 1): Promise<BoardStageDto> {
    const materialPages = surfaceId && surfaceId !== BOARD_WHITEBOARD ? await this.materialPages(roomId, surfaceId) : undefined;
    return this.changeStage(roomId, "present", async (stage) => {
      needPresenter(actor, stage);
      if (surfaceId === null) return { ...stage, surfaceId: null };
      const pages = materialPages ?? stage.whiteboardPages;
      if (page > pages) throw outOfRange(page, pages);
      return { ...stage, surfaceId, page };
    });
  }

  async turn(actor: BoardActor, roomId: string, page: number): Promise<BoardStageDto> {
    const before = await this.repo.stage(roomId);
    const surfaceId = before?.stage.surfaceId ?? null;
    const materialPages = surfaceId && surfaceId !== BOARD_WHITEBOARD ? await this.materialPages(roomId, surfaceId) : undefined;
    return this.changeStage(roomId, "turn", async (stage) => {
      needPresenter(actor, stage);
      if (stage.surfaceId === null) throw new AppError("CONFLICT", "Nothing is on the stage: present a document or the whiteboard first");
      const pages = stage.surfaceId === BOARD_WHITEBOARD ? stage.whiteboardPages : stage.surfaceId === surfaceId ? materialPages : undefined;
      if (pages === undefined) throw new AppError("CONFLICT", "The stage changed meanwhile; try again");
      if (page > pages) throw outOfRange(page, pages);
      return { ...stage, page };
    });
  }

  async addPage(actor: BoardActor, roomId: string): Promise<BoardStageDto> {
    return this.changeStage(roomId, "settings", async (stage) => {
      needPresenter(actor, stage);
      if (stage.whiteboardPages >= BOARD_PAGES_MAX) throw outOfRange(stage.whiteboardPages + 1, BOARD_PAGES_MAX);
      return { ...stage, whiteboardPages: stage.whiteboardPages + 1 };
    });
  }

  async settings(actor: BoardActor, roomId: string, changes: Omit<BoardSettingsPayload, "roomId">): Promise<BoardStageDto> {
    if (!isHost(actor)) throw new AppError("FORBIDDEN", "Only the teacher can change who presents and draws");
    return this.changeStage(roomId, "settings", async (stage) => ({
      ...stage,
      ...(changes.presenterId !== undefined ? { presenterId: changes.presenterId } : {}),
      ...(changes.drawPolicy !== undefined ? { drawPolicy: changes.drawPolicy } : {}),
      ...(changes.allowedUserIds !== undefined ? { allowedUserIds: [...new Set(changes.allowedUserIds)] } : {}),
      ...(changes.layout !== undefined ? { layout: changes.layout } : {}),
    }));
  }

  /**
   * Elements of a page from a drawer: each one checked (size), stamped with its author, and kept
   * when it wins last-writer-wins against the stored one; the winners go to the room with the
   * change's seq. Nothing is kept or sent when none wins (the ack says accepted: 0). Rapid draws
   * of one drawer's page are merged into one write (DrawCoalescer); the history keeps a growing
   * element at most every STROKE_HISTORY_MS plus its last version (StrokeHistory).
   */
  async draw(
    actor: BoardActor,
    roomId: string,
    surfaceId: string,
    page: number,
    elements: BoardElement[],
    /** Called once the draw waits for its write (the socket's next events may run: they can merge with it). */
    queued?: () => void,
  ): Promise<{ seq: number; accepted: number }> {
    const batch = stampAndDedupe(elements, actor);
    const materialPages = surfaceId === BOARD_WHITEBOARD ? undefined : await this.materialPages(roomId, surfaceId);
    const lane = `${roomId}/${surfaceId}/${page}/${actor.userId}/${actor.socketId ?? ""}`;
    const written = this.coalescer.submit(lane, { context: { actor, roomId, surfaceId, page, materialPages }, elements: batch });
    queued?.();
    return written;
  }

  /** Waiting history versions are kept now (at shutdown). */
  flushHistory(): Promise<void> {
    return this.strokes.flush();
  }

  /** One merged write of a lane: the transaction, the history's choice, the fan-out. */
  private async write(context: DrawContext, batch: BoardElement[]): Promise<DrawWritten> {
    const { actor, roomId, surfaceId, page, materialPages } = context;
    const materialId = surfaceId === BOARD_WHITEBOARD ? null : surfaceId;
    const now = Date.now();
    const historyIds = batch.filter((element) => this.strokes.due(elementKey(roomId, surfaceId, page, element.id), now)).map((element) => element.id);
    let done: Awaited<ReturnType<BoardRepo["change"]>>;
    try {
      done = await this.repo.change(roomId, async (tx, locked) => {
        needDrawer(actor, locked.stage);
        const pages = materialPages ?? locked.stage.whiteboardPages;
        if (page > pages) throw outOfRange(page, pages);
        const accepted = await this.repo.draw(tx, { roomId, surfaceId, page, materialId, authorId: actor.userId, elements: batch, historyIds }, locked.seq);
        return accepted.length > 0 ? accepted : undefined;
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new AppError("MATERIAL_NOT_FOUND", "This material was deleted");
      throw err;
    }
    const accepted = (done.result as BoardElement[] | undefined) ?? [];
    const inHistory = new Set(historyIds);
    const at = new Date(now);
    for (const element of accepted) {
      const key = elementKey(roomId, surfaceId, page, element.id);
      if (inHistory.has(element.id)) this.strokes.kept(key, now);
      else this.strokes.defer(key, { roomId, surfaceId, page, authorId: actor.userId, element, seq: done.seq, at });
    }
    if (accepted.length > 0) this.live.elements({ roomId, surfaceId, page, elements: accepted, seq: done.seq, authorId: actor.userId }, actor.socketId);
    return { seq: done.seq, accepted };
  }

  private async keepDeferred(draw: DeferredDraw): Promise<void> {
    try {
      await this.repo.addDrawOp(draw);
    } catch (err) {
      // The room (or the material) may be gone meanwhile: the history entry goes with it.
      if (!isForeignKeyViolation(err)) this.log.warn({ err, roomId: draw.roomId }, "a stroke's last version could not be kept in the history");
    }
  }

  /** Removes every element of a page (host or presenter). */
  async clear(actor: BoardActor, roomId: string, surfaceId: string, page: number): Promise<{ seq: number }> {
    const materialPages = surfaceId !== BOARD_WHITEBOARD ? await this.materialPages(roomId, surfaceId) : undefined;
    await this.coalescer.drain(`${roomId}/${surfaceId}/${page}/`);
    const done = await this.repo.change(roomId, async (tx, locked) => {
      if (!isPresenter(actor, locked.stage)) throw new AppError("NOT_ALLOWED_TO_DRAW", "Only the teacher or the presenter can clear a page");
      const pages = materialPages ?? locked.stage.whiteboardPages;
      if (page > pages) throw outOfRange(page, pages);
      await this.repo.clear(tx, roomId, { surfaceId, page });
      await this.repo.addOp(tx, roomId, locked.seq, "clear", { surfaceId, page });
      return true;
    });
    this.live.cleared(roomId, surfaceId, page, done.seq);
    return { seq: done.seq };
  }

  /** Every drawing of the class (the host's REST call): each page that had some is cleared live. */
  async clearAll(roomId: string): Promise<{ seq: number }> {
    await this.coalescer.drain(`${roomId}/`);
    const done = await this.repo.change(roomId, async (tx, locked) => {
      const pages = await this.repo.clear(tx, roomId, null);
      await this.repo.addOp(tx, roomId, locked.seq, "clear", { all: true });
      return pages;
    });
    for (const cleared of done.result ?? []) this.live.cleared(roomId, cleared.surfaceId, cleared.page, done.seq);
    return { seq: done.seq };
  }

  /** The laser pointer: to the room at once (volatile), into the history at most every POINTER_SAMPLE_MS per user. */
  async pointer(actor: BoardActor, payload: BoardPointerPayload): Promise<void> {
    const { roomId } = payload;
    const current = (await this.repo.stage(roomId)) ?? { stage: { ...DEFAULT_STAGE }, seq: 0 };
    needDrawer(actor, current.stage);
    const key = `${roomId}/${actor.userId}`;
    if ("hidden" in payload) {
      this.live.pointer({ roomId, userId: actor.userId, hidden: true }, actor.socketId);
      this.lastPointer.delete(key);
      await this.keepPointer(roomId, { userId: actor.userId, hidden: true });
      return;
    }
    await this.checkPage(roomId, payload.surfaceId, payload.page, current.stage);
    const sample = { userId: actor.userId, name: actor.name, surfaceId: payload.surfaceId, page: payload.page, x: payload.x, y: payload.y };
    this.live.pointer({ roomId, ...sample }, actor.socketId);
    const now = Date.now();
    if (now - (this.lastPointer.get(key) ?? 0) < POINTER_SAMPLE_MS) return;
    if (this.lastPointer.size > 10_000) this.lastPointer.clear();
    this.lastPointer.set(key, now);
    await this.keepPointer(roomId, sample);
  }

  /** Every page's live elements of a surface (the annotated-PDF export). */
  pageElementsOfSurface(roomId: string, surfaceId: string): Promise<Map<number, BoardElement[]>> {
    return this.repo.surfaceElements(roomId, surfaceId);
  }

  pageElements(roomId: string, surfaceId: string, page: number): Promise<BoardElement[]> {
    return this.repo.pageElements(roomId, surfaceId, page);
  }

  /** The history in [from, to] (ISO date-times), in seq order. */
  boardOpsBetween(roomId: string, fromIso: string, toIso: string): Promise<BoardOpRow[]> {
    return this.history.boardOpsBetween(roomId, fromIso, toIso);
  }

  /** The class's documents among `ids`, with titles and pages (the replay's `materials`). */
  materialsOf(roomId: string, ids: string[]): Promise<{ id: string; title: string; pages: number }[]> {
    return this.history.materialsOf(roomId, ids);
  }

  /** The board as it was at `atIso` (the replay's start): the stage then, and every non-empty page. */
  boardAt(roomId: string, atIso: string): Promise<BoardAt> {
    return this.history.boardAt(roomId, atIso);
  }

  private async keepPointer(roomId: string, payload: Record<string, unknown>): Promise<void> {
    try {
      await this.repo.addPointer(roomId, payload);
    } catch (err) {
      this.log.warn({ err, roomId }, "a pointer sample could not be kept");
    }
  }

  private async changeStage(roomId: string, kind: "present" | "turn" | "settings", next: (stage: StoredStage) => Promise<StoredStage>): Promise<BoardStageDto> {
    const done = await this.repo.change(roomId, async (tx, locked) => {
      const stage = await next(locked.stage);
      const dto = toDto(roomId, { stage, seq: locked.seq });
      await this.repo.saveStage(tx, roomId, stage, locked.seq, kind, { stage: dto });
      return dto;
    });
    const dto = done.result as BoardStageDto;
    this.live.stage(dto);
    return dto;
  }

  private async materialPages(roomId: string, materialId: string): Promise<number> {
    const pages = await this.materials.pagesOf(roomId, materialId);
    if (pages === undefined) throw new AppError("MATERIAL_NOT_FOUND", "This material is not one of this class's");
    return pages;
  }

  private async checkPage(roomId: string, surfaceId: string, page: number, stage: StoredStage): Promise<void> {
    const pages = surfaceId === BOARD_WHITEBOARD ? stage.whiteboardPages : await this.materialPages(roomId, surfaceId);
    if (page > pages) throw outOfRange(page, pages);
  }
}

function outOfRange(page: number, pages: number): AppError {
  return new AppError("BOARD_PAGE_OUT_OF_RANGE", `Page ${page} does not exist (there ${pages === 1 ? "is 1 page" : `are ${pages} pages`})`);
}

/**
 * Each element's JSON within BOARD_ELEMENT_JSON_MAX (VALIDATION_FAILED otherwise), customData
 * replaced by the author, and one element per id (the LWW winner among duplicates of a batch).
 */
export function stampAndDedupe(elements: BoardElement[], actor: BoardActor): BoardElement[] {
  const byId = new Map<string, BoardElement>();
  elements.forEach((element, index) => {
    const stamped: BoardElement = { ...element, customData: { authorId: actor.userId, authorName: actor.name } };
    const json = JSON.stringify(stamped);
    const field = `elements.${index}`;
    if (Buffer.byteLength(json) > BOARD_ELEMENT_JSON_MAX) {
      throw new AppError("VALIDATION_FAILED", `${field}: the element is larger than ${BOARD_ELEMENT_JSON_MAX / 1024} KB`, [{ field, problem: "too large" }]);
    }
    // Any property passes through: none may hold a NUL or nest deeply.
    const problem = passThroughProblem(stamped);
    if (problem) throw new AppError("VALIDATION_FAILED", `${field}: ${problem}`, [{ field, problem }]);
    const seen = byId.get(element.id);
    if (!seen || wins(stamped, seen)) byId.set(element.id, stamped);
  });
  return [...byId.values()];
}

/** Nesting deeper than this in an element is refused (Excalidraw's own properties nest 3 levels). */
const MAX_DEPTH = 16;

/** What is wrong with a passed-through value: a NUL in a string or key (PostgreSQL's jsonb cannot store it), or too deep. */
function passThroughProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? "must not contain control characters" : undefined;
  if (value === null || typeof value !== "object") return undefined;
  if (depth > MAX_DEPTH) return "is nested too deeply";
  const entries = Array.isArray(value) ? value.map((item) => ["", item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    if (key.includes("\u0000")) return "must not contain control characters";
    if (typeof item === "number") continue;
    const problem = passThroughProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
