import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { sql } from "kysely";
import type { DatabaseHandle } from "./index.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));
const LOCK_ID = 72_270_001;

export interface Migration {
  version: string;
  file: string;
}

/** SQL files `NNN_name.sql` in apps/server/migrations, in order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ""), file: path.join(dir, f) }));
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own
 * transaction. Idempotent; on PostgreSQL an advisory lock keeps several servers starting at
 * once from racing. Returns the versions it applied.
 */
export async function migrate(handle: DatabaseHandle, dir = MIGRATIONS_DIR): Promise<string[]> {
  const applied: string[] = [];
  // Created under the lock on PostgreSQL: `create table if not exists` is not safe against a
  // second server doing the same at the same moment (duplicate pg_type row).
  const createTable = `create table if not exists schema_migrations (
    version text primary key,
    applied_at timestamptz not null default now()
  )`;
  const run = async (exec: (text: string) => Promise<void>, done: () => Promise<Set<string>>) => {
    const already = await done();
    for (const m of listMigrations(dir)) {
      if (already.has(m.version)) continue;
      const body = readFileSync(m.file, "utf8");
      await exec(`begin;\n${body}\n;insert into schema_migrations (version) values ('${m.version}');\ncommit;`);
      applied.push(m.version);
    }
  };
  const readDone = async (db: typeof handle.db) => {
    const rows = await sql<{ version: string }>`select version from schema_migrations`.execute(db);
    return new Set(rows.rows.map((r) => r.version));
  };

  if (handle.kind === "postgres") {
    await handle.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${LOCK_ID})`.execute(conn);
      try {
        await sql.raw(createTable).execute(conn);
        await run(
          async (text) => {
            try {
              await sql.raw(text).execute(conn);
            } catch (err) {
              await sql
                .raw("rollback")
                .execute(conn)
                .catch(() => {});
              throw err;
            }
          },
          () => readDone(conn),
        );
      } finally {
        await sql`select pg_advisory_unlock(${LOCK_ID})`.execute(conn);
      }
    });
  } else {
    await handle.exec(createTable);
    await run(
      async (text) => {
        try {
          await handle.exec(text);
        } catch (err) {
          await handle.exec("rollback").catch(() => {});
          throw err;
        }
      },
      () => readDone(handle.db),
    );
  }
  return applied;
}
