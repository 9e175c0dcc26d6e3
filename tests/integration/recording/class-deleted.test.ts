import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";
import { RecordingsRepo } from "../../../apps/server/src/recording/repo.js";

/**
 * "Records are deleted with the class": deleting a class removes its recordings' stored files
 * (MP4, HLS, thumbnail, captured parts) and capture folders, not only their rows — and nothing
 * of another class. The files are written to storage directly (what capture and processing
 * leave), so no FFmpeg is needed.
 */
describe("a deleted class takes its recordings' files with it", () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  async function recordedClass(hostId: string, title: string): Promise<{ roomId: string; ids: string[] }> {
    const roomId = await liveRoom(testApp, hostId, title);
    const repo = new RecordingsRepo(testApp.app.ctx.db);
    const ids: string[] = [];
    for (const part of ["first", "second"]) {
      const row = await repo.insert({ roomId, startedBy: hostId, title: `${title} ${part}`, nodeId: "test" });
      await repo.update(row!.id, { status: "ready", stopped_at: new Date(), duration_seconds: 4, progress: 100 });
      const storage = testApp.app.recording.storage;
      await storage.put(`rec/${row!.id}/out/recording.mp4`, Buffer.from(`${title} ${part}`));
      await storage.put(`rec/${row!.id}/out/hls/720p/seg0.ts`, Buffer.from("segment"));
      await storage.put(`rec/${row!.id}/tracks/cam.mkv`, Buffer.from("part"));
      const capture = testApp.app.recording.service.captureDir(row!.id);
      mkdirSync(capture, { recursive: true });
      writeFileSync(path.join(capture, "cam-1.mkv"), "captured");
      ids.push(row!.id);
    }
    return { roomId, ids };
  }

  it("removes every stored file and capture folder of the class's recordings, and keeps another class's", async () => {
    const teacher = await signUp(testApp, { role: "teacher" });
    const doomed = await recordedClass(teacher.user.id, "Geology");
    const kept = await recordedClass(teacher.user.id, "History");
    const storage = testApp.app.recording.storage;
    for (const id of doomed.ids) expect((await storage.list(`rec/${id}/`)).length).toBeGreaterThanOrEqual(3);
    const keptBefore = await Promise.all(kept.ids.map((id) => storage.list(`rec/${id}/`)));

    const res = await testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${doomed.roomId}`, headers: teacher.auth });
    expect(res.statusCode, res.body).toBe(200);

    for (const id of doomed.ids) {
      expect(await storage.list(`rec/${id}/`), id).toEqual([]);
      expect(existsSync(testApp.app.recording.service.captureDir(id)), id).toBe(false);
      expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${id}`, headers: teacher.auth })).statusCode).toBe(404);
    }
    for (const [i, id] of kept.ids.entries()) {
      expect(await storage.list(`rec/${id}/`), id).toEqual(keptBefore[i]);
      expect(existsSync(testApp.app.recording.service.captureDir(id)), id).toBe(true);
    }
  });
});
