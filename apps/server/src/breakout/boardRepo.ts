import { sql } from "kysely";
import type { BoardElement } from "@vtp/protocol";
import type { DB } from "../db/index.js";

/** A group as kept (breakout_groups), with its board's sequence. */
export interface BoardGroupRow {
  id: string;
  roomId: string;
  name: string;
  materialId: string | null;
  seq: number;
}

/** Thrown inside a draw's transaction when no element won: rolls the seq back. */
class NothingWon extends Error {
  constructor(readonly seq: number) {
    super("nothing won");
  }
}

/** All SQL of the groups' boards (migration 015): elements per (group, page), the group's seq. */
export class BreakoutBoardRepo {
  constructor(private readonly db: DB) {}

  /** A group of the class (open or kept), undefined when it is not one of the class's. */
  async group(roomId: string, groupId: string): Promise<BoardGroupRow | undefined> {
    const result = await sql<{ id: string; room_id: string; name: string; material_id: string | null; board_seq: string }>`
      select id, room_id, name, material_id, board_seq from breakout_groups where id = ${groupId} and room_id = ${roomId}`.execute(this.db);
    const row = result.rows[0];
    return row ? { id: row.id, roomId: row.room_id, name: row.name, materialId: row.material_id, seq: Number(row.board_seq) } : undefined;
  }

  /** The page count of a class material (undefined: not one of the class's, or deleted). */
  async materialPages(roomId: string, materialId: string): Promise<number | undefined> {
    const result = await sql<{ pages: number }>`select pages from class_materials where id = ${materialId} and room_id = ${roomId}`.execute(this.db);
    return result.rows[0]?.pages;
  }

  /** The live elements of a page of a group's board, in drawing order. */
  async pageElements(groupId: string, page: number): Promise<BoardElement[]> {
    const result = await sql<{ element: BoardElement }>`
      select element from breakout_board_elements
      where group_id = ${groupId} and page = ${page} and not is_deleted
      order by (element->>'index') collate "C" nulls last, created_seq, element_id`.execute(this.db);
    return result.rows.map((row) => row.element);
  }

  /**
   * Elements (stamped, one per id) onto a page in one transaction: the group's row locked and its
   * seq incremented, each element kept iff it wins last-writer-wins against the stored one (SQL).
   * Returns the winners and the change's seq (no winner: nothing kept, the current seq).
   */
  async draw(groupId: string, page: number, authorId: string, elements: BoardElement[]): Promise<{ seq: number; accepted: BoardElement[] }> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const counted = await sql<{
          board_seq: string;
        }>`update breakout_groups set board_seq = board_seq + 1 where id = ${groupId} returning board_seq`.execute(tx);
        const seq = Number(counted.rows[0]?.board_seq ?? 0);
        const result = await sql<{ element: BoardElement }>`
          with input as (
            select value as element, value->>'id' as element_id, (value->>'version')::bigint as version,
                   (value->>'versionNonce')::bigint as version_nonce, coalesce((value->>'isDeleted')::boolean, false) as is_deleted, ord
            from jsonb_array_elements(${JSON.stringify(elements)}::jsonb) with ordinality as t(value, ord)
          )
          insert into breakout_board_elements (group_id, page, element_id, element, version, version_nonce, is_deleted, author_id, created_seq, seq)
          select ${groupId}, ${page}, element_id, element, version, version_nonce, is_deleted, ${authorId}::uuid, ${seq}, ${seq}
          from input order by ord
          on conflict (group_id, page, element_id) do update set
            element = excluded.element || jsonb_build_object('customData', breakout_board_elements.element->'customData'),
            version = excluded.version, version_nonce = excluded.version_nonce, is_deleted = excluded.is_deleted,
            seq = excluded.seq, updated_at = now()
          where excluded.version > breakout_board_elements.version
             or (excluded.version = breakout_board_elements.version and excluded.version_nonce < breakout_board_elements.version_nonce)
          returning element`.execute(tx);
        if (result.rows.length === 0) throw new NothingWon(seq - 1);
        return { seq, accepted: result.rows.map((row) => row.element) };
      });
    } catch (err) {
      if (err instanceof NothingWon) return { seq: err.seq, accepted: [] };
      throw err;
    }
  }
}
