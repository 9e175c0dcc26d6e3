import type { AccountTables } from "../auth/tables.js";
import type { RoomTables } from "../rooms/tables.js";
import type { JobTables } from "../jobs/tables.js";
import type { RecordingTables } from "../recording/tables.js";
import type { PollTables } from "../polls/tables.js";
import type { QuizTables } from "../quizzes/tables.js";
import type { MaterialTables } from "../materials/tables.js";

export interface SchemaMigrationsTable {
  version: string;
  applied_at: Date;
}

/** Every table, merged from each capability's own `tables.ts`. */
export interface Database extends AccountTables, RoomTables, JobTables, RecordingTables, PollTables, QuizTables, MaterialTables {
  schema_migrations: SchemaMigrationsTable;
}
