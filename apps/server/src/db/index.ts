import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { acquireDataDirLock } from "./data-dir-lock.js";

export type { Database } from "./schema.js";
export { migrate, listMigrations } from "./migrate.js";
export { DataDirLockedError, lockHolder, type LockHolder } from "./data-dir-lock.js";
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
 * stored under `<dataDir>/pglite` (or in memory). The embedded one belongs to one process at a
 * time: opening it takes the data directory's lock (DataDirLockedError when another process
 * holds it) and closing it releases the lock. `owner` names the command in that lock.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; inMemory?: boolean; owner?: string }): Promise<DatabaseHandle> {
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
  const lock = opts.inMemory ? undefined : acquireDataDirLock(opts.dataDir, opts.owner ?? defaultOwner());
  let dir: string | undefined;
  let pglite: import("@electric-sql/pglite").PGlite;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    if (!opts.inMemory) {
      dir = path.join(opts.dataDir, "pglite");
      mkdirSync(dir, { recursive: true });
    }
    pglite = dir ? new PGlite(dir) : new PGlite();
    await pglite.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
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
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/** "vtp worker" for `vtp worker`; only the command word, never its arguments (they may hold a password). */
function defaultOwner(): string {
  const word = process.argv[2];
  return word && /^[a-z-]{1,20}$/.test(word) ? `vtp ${word}` : "a VTP process";
}

async function pingDb(db: DB): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
