import { sql, type Transaction } from "kysely";
import type { BoardElement, BoardOpKind } from "@vtp/protocol";
import type { Database, DB } from "../db/index.js";

/** The stage as stored (BoardStageDto without roomId and seq). */
export interface StoredStage {
  surfaceId: string | null;
  page: number;
  presenterId: string | null;
  drawPolicy: "host-only" | "everyone" | "chosen";
  allowedUserIds: string[];
  layout: "side-by-side" | "camera-tile";
  whiteboardPages: number;
}

export const DEFAULT_STAGE: StoredStage = {
  surfaceId: null,
  page: 1,
  presenterId: null,
  drawPolicy: "host-only",
  allowedUserIds: [],
  layout: "side-by-side",
  whiteboardPages: 1,
};

export interface StageRow {
  stage: StoredStage;
  seq: number;
}

export interface BoardOpRow {
  seq: number;
  at: Date;
  kind: BoardOpKind;
  payload: Record<string, unknown>;
}

/** What a change does inside the room's transaction once the room's row is locked and its seq allocated. */
export interface DrawBatch {
  roomId: string;
  surfaceId: string;
  page: number;
  /** The material's id when the surface is a material (its elements go with it), null for the whiteboard. */
  materialId: string | null;
  authorId: string;
  /** Already stamped with customData {authorId, authorName}, one per element id. */
  elements: BoardElement[];
  /** The ids whose accepted version goes into the history's `draw` op now (the others wait: StrokeHistory). */
  historyIds: string[];
}

export type Tx = Transaction<Database>;

/** PostgreSQL's foreign key violation. */
const FOREIGN_KEY_VIOLATION = "23503";

export function isForeignKeyViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION;
}

const num = (value: unknown) => Number(value);

/** All SQL of the board: the stage, the elements of each page, the history (board_ops). */
export class BoardRepo {
  constructor(private readonly db: DB) {}

  async stage(roomId: string): Promise<StageRow | undefined> {
    const result = await sql<{ stage: StoredStage; seq: string }>`select stage, seq from board_state where room_id = ${roomId}`.execute(this.db);
    const row = result.rows[0];
    return row ? { stage: { ...DEFAULT_STAGE, ...row.stage }, seq: num(row.seq) } : undefined;
  }

  async currentSeq(roomId: string): Promise<number> {
    return (await this.stage(roomId))?.seq ?? 0;
  }

