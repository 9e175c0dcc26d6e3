import { afterAll, beforeAll } from "vitest";
import pg from "pg";
import { createPgDatabase } from "../../helpers/db.js";
import { webE2E } from "./harness";

const BASE_DB = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * The board suites' set-up, called inside a `describe`: a PostgreSQL database of their own, the web
 * server on it (media off) with Chromium, a client to read its rows, and the whiteboard's kept strokes.
 */
export function boardE2E() {
  const database: { url: string; drop(): Promise<void> } = { url: "", drop: async () => {} };
  const db = { client: undefined as unknown as pg.Client };
  beforeAll(async () => {
    Object.assign(database, await createPgDatabase(BASE_DB));
  });
  const web = webE2E(() => ({ DATABASE_URL: database.url, VTP_MEDIA: "off" }));
  beforeAll(async () => {
    db.client = new pg.Client({ connectionString: database.url });
    await db.client.connect();
  });
  afterAll(async () => {
    await db.client?.end();
    await database.drop();
  });
  /** The whiteboard's kept strokes (of one page, or all). */
  const elementRows = async (page?: number) =>
    Number(
      (
        await db.client.query<{ count: string }>("select count(*) from board_elements where surface_id = 'whiteboard' and ($1::int is null or page = $1)", [
          page ?? null,
        ])
      ).rows[0]?.count,
    );
  return { web, db, elementRows };
}
