import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

/** GET /api/v1/admin/status: admins only; reports without starting media. */
describe("admin status", () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it("answers admins with health, signalling, media and the recording queue; refuses others", async () => {
    expect((await testApp.app.inject({ url: "/api/v1/admin/status" })).statusCode).toBe(401);
    const teacher = await signUp(testApp, { role: "teacher" });
    const forbidden = await testApp.app.inject({ url: "/api/v1/admin/status", headers: teacher.auth });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe("FORBIDDEN");

    const admin = await makeAdmin(testApp);
    const res = await testApp.app.inject({ url: "/api/v1/admin/status", headers: admin.auth });
    expect(res.statusCode, res.body).toBe(200);
    const status = res.json();
    expect(status.health).toMatchObject({ status: "ok", database: "ok" });
    expect(status.signalling).toMatchObject({ adapter: "memory", socketsOnThisNode: 0, liveRooms: 0 });
    expect(status.signalling.nodes).toEqual([status.signalling.nodeId]);
    expect(status.media).toEqual({ mode: "in-process", started: false }); // asking does not start the SFU
    expect(status.recordings).toEqual({ active: 0, queued: 0, running: 0, failed: 0 });
  });
});