  /**
   * One change of the room's board in one transaction: the room's row is created if needed and
   * locked, its seq incremented (`seq` is the change's); `run` may throw (nothing is kept) or
   * return `undefined` to keep nothing (the seq is not used).
   */
  async change<T>(
    roomId: string,
    run: (tx: Tx, locked: StageRow) => Promise<T | undefined>,
  ): Promise<{ result: T; seq: number } | { result: undefined; seq: number }> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const locked = await sql<{ stage: StoredStage; seq: string }>`
          insert into board_state (room_id, stage, seq) values (${roomId}, ${JSON.stringify(DEFAULT_STAGE)}::jsonb, 1)
          on conflict (room_id) do update set seq = board_state.seq + 1, updated_at = now()
          returning stage, seq`.execute(tx);
        const row = locked.rows[0];
        if (!row) throw new Error("board_state returned no row");
        const current: StageRow = { stage: { ...DEFAULT_STAGE, ...row.stage }, seq: num(row.seq) };
        const result = await run(tx, current);
        if (result === undefined) throw new NothingChanged(current.seq - 1);
        return { result, seq: current.seq };
      });
    } catch (err) {
      if (err instanceof NothingChanged) return { result: undefined, seq: err.seq };
      throw err;
    }
  }

  async saveStage(tx: Tx, roomId: string, stage: StoredStage, seq: number, kind: BoardOpKind, payload: Record<string, unknown>): Promise<void> {
    await sql`update board_state set stage = ${JSON.stringify(stage)}::jsonb where room_id = ${roomId}`.execute(tx);
    await this.addOp(tx, roomId, seq, kind, payload);
  }

  async addOp(tx: DB, roomId: string, seq: number, kind: BoardOpKind, payload: Record<string, unknown>): Promise<void> {
    await sql`insert into board_ops (room_id, seq, kind, payload) values (${roomId}, ${seq}, ${kind}, ${JSON.stringify(payload)}::jsonb)`.execute(tx);
  }

  /** A version that waited (StrokeHistory): its own `draw` op, at the seq and time it was accepted. */
  async addDrawOp(draw: { roomId: string; surfaceId: string; page: number; authorId: string; element: BoardElement; seq: number; at: Date }): Promise<void> {
    const payload = { surfaceId: draw.surfaceId, page: draw.page, authorId: draw.authorId, elements: [draw.element] };
    await sql`insert into board_ops (room_id, seq, at, kind, payload) values (${draw.roomId}, ${draw.seq}, ${draw.at}, 'draw', ${JSON.stringify(payload)}::jsonb)`.execute(
      this.db,
    );
  }

  /** A pointer sample in the history, at the room's current seq (it changes nothing). */
  async addPointer(roomId: string, payload: Record<string, unknown>): Promise<void> {
    await sql`
      insert into board_ops (room_id, seq, kind, payload)
      values (${roomId}, coalesce((select seq from board_state where room_id = ${roomId}), 0), 'pointer', ${JSON.stringify(payload)}::jsonb)`.execute(this.db);
  }

  /**
   * Upserts the elements that win last-writer-wins against the stored ones (version greater, or
   * equal with a smaller versionNonce), keeping the first author's customData, and appends one
   * `draw` op with the winners among `historyIds`. Returns the winners as stored.
   */
  async draw(tx: Tx, batch: DrawBatch, seq: number): Promise<BoardElement[]> {
    const result = await sql<{ element: BoardElement }>`
      with input as (
        select value as element, value->>'id' as element_id, (value->>'version')::bigint as version,
               (value->>'versionNonce')::bigint as version_nonce, coalesce((value->>'isDeleted')::boolean, false) as is_deleted, ord
        from jsonb_array_elements(${JSON.stringify(batch.elements)}::jsonb) with ordinality as t(value, ord)
      ),
      up as (
        insert into board_elements (room_id, surface_id, page, element_id, material_id, element, version, version_nonce, is_deleted, author_id, created_seq, seq)
        select ${batch.roomId}, ${batch.surfaceId}, ${batch.page}, element_id, ${batch.materialId}::uuid, element, version, version_nonce, is_deleted,
               ${batch.authorId}::uuid, ${seq}, ${seq}
        from input order by ord
        on conflict (room_id, surface_id, page, element_id) do update set
          element = excluded.element || jsonb_build_object('customData', board_elements.element->'customData'),
          version = excluded.version, version_nonce = excluded.version_nonce, is_deleted = excluded.is_deleted,
          seq = excluded.seq, updated_at = now()
        where excluded.version > board_elements.version
           or (excluded.version = board_elements.version and excluded.version_nonce < board_elements.version_nonce)
        returning element
      ),
      op as (
        insert into board_ops (room_id, seq, kind, payload)
        select ${batch.roomId}, ${seq}, 'draw',
               jsonb_build_object('surfaceId', ${batch.surfaceId}::text, 'page', ${batch.page}::int, 'authorId', ${batch.authorId}::text, 'elements', jsonb_agg(element))
        from up where element->>'id' = any(${batch.historyIds}::text[]) having count(*) > 0
      )
      select element from up`.execute(tx);
    return result.rows.map((row) => row.element);
  }

  /** Removes a page's elements (null surface: every page of the class); returns the pages that had any. */
  async clear(tx: Tx, roomId: string, page: { surfaceId: string; page: number } | null): Promise<{ surfaceId: string; page: number }[]> {
    const result = page
      ? await sql<{ surface_id: string; page: number }>`
          delete from board_elements where room_id = ${roomId} and surface_id = ${page.surfaceId} and page = ${page.page}
          returning surface_id, page`.execute(tx)
      : await sql<{ surface_id: string; page: number }>`delete from board_elements where room_id = ${roomId} returning surface_id, page`.execute(tx);
    const seen = new Map<string, { surfaceId: string; page: number }>();
    for (const row of result.rows) seen.set(`${row.surface_id}/${row.page}`, { surfaceId: row.surface_id, page: row.page });
    return [...seen.values()];
  }

  /** The live (non-deleted) elements of one page, in drawing order (Excalidraw's fractional index, then creation). */
  async pageElements(roomId: string, surfaceId: string, page: number): Promise<BoardElement[]> {
    const result = await sql<{ element: BoardElement }>`
      select element from board_elements
      where room_id = ${roomId} and surface_id = ${surfaceId} and page = ${page} and not is_deleted
      order by (element->>'index') collate "C" nulls last, created_seq, element_id`.execute(this.db);
    return result.rows.map((row) => row.element);
  }

  /** Every page's live elements of one surface. */
  async surfaceElements(roomId: string, surfaceId: string): Promise<Map<number, BoardElement[]>> {
    const result = await sql<{ page: number; element: BoardElement }>`
      select page, element from board_elements
      where room_id = ${roomId} and surface_id = ${surfaceId} and not is_deleted
      order by page, (element->>'index') collate "C" nulls last, created_seq, element_id`.execute(this.db);
    const pages = new Map<number, BoardElement[]>();
    for (const row of result.rows) {
      const list = pages.get(row.page) ?? [];
      list.push(row.element);
      pages.set(row.page, list);
    }
    return pages;
  }

  /** The history in [from, to], in order. */
  async opsBetween(roomId: string, from: Date, to: Date): Promise<BoardOpRow[]> {
    const result = await sql<{ seq: string; at: Date; kind: BoardOpKind; payload: Record<string, unknown> }>`
      select seq, at, kind, payload from board_ops
      where room_id = ${roomId} and at >= ${from} and at <= ${to}
      order by seq, id`.execute(this.db);
    return result.rows.map((row) => ({ seq: num(row.seq), at: new Date(row.at), kind: row.kind, payload: row.payload }));
  }

  /** The last stage op before `before` (present, turn, settings), if any. */
  async stageBefore(roomId: string, before: Date): Promise<StoredStage | undefined> {
    const result = await sql<{ payload: { stage?: StoredStage } }>`
      select payload from board_ops
      where room_id = ${roomId} and at < ${before} and kind in ('present', 'turn', 'settings')
      order by seq desc, id desc limit 1`.execute(this.db);
    return result.rows[0]?.payload.stage;
  }

  /**
   * The board's elements as they were at `before`: for each element the last accepted version
   * drawn before then, unless a clear of its page (or of everything) came after it.
   */
  async elementsBefore(roomId: string, before: Date): Promise<{ surfaceId: string; page: number; element: BoardElement }[]> {
    const drawn = await sql<{ surface_id: string; page: number; element: BoardElement; seq: string }>`
      select distinct on (o.payload->>'surfaceId', (o.payload->>'page')::int, e.value->>'id')
             o.payload->>'surfaceId' as surface_id, (o.payload->>'page')::int as page, e.value as element, o.seq
      from board_ops o cross join lateral jsonb_array_elements(o.payload->'elements') as e(value)
      where o.room_id = ${roomId} and o.kind = 'draw' and o.at < ${before}
      order by o.payload->>'surfaceId', (o.payload->>'page')::int, e.value->>'id', o.seq desc, o.id desc`.execute(this.db);
    const clears = await sql<{ payload: { surfaceId?: string; page?: number; all?: boolean }; seq: string }>`
      select payload, seq from board_ops where room_id = ${roomId} and kind = 'clear' and at < ${before}`.execute(this.db);
    let clearedAll = -1;
    const clearedPage = new Map<string, number>();
    for (const clear of clears.rows) {
      const seq = num(clear.seq);
      if (clear.payload.all) clearedAll = Math.max(clearedAll, seq);
      else {
        const key = `${clear.payload.surfaceId}/${clear.payload.page}`;
        clearedPage.set(key, Math.max(clearedPage.get(key) ?? -1, seq));
      }
    }
    return drawn.rows
      .filter((row) => {
        const seq = num(row.seq);
        return !row.element.isDeleted && seq > clearedAll && seq > (clearedPage.get(`${row.surface_id}/${row.page}`) ?? -1);
      })
      .map((row) => ({ surfaceId: row.surface_id, page: row.page, element: row.element }));
  }

  /** A material's page count when it belongs to the room. */
  /** The class's materials among `ids` (title and pages), for the replay. */
  async materialsByIds(roomId: string, ids: string[]): Promise<{ id: string; title: string; pages: number }[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom("class_materials")
      .select(["id", "title", "pages"])
      .where("room_id", "=", roomId)
      .where("id", "in", ids)
      .orderBy("created_at")
      .execute();
  }

  async materialPages(roomId: string, materialId: string): Promise<number | undefined> {
    const result = await sql<{ pages: number }>`select pages from class_materials where id = ${materialId} and room_id = ${roomId}`.execute(this.db);
    return result.rows[0]?.pages;
  }
}

/** Thrown inside a change's transaction when nothing is kept: rolls it back. */
class NothingChanged extends Error {
  constructor(readonly seq: number) {
    super("nothing changed");
  }
}
