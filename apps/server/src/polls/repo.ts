import { sql, type Selectable } from "kysely";
import type { DB } from "../db/index.js";
import type { PollAnswersTable, PollKindColumn, PollsTable } from "./tables.js";

export type PollRow = Selectable<PollsTable>;
export type PollAnswerRow = Selectable<PollAnswersTable>;

/** What a new poll stores (checked and normalized by the service). */
export interface NewPoll {
  roomId: string;
  question: string;
  kind: PollKindColumn;
  options: string[];
  anonymous: boolean;
  showResultsLive: boolean;
  durationSeconds: number | null;
  createdBy: string;
  rerunOf?: string | null;
  /** Opened at once (`closes_at` from `durationSeconds`). */
  open: boolean;
}

/** One answer to store; `voter` is the user id, or an HMAC of it for an anonymous poll. */
export interface NewAnswer {
  pollId: string;
  voter: string;
  userId: string | null;
  authorName: string | null;
  choices: number[];
  text: string | null;
}

/** Whether a poll still takes answers: open, and its timer (if any) has not run out, by the database's clock. */
const takesAnswers = sql`p.status = 'open' and (p.closes_at is null or p.closes_at > now())`;

/** All SQL of polls and their answers. */
export class PollsRepo {
  constructor(private readonly db: DB) {}

  async insert(poll: NewPoll): Promise<PollRow> {
    const result = await sql<PollRow>`
      insert into polls (room_id, question, kind, options, anonymous, show_results_live, duration_seconds, created_by, rerun_of,
                         status, opened_at, closes_at)
      values (${poll.roomId}, ${poll.question}, ${poll.kind}, ${JSON.stringify(poll.options)}::jsonb, ${poll.anonymous}, ${poll.showResultsLive},
              ${poll.durationSeconds}, ${poll.createdBy}, ${poll.rerunOf ?? null},
              ${poll.open ? "open" : "draft"},
              case when ${poll.open} then now() end,
              case when ${poll.open} and ${poll.durationSeconds}::int is not null then now() + ${poll.durationSeconds}::int * interval '1 second' end)
      returning *`.execute(this.db);
    const row = result.rows[0];
    if (!row) throw new Error("inserting a poll returned no row");
    return row;
  }

  async byId(roomId: string, pollId: string): Promise<PollRow | undefined> {
    return this.db.selectFrom("polls").selectAll().where("room_id", "=", roomId).where("id", "=", pollId).executeTakeFirst();
  }

  /** The class's polls, oldest first; `withDrafts: false` leaves drafts out. */
  async ofRoom(roomId: string, withDrafts: boolean): Promise<PollRow[]> {
    let query = this.db.selectFrom("polls").selectAll().where("room_id", "=", roomId);
    if (!withDrafts) query = query.where("status", "!=", "draft");
    return query.orderBy("created_at").orderBy("id").execute();
  }

  /** Polls opened within [from, to], oldest first. */
  async openedBetween(roomId: string, from: string, to: string): Promise<PollRow[]> {
    return this.db
      .selectFrom("polls")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("opened_at", ">=", new Date(from))
      .where("opened_at", "<=", new Date(to))
      .orderBy("opened_at")
      .orderBy("id")
      .execute();
  }

  /** Draft → open (only a draft); undefined when it was not a draft. */
  async open(roomId: string, pollId: string): Promise<PollRow | undefined> {
    const result = await sql<PollRow>`
      update polls set status = 'open', opened_at = now(),
        closes_at = case when duration_seconds is not null then now() + duration_seconds * interval '1 second' end
      where id = ${pollId} and room_id = ${roomId} and status = 'draft'
      returning *`.execute(this.db);
    return result.rows[0];
  }

  /** Open → closed (only an open poll); undefined when it was not open. */
  async close(roomId: string, pollId: string): Promise<PollRow | undefined> {
    const result = await sql<PollRow>`
      update polls set status = 'closed', closed_at = least(now(), coalesce(closes_at, now()))
      where id = ${pollId} and room_id = ${roomId} and status = 'open'
      returning *`.execute(this.db);
    return result.rows[0];
  }

  /** Closes every open poll of the class (the class ended). */
  async closeOpenOfRoom(roomId: string): Promise<PollRow[]> {
    const result = await sql<PollRow>`
      update polls set status = 'closed', closed_at = least(now(), coalesce(closes_at, now()))
      where room_id = ${roomId} and status = 'open'
      returning *`.execute(this.db);
    return result.rows;
  }

  /** Closes the open polls whose timer ran out (one poll, one room, or all); each is returned to exactly one caller. */
  async closeOverdue(scope: { pollId?: string; roomId?: string } = {}): Promise<PollRow[]> {
    const result = await sql<PollRow>`
      update polls set status = 'closed', closed_at = closes_at
      where status = 'open' and closes_at <= now()
        and (${scope.pollId ?? null}::uuid is null or id = ${scope.pollId ?? null}::uuid)
        and (${scope.roomId ?? null}::uuid is null or room_id = ${scope.roomId ?? null}::uuid)
      returning *`.execute(this.db);
    return result.rows;
  }

  async publish(roomId: string, pollId: string): Promise<PollRow | undefined> {
    const result = await sql<PollRow>`
      update polls set published = true where id = ${pollId} and room_id = ${roomId} and status != 'draft' returning *`.execute(this.db);
    return result.rows[0];
  }

  /** Deletes a draft; false when there was no draft of that id. */
  async deleteDraft(roomId: string, pollId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("polls").where("id", "=", pollId).where("room_id", "=", roomId).where("status", "=", "draft").executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Stores or replaces the voter's answer, only while the poll takes answers (by the database's
   * clock). The poll row is share-locked meanwhile, so a close waits for answers in flight and
   * answers after it see it closed. Undefined when the poll does not take answers.
   */
  async upsertAnswer(answer: NewAnswer): Promise<PollAnswerRow | undefined> {
    const result = await sql<PollAnswerRow>`
      insert into poll_answers (poll_id, voter, user_id, author_name, choices, text)
      select p.id, ${answer.voter}, ${answer.userId}, ${answer.authorName}, ${JSON.stringify(answer.choices)}::jsonb, ${answer.text}
      from polls p where p.id = ${answer.pollId} and ${takesAnswers}
      for share
      on conflict (poll_id, voter) do update
        set choices = excluded.choices, text = excluded.text, author_name = excluded.author_name, updated_at = now()
      returning *`.execute(this.db);
    return result.rows[0];
  }

  async answerOf(pollId: string, voter: string): Promise<PollAnswerRow | undefined> {
    return this.db.selectFrom("poll_answers").selectAll().where("poll_id", "=", pollId).where("voter", "=", voter).executeTakeFirst();
  }

  /** What results are counted from: every answer's choices and text (oldest first), and the name only when stored. */
  async answersOf(pollId: string): Promise<Array<Pick<PollAnswerRow, "choices" | "text" | "author_name">>> {
    return this.db
      .selectFrom("poll_answers")
      .select(["choices", "text", "author_name"])
      .where("poll_id", "=", pollId)
      .orderBy("created_at")
      .orderBy("voter")
      .execute();
  }

  /** The open polls with a timer, for the timers of a server that starts. */
  async openTimed(): Promise<PollRow[]> {
    return this.db.selectFrom("polls").selectAll().where("status", "=", "open").where("closes_at", "is not", null).execute();
  }
}
