import { sql, type Selectable } from "kysely";
import type { DB } from "../db/index.js";
import type { QuizSubmissionsTable, QuizzesTable, StoredQuestion } from "./tables.js";

export type QuizRow = Selectable<QuizzesTable>;
export type SubmissionRow = Selectable<QuizSubmissionsTable>;
export type NamedSubmissionRow = SubmissionRow & { name: string };

export interface NewQuiz {
  roomId: string;
  createdBy: string;
  title: string;
  questions: StoredQuestion[];
  allowAfterClass: boolean;
  deadline: Date | null;
  durationSeconds: number | null;
  open: boolean;
}

/** Whether a quiz takes answers: open, and not past its timer or deadline by the database's clock. */
const takesAnswers = sql`q.status = 'open' and (q.closes_at is null or q.closes_at > now())`;
/** closes_at when a quiz opens now: its deadline, or its timer's end. */
const closesAtOnOpen = sql`coalesce(deadline, case when duration_seconds is not null then now() + duration_seconds * interval '1 second' end)`;

/** All SQL of quizzes and their submissions. */
export class QuizzesRepo {
  constructor(private readonly db: DB) {}

  async insert(quiz: NewQuiz): Promise<QuizRow> {
    const inserted = await this.db
      .insertInto("quizzes")
      .values({
        room_id: quiz.roomId,
        created_by: quiz.createdBy,
        title: quiz.title,
        questions: JSON.stringify(quiz.questions),
        allow_after_class: quiz.allowAfterClass,
        deadline: quiz.deadline,
        duration_seconds: quiz.durationSeconds,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (quiz.open) {
      const opened = await this.open(quiz.roomId, inserted.id);
      if (opened) return opened;
    }
    const row = await this.byId(quiz.roomId, inserted.id);
    if (!row) throw new Error("inserting a quiz returned no row");
    return row;
  }

  async byId(roomId: string, quizId: string): Promise<QuizRow | undefined> {
    return this.db.selectFrom("quizzes").selectAll().where("room_id", "=", roomId).where("id", "=", quizId).executeTakeFirst();
  }

  /** The class's quizzes, oldest first; `withDrafts: false` leaves drafts out. */
  async ofRoom(roomId: string, withDrafts: boolean): Promise<QuizRow[]> {
    let query = this.db.selectFrom("quizzes").selectAll().where("room_id", "=", roomId);
    if (!withDrafts) query = query.where("status", "!=", "draft");
    return query.orderBy("created_at").orderBy("id").execute();
  }

  /** Draft → open (only a draft whose deadline, if any, is ahead); undefined otherwise. */
  async open(roomId: string, quizId: string): Promise<QuizRow | undefined> {
    const result = await sql<QuizRow>`
      update quizzes set status = 'open', opened_at = now(), closes_at = ${closesAtOnOpen}
      where id = ${quizId} and room_id = ${roomId} and status = 'draft' and (deadline is null or deadline > now())
      returning *`.execute(this.db);
    return result.rows[0];
  }

  /** Open → closed (only an open quiz); undefined when it was not open. */
  async close(roomId: string, quizId: string): Promise<QuizRow | undefined> {
    const result = await sql<QuizRow>`
      update quizzes set status = 'closed', closed_at = least(now(), coalesce(closes_at, now()))
      where id = ${quizId} and room_id = ${roomId} and status = 'open'
      returning *`.execute(this.db);
    return result.rows[0];
  }

  /** The class ended: its open quizzes close, except those answered after class (they close at their deadline). */
  async closeInClassOfRoom(roomId: string): Promise<QuizRow[]> {
    const result = await sql<QuizRow>`
      update quizzes set status = 'closed', closed_at = least(now(), coalesce(closes_at, now()))
      where room_id = ${roomId} and status = 'open' and not allow_after_class
      returning *`.execute(this.db);
    return result.rows;
  }

  /** Closes the open quizzes past their timer or deadline (one quiz, one room, or all); each returned to exactly one caller. */
  async closeOverdue(scope: { quizId?: string; roomId?: string } = {}): Promise<QuizRow[]> {
    const result = await sql<QuizRow>`
      update quizzes set status = 'closed', closed_at = closes_at
      where status = 'open' and closes_at <= now()
        and (${scope.quizId ?? null}::uuid is null or id = ${scope.quizId ?? null}::uuid)
        and (${scope.roomId ?? null}::uuid is null or room_id = ${scope.roomId ?? null}::uuid)
      returning *`.execute(this.db);
    return result.rows;
  }

  async delete(roomId: string, quizId: string): Promise<QuizRow | undefined> {
    return this.db.deleteFrom("quizzes").where("id", "=", quizId).where("room_id", "=", roomId).returningAll().executeTakeFirst();
  }

  /**
   * Stores or replaces the student's submission, only while the quiz takes answers (by the
   * database's clock; the quiz row is share-locked so a close waits for submissions in flight).
   * Undefined when the quiz does not take answers.
   */
  async upsertSubmission(quizId: string, userId: string, answers: number[][], score: number): Promise<SubmissionRow | undefined> {
    const result = await sql<SubmissionRow>`
      insert into quiz_submissions (quiz_id, user_id, answers, score)
      select q.id, ${userId}, ${JSON.stringify(answers)}::jsonb, ${score}
      from quizzes q where q.id = ${quizId} and ${takesAnswers}
      for share
      on conflict (quiz_id, user_id) do update set answers = excluded.answers, score = excluded.score, updated_at = now()
      returning *`.execute(this.db);
    return result.rows[0];
  }

  async submissionOf(quizId: string, userId: string): Promise<SubmissionRow | undefined> {
    return this.db.selectFrom("quiz_submissions").selectAll().where("quiz_id", "=", quizId).where("user_id", "=", userId).executeTakeFirst();
  }

  /** Every submission of the quiz with the student's name, by name. */
  async submissionsOf(quizId: string): Promise<NamedSubmissionRow[]> {
    return this.db
      .selectFrom("quiz_submissions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .selectAll("s")
      .select("u.full_name as name")
      .where("s.quiz_id", "=", quizId)
      .orderBy("u.full_name")
      .orderBy("s.user_id")
      .execute();
  }

  /** The open quizzes that close by themselves, for the timers of a server that starts. */
  async openTimed(): Promise<QuizRow[]> {
    return this.db.selectFrom("quizzes").selectAll().where("status", "=", "open").where("closes_at", "is not", null).execute();
  }
}
