import { sql } from "kysely";
import type { DB } from "../db/index.js";
import type { RoomRoleColumn } from "../rooms/tables.js";
import { eraseFromBreakoutGroups } from "../breakout/privacy.js";

export interface AccountSql {
  id: string;
  email: string;
  full_name: string;
  role: string;
  disabled: boolean;
  email_verified_at: Date | null;
  created_at: Date;
}

export interface PersonData {
  hosted: { id: string; code: string; title: string; created_at: Date }[];
  attendance: {
    room_id: string;
    title: string;
    room_role: RoomRoleColumn;
    joined_at: Date;
    left_at: Date | null;
    talk_ms: number;
    camera_ms: number;
    hands_raised: number;
  }[];
  chat: { room_id: string; title: string; seq: number; text: string; created_at: Date; deleted_at: Date | null }[];
  answers: { poll_id: string; room_id: string; question: string; choices: number[]; text: string | null; updated_at: Date }[];
  quizzes: { quiz_id: string; room_id: string; title: string; answers: number[][]; score: number; updated_at: Date }[];
}

/** What erasing one person's data touched. */
export interface ErasedCounts {
  attendance: number;
  chat: number;
  answers: number;
  quizzes: number;
}

/** The text an erased chat message keeps (its seq stays, so the history has no gap). */
export const ERASED_MESSAGE_AUTHOR = "Deleted user";

/** SQL for one person's data: what an admin exports, and what erasure removes. */
export class PrivacyRepo {
  constructor(private readonly db: DB) {}

  async account(userId: string): Promise<AccountSql | undefined> {
    const result = await sql<AccountSql>`
      select id, email, full_name, role, disabled, email_verified_at, created_at from users where id = ${userId}`.execute(this.db);
    return result.rows[0];
  }

  /** Their classes, attendance sessions, chat messages and named poll answers (anonymous answers carry no user). */
  async personData(userId: string): Promise<PersonData> {
    const hosted = await sql<PersonData["hosted"][number]>`
      select id, code, title, created_at from rooms where host_id = ${userId} order by created_at`.execute(this.db);
    const attendance = await sql<PersonData["attendance"][number]>`
      select a.room_id, r.title, a.room_role, a.joined_at, a.left_at, a.talk_ms::float8 as talk_ms, a.camera_ms::float8 as camera_ms, a.hands_raised
      from attendance a join rooms r on r.id = a.room_id where a.user_id = ${userId} order by a.joined_at`.execute(this.db);
    const chat = await sql<PersonData["chat"][number]>`
      select c.room_id, r.title, c.seq, c.text, c.created_at, c.deleted_at
      from chat_messages c join rooms r on r.id = c.room_id where c.user_id = ${userId} order by c.created_at, c.seq`.execute(this.db);
    const answers = await sql<PersonData["answers"][number]>`
      select pa.poll_id, p.room_id, p.question, pa.choices, pa.text, pa.updated_at
      from poll_answers pa join polls p on p.id = pa.poll_id
      where pa.user_id = ${userId} and not p.anonymous order by pa.updated_at`.execute(this.db);
    const quizzes = await sql<PersonData["quizzes"][number]>`
      select qs.quiz_id, q.room_id, q.title, qs.answers, qs.score, qs.updated_at
      from quiz_submissions qs join quizzes q on q.id = qs.quiz_id
      where qs.user_id = ${userId} order by qs.updated_at`.execute(this.db);
    return { hosted: hosted.rows, attendance: attendance.rows, chat: chat.rows, answers: answers.rows, quizzes: quizzes.rows };
  }

  /**
   * Erases one person's attendance sessions, named poll answers and quiz submissions, and empties their chat
   * messages (kept as deleted placeholders under "Deleted user", so every class's seq stays whole), in breakout
   * groups too (breakout/privacy.ts).
   */
  async erase(userId: string): Promise<ErasedCounts> {
    return this.db.transaction().execute(async (trx) => {
      const attendance = await sql`delete from attendance where user_id = ${userId}`.execute(trx);
      const chat = await sql`
        update chat_messages set text = '', author_name = ${ERASED_MESSAGE_AUTHOR}, user_id = null,
          deleted_at = coalesce(deleted_at, now())
        where user_id = ${userId}`.execute(trx);
      const groupChat = await eraseFromBreakoutGroups(trx, userId);
      const answers = await sql`
        delete from poll_answers pa using polls p
        where p.id = pa.poll_id and pa.user_id = ${userId} and not p.anonymous`.execute(trx);
      const quizzes = await sql`delete from quiz_submissions where user_id = ${userId}`.execute(trx);
      return {
        quizzes: Number(quizzes.numAffectedRows ?? 0),
        attendance: Number(attendance.numAffectedRows ?? 0),
        chat: Number(chat.numAffectedRows ?? 0) + groupChat,
        answers: Number(answers.numAffectedRows ?? 0),
      };
    });
  }
}
