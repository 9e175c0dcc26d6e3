import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { listMigrations, migrate, openDatabase } from "../../../apps/server/src/db/index.js";
import { createPgDatabase } from "../../helpers/db.js";

describe("migrations", () => {
  it("apply once, in order, and are idempotent (PGlite)", async () => {
    const db = await openDatabase({ dataDir: "", inMemory: true });
    try {
      const first = await migrate(db);
      expect(first).toEqual(listMigrations().map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const rows = await sql<{ version: string }>`select version from schema_migrations order by version`.execute(db.db);
      expect(rows.rows.map((r) => r.version)).toEqual(first);
    } finally {
      await db.close();
    }
  });

  // Two servers starting at the same moment against one fresh PostgreSQL database (this raced
  // on `create table if not exists schema_migrations` before it moved under the advisory lock).
  it.skipIf(!process.env.TEST_DATABASE_URL)("survive several servers migrating one PostgreSQL database at once", async () => {
    const { url, drop } = await createPgDatabase(process.env.TEST_DATABASE_URL!);
    const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url, dataDir: "" })));
    try {
      const results = await Promise.all(handles.map((h) => migrate(h)));
      const all = listMigrations().map((m) => m.version);
      // exactly one of them applied everything, the others found nothing to do
      expect(results.flat().sort()).toEqual([...all].sort());
      expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await drop();
    }
  });
});
