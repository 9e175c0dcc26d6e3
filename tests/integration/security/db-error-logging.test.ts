import { Writable } from "node:stream";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../../apps/server/src/app.js";
import { createLogger } from "../../../apps/server/src/logging.js";
import { MemoryMailer, testConfig } from "../../helpers/app.js";
import { freshDatabase } from "../../helpers/db.js";

/**
 * A failed INSERT into an account table must not put the row's values in the log: the error
 * is logged (it is a bug, a 500) with its message and constraint, without the query's
 * parameters (the bcrypt hash among them) or the failing row. The app logs through the
 * process logger (`createLogger`, JSON lines), captured here; a CHECK constraint added by the
 * test makes the INSERT of one name fail, on PGlite or on PostgreSQL (TEST_DATABASE_URL).
 */

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    cb();
  },
});

let app: FastifyInstance;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let dataDir: string;

beforeAll(async () => {
  const config = testConfig({ LOG_LEVEL: "info" });
  dataDir = config.dataDir;
  db = await freshDatabase();
  await db.handle.exec("alter table users add constraint users_name_probe check (full_name <> 'Refused By Constraint')");
  app = await buildApp(config, { database: db.handle, mailer: new MemoryMailer(), logger: createLogger({ logLevel: "info", logFormat: "json" }, sink) });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("a failed INSERT into users", () => {
  it("answers 500 INTERNAL_ERROR and logs the error without the query's parameters or the failing row", async () => {
    const password = "a very particular passphrase 4417";
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/auth/register",
      payload: { email: "probe@school.test", password, fullName: "Refused By Constraint", role: "student" },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe("INTERNAL_ERROR");

    const logged = lines.filter((l) => l.includes("users_name_probe"));
    expect(logged.length, lines.join("\n").slice(0, 2000)).toBeGreaterThan(0);
    const all = lines.join("\n");
    // The error is there, with what a person needs to find the bug…
    expect(all).toMatch(/violates check constraint/);
    // …and none of the row's values: no bcrypt hash, no password, no email, no "Failing row contains (…)".
    expect(all).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(all).not.toContain(password);
    expect(all).not.toContain("probe@school.test");
    expect(all).not.toMatch(/Failing row/i);
    for (const line of logged) {
      const err = JSON.parse(line).err ?? {};
      expect(err).not.toHaveProperty("params");
      expect(err).not.toHaveProperty("parameters");
      expect(err).not.toHaveProperty("detail");
    }
  });
});
