import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, migrate, type DatabaseHandle } from "../../apps/server/src/db/index.js";

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or — when
 * TEST_DATABASE_URL is set — a new database created on that PostgreSQL server and dropped
 * afterwards, so test files never see each other's rows.
 */
export async function freshDatabase(): Promise<{ handle: DatabaseHandle; url?: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const handle = await openDatabase({ dataDir: "", inMemory: true });
    await migrate(handle);
    return { handle, drop: () => handle.close() };
  }
  const { url, drop } = await createPgDatabase(base);
  const handle = await openDatabase({ databaseUrl: url, dataDir: "" });
  await migrate(handle);
  return {
    handle,
    url,
    drop: async () => {
      await handle.close();
      await drop();
    },
  };
}

/** Creates an empty database on the server of `base`; returns its URL and a dropper. */
export async function createPgDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vtp_t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(base);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
