import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";
import type { RecorderSource, RecorderTrack } from "../../../apps/server/src/recording/index.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";
import { waitFor } from "../../helpers/wait.js";
import { capturedFor } from "../../helpers/recording.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recording warning test: ffmpeg is not installed");

/** Generated tracks, plus a published camera that never sends a frame (a broken browser). */
class SourceWithSilentCamera implements RecorderSource {
  readonly inner: FfmpegRtpSource;
  private onTrack?: (track: RecorderTrack) => void;
  keyFrameRequests = 0;

  constructor(private readonly userId: string) {
    this.inner = new FfmpegRtpSource(userId);
  }
  async start(onTrack: (track: RecorderTrack) => void) {
    this.onTrack = onTrack;
    await this.inner.start(onTrack);
  }
  addSilentCamera() {
    this.onTrack?.({
      id: "silent-cam",
      peerId: "peer-silent",
      userId: this.userId,
      kind: "video",
      source: "camera",
      codec: { name: "VP8", payloadType: 96, clockRate: 90000 },
      onRtp: () => () => {},
      onClose: () => {},
      requestKeyFrame: () => void this.keyFrameRequests++,
    });
  }
  async stop() {
    await this.inner.stop();
  }
}

describe.skipIf(!hasFfmpeg)("a recording is never silently blank", () => {
  let testApp: TestApp;
  let source: SourceWithSilentCamera;

  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
  });

  it("a published camera that yields no frames is a warning on the recording, for its host; the rest is recorded", async () => {
    const teacher = await signUp(testApp, { role: "teacher", fullName: "Rae Teacher" });
    const student = await signUp(testApp, { role: "student", fullName: "Lou Student" });
    const roomId = await liveRoom(testApp, teacher.user.id, "Warnings");
    source = new SourceWithSilentCamera(student.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);

    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().recording.id;
    await source.inner.addTrack("cam1", "video", "camera");
    await source.inner.addTrack("mic1", "audio", "microphone");
    source.addSilentCamera();
    // The recorder keeps asking the silent camera for a key frame, while the others are captured.
    await waitFor("two key frame requests to the silent camera", () => source.keyFrameRequests >= 2, 30_000);
    await capturedFor(testApp.app.recording.service, id, 3000, { producers: ["cam1", "mic1"] });
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);

    const rec = await waitProcessed(testApp, id, teacher.auth);
    expect(rec.status, JSON.stringify(rec)).toBe("ready");
    expect(rec.warnings, JSON.stringify(rec.warnings)).toHaveLength(1);
    expect(rec.warnings[0]).toMatchObject({
      code: "track-empty",
      kind: "video",
      source: "camera",
      userId: student.user.id,
      message: "No picture was recorded from Lou Student's camera.",
    });
    expect(rec.tracks).toHaveLength(3);
  });
});
