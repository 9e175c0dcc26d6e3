import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { PGliteDialect } from "./pglite-dialect.js";

export type { Database } from "./schema.js";
export { migrate, listMigrations } from "./migrate.js";
export type DB = Kysely<Database>;

// int8 (counts, sums) come back as JS numbers, not strings, on real PostgreSQL too.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface DatabaseHandle {
  db: DB;
  kind: "pglite" | "postgres";
  /** Raw SQL for migrations (multiple statements allowed). */
  exec(sqlText: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the database: a real PostgreSQL when a URL is given, otherwise the embedded PGlite
 * stored under `<dataDir>/pglite` (or in memory for `memory://`).
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; inMemory?: boolean }): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    pool.on("error", () => {
      /* a dropped idle connection; the next query reconnects and /health reports trouble */
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    let closed = false;
    return {
      db,
      kind: "postgres",
      exec: async (text) => {
        await pool.query(text);
      },
      ping: () => pingDb(db),
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  let dir: string | undefined;
  if (!opts.inMemory) {
    dir = path.join(opts.dataDir, "pglite");
    mkdirSync(dir, { recursive: true });
  }
  const pglite = dir ? new PGlite(dir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    kind: "pglite",
    // Goes through Kysely so it waits its turn on the single PGlite connection.
    exec: async (text) => {
      await db.connection().execute(async () => {
        await pglite.exec(text);
      });
    },
    ping: () => pingDb(db),
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

async function pingDb(db: DB): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
