import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { RoomsRepo } from "../../../apps/server/src/rooms/index.js";

describe("markers over REST: permission before state", () => {
  let t: TestApp;
  afterAll(async () => void (await t?.close()));
  beforeAll(async () => {
    t = await createTestApp();
  });

  it("a student learns nothing about whether a class is recorded: 403, not 409", async () => {
    const teacher = await signUp(t, { role: "teacher" });
    const student = await signUp(t, { role: "student" });
    const rooms = new RoomsRepo(t.app.ctx.db);
    const roomId = await rooms.insert({
      code: `M${Date.now().toString(36)}`.slice(0, 10),
      title: "Marked",
      description: "",
      host_id: teacher.user.id,
      scheduled_start: null,
      students_can_publish: false,
      waiting_room: false,
      max_participants: 10,
      chat_enabled: true,
    });
    await rooms.markLive(roomId);
    const asStudent = await t.app.inject({ method: "POST", url: `/api/v1/rooms/${roomId}/recording/markers`, headers: student.auth, payload: { label: "x" } });
    expect(asStudent.statusCode, asStudent.body).toBe(403);
    expect(asStudent.json().error.code).toBe("FORBIDDEN");
    const asHost = await t.app.inject({ method: "POST", url: `/api/v1/rooms/${roomId}/recording/markers`, headers: teacher.auth, payload: { label: "x" } });
    expect(asHost.statusCode, asHost.body).toBe(409);
  });
});
