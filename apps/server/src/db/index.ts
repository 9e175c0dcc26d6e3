import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { acquireDataDirLock } from "./data-dir-lock.js";
import { guardedPool } from "./guarded-pool.js";
import { DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from "./settings.js";
import { classifyDatabaseError } from "./unavailable.js";

export type { Database } from "./schema.js";
export { migrate, listMigrations } from "./migrate.js";
export { DataDirLockedError, lockHolder, type LockHolder } from "./data-dir-lock.js";
export { readDatabaseSettings, DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from "./settings.js";
export { isDatabaseUnavailable, databaseUnavailable, classifyDatabaseError, DATABASE_RETRY_AFTER_SECONDS } from "./unavailable.js";
export type DB = Kysely<Database>;

// int8 (counts, sums) come back as JS numbers, not strings, on real PostgreSQL too.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export interface DatabaseHandle {
  db: DB;
  kind: "pglite" | "postgres";
  /** Raw SQL for migrations (multiple statements allowed). */
  exec(sqlText: string): Promise<void>;
  /** True when a trivial query answers within the health timeout (DATABASE_HEALTH_TIMEOUT_MS). */
  ping(): Promise<boolean>;
  /** Connections for /metrics: the pg pool's counts, or PGlite's one connection (open or closed). */
  poolStats(): DatabasePoolStats;
  close(): Promise<void>;
}

export interface DatabasePoolStats {
  /** False once closed. */
  open: boolean;
  /** Connections open (PGlite: 1 while open, 0 once closed). */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

/**
 * Opens the database: a real PostgreSQL when a URL is given, otherwise the embedded PGlite
 * stored under `<dataDir>/pglite` (or in memory). The embedded one belongs to one process at a
 * time: opening it takes the data directory's lock (DataDirLockedError when another process
 * holds it) and closing it releases the lock. `owner` names the command in that lock.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  inMemory?: boolean;
  owner?: string;
  settings?: DatabaseSettings;
}): Promise<DatabaseHandle> {
  const settings = opts.settings ?? DEFAULT_DATABASE_SETTINGS;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: settings.poolSize,
      // Opening a connection, or waiting for a free one, gives up after this long.
      connectionTimeoutMillis: settings.connectTimeoutMs,
      // The server cancels a long statement; the client stops waiting a second later when the server is not answering at all.
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs + 1000,
      keepAlive: true,
    });
    pool.on("error", () => {
      /* a dropped idle connection; the next query reconnects and /health reports trouble */
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool) }) });
    let closed = false;
    return {
      db,
      kind: "postgres",
      exec: async (text) => {
        await pool.query(text).catch((err) => {
          throw classifyDatabaseError(err);
        });
      },
      ping: () => pingDb(db, settings.healthTimeoutMs),
      poolStats: () =>
        closed ? { open: false, total: 0, idle: 0, waiting: 0 } : { open: true, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
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
    ping: () => pingDb(db, settings.healthTimeoutMs),
    poolStats: () => (closed || pglite.closed ? { open: false, total: 0, idle: 0, waiting: 0 } : { open: true, total: 1, idle: 1, waiting: 0 }),
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

/** `select 1` within `timeoutMs`; a hung database answers false in time instead of holding the caller. */
async function pingDb(db: DB, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const query = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}
