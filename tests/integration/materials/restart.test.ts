import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../apps/server/src/app.js";
import { migrate, openDatabase } from "../../../apps/server/src/db/index.js";
import { MemoryMailer, testConfig, type TestApp } from "../../helpers/app.js";
import { createRoom, person } from "../rooms/helpers.js";
import { makePdf, PDF_TYPE, upload } from "./helpers.js";

/**
 * Materials stay with the class across a server restart: the app is stopped and a new one starts
 * on the same data directory (embedded PGlite and local storage there, the default deployment);
 * the class's material is listed and its file is the same bytes.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-materials-restart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(): Promise<TestApp> {
  const config = testConfig({ VTP_DATA_DIR: dataDir, VTP_MEDIA: "off" });
  const database = await openDatabase({ dataDir });
  await migrate(database);
  const mailer = new MemoryMailer();
  const app = await buildApp(config, { database, mailer, logger: pino({ level: "silent" }) });
  await app.ready();
  return {
    app,
    config,
    mailer,
    dataDir,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

describe("materials across a server restart", () => {
  it("the next server lists the material and serves the same bytes", async () => {
    const first = await start();
    const teacher = await person(first, "teacher", "Teacher");
    const roomId = (await createRoom(first, teacher)).id;
    const created = await upload(first, teacher, roomId, await makePdf(4), PDF_TYPE, "unit-3.pdf");
    expect(created.statusCode, created.body).toBe(201);
    const material = created.json().material;
    const before = await first.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/materials/${material.id}/file`, headers: teacher.auth });
    await first.close();

    const second = await start();
    try {
      const list = await second.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/materials`, headers: teacher.auth });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().materials).toEqual([material]);
      const after = await second.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/materials/${material.id}/file`, headers: teacher.auth });
      expect(after.statusCode).toBe(200);
      expect(after.rawPayload.equals(before.rawPayload)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
