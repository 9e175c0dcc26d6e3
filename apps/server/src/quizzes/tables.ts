import type { ColumnType, Generated } from "kysely";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type QuizStatusColumn = "draft" | "open" | "closed";

/** One stored question (the correct options included: never sent to students before close). */
export interface StoredQuestion {
  text: string;
  kind: "single" | "multiple" | "yes-no";
  options: string[];
  correct: number[];
  points: number;
}

export interface QuizzesTable {
  id: Generated<string>;
  room_id: string;
  title: string;
  questions: Json<StoredQuestion[]>;
  allow_after_class: Generated<boolean>;
  deadline: NullableTimestamp;
  duration_seconds: number | null;
  status: Generated<QuizStatusColumn>;
  created_by: string | null;
  created_at: DefaultTimestamp;
  opened_at: NullableTimestamp;
  /** When the quiz closes by itself: its timer's end, or its deadline. */
  closes_at: NullableTimestamp;
  closed_at: NullableTimestamp;
}

/** One student's answers to a quiz (per question the chosen option indexes) and their score. */
export interface QuizSubmissionsTable {
  quiz_id: string;
  user_id: string;
  answers: Json<number[][]>;
  score: number;
  submitted_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface QuizTables {
  quizzes: QuizzesTable;
  quiz_submissions: QuizSubmissionsTable;
}
