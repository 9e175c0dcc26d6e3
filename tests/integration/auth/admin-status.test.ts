import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

/** GET /api/v1/admin/status: admins only; reports without starting media. */
describe("admin status", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers admins with health, signalling, media and the recording queue; refuses others", async () => {
    expect((await t.app.inject({ url: "/api/v1/admin/status" })).statusCode).toBe(401);
    const teacher = await signUp(t, { role: "teacher" });
    const forbidden = await t.app.inject({ url: "/api/v1/admin/status", headers: teacher.auth });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe("FORBIDDEN");

    const admin = await makeAdmin(t);
    const r = await t.app.inject({ url: "/api/v1/admin/status", headers: admin.auth });
    expect(r.statusCode, r.body).toBe(200);
    const s = r.json();
    expect(s.health).toMatchObject({ status: "ok", database: "ok" });
    expect(s.signalling).toMatchObject({ adapter: "memory", socketsOnThisNode: 0, liveRooms: 0 });
    expect(s.signalling.nodes).toEqual([s.signalling.nodeId]);
    expect(s.media).toEqual({ mode: "in-process", started: false }); // asking does not start the SFU
    expect(s.recordings).toEqual({ active: 0, queued: 0, running: 0, failed: 0 });
  });
});
