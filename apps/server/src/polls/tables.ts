import type { ColumnType, Generated } from "kysely";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type PollKindColumn = "single" | "multiple" | "yes-no" | "rating" | "text";
export type PollStatusColumn = "draft" | "open" | "closed";

export interface PollsTable {
  id: Generated<string>;
  room_id: string;
  question: string;
  kind: PollKindColumn;
  options: Json<string[]>;
  anonymous: Generated<boolean>;
  show_results_live: Generated<boolean>;
  duration_seconds: number | null;
  status: Generated<PollStatusColumn>;
  published: Generated<boolean>;
  created_by: string | null;
  created_at: DefaultTimestamp;
  opened_at: NullableTimestamp;
  closes_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  rerun_of: string | null;
}

/** One student's answer; for an anonymous poll `voter` is an HMAC and user_id / author_name are null. */
export interface PollAnswersTable {
  poll_id: string;
  voter: string;
  user_id: string | null;
  author_name: string | null;
  choices: Json<number[]>;
  text: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PollTables {
  polls: PollsTable;
  poll_answers: PollAnswersTable;
}
