import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";

describe("markers over REST: permission before state", () => {
  let testApp: TestApp;
  afterAll(async () => void (await testApp?.close()));
  beforeAll(async () => {
    testApp = await createTestApp();
  });

  it("a student learns nothing about whether a class is recorded: 403, not 409", async () => {
    const teacher = await signUp(testApp, { role: "teacher" });
    const student = await signUp(testApp, { role: "student" });
    const roomId = await liveRoom(testApp, teacher.user.id, "Marked");
    const asStudent = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${roomId}/recording/markers`,
      headers: student.auth,
      payload: { label: "x" },
    });
    expect(asStudent.statusCode, asStudent.body).toBe(403);
    expect(asStudent.json().error.code).toBe("FORBIDDEN");
    const asHost = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${roomId}/recording/markers`,
      headers: teacher.auth,
      payload: { label: "x" },
    });
    expect(asHost.statusCode, asHost.body).toBe(409);
  });
});
