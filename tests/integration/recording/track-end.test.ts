import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";
import { waitFor } from "../../helpers/wait.js";
import { liveRoom } from "../../helpers/rooms.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP track end test: ffmpeg is not installed");

describe.skipIf(!hasFfmpeg)("where a closed track ends on the recording's timeline", () => {
  let testApp: TestApp;
  let source: FfmpegRtpSource;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    teacher = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "Ends");
    source = new FfmpegRtpSource(teacher.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
  });

  it("a share whose sender went quiet before its close arrived ends at its last frame, not at the close", async () => {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id: string = res.json().recording.id;
    await source.addTrack("cam1", "video", "camera");
    const endShare = await source.addTrack("scr1", "video", "screen");
    const session = testApp.app.recording.service.activeSession(id)!;
    const share = await waitFor("the share's capture", () => session.captures.get("scr1")?.capture, 30_000);
    await waitFor("the share to be captured for a while", () => share.packets > 150 && share, 30_000);
    const quietAt = session.clock();
    // The sender stops; its close reaches the recorder 1.5 s later.
    await endShare({ silentForMs: 1500 });
    const closedAt = session.clock();
    const camera = session.captures.get("cam1")!.capture;
    const cameraPackets = camera.packets;
    await waitFor("the camera to go on after the share", () => camera.packets > cameraPackets + 25, 30_000);
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, id, teacher.auth);
    expect(rec.status, JSON.stringify(rec)).toBe("ready");
    const screen = rec.tracks.find((x: { source: string }) => x.source === "screen");
    // Its last frame was forwarded at most a few hundred ms before it went quiet.
    expect(screen.endOffsetMs, JSON.stringify({ quietAt, closedAt, screen })).toBeLessThanOrEqual(quietAt + 300);
    expect(screen.endOffsetMs).toBeGreaterThan(quietAt - 1000);
    expect(closedAt - quietAt).toBeGreaterThanOrEqual(1400);
    // A track still live when the recording stops ends at the stop.
    const cam = rec.tracks.find((x: { source: string }) => x.source === "camera");
    expect(cam.endOffsetMs).toBeGreaterThan(closedAt);
  });
});
