import type { ColumnType, Generated } from "kysely";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobsTable {
  id: Generated<string>;
  queue: string;
  payload: ColumnType<unknown, string, string>;
  dedupe_key: string | null;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: DefaultTimestamp;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  progress: Generated<number>;
  last_error: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

export interface JobTables {
  jobs: JobsTable;
}
