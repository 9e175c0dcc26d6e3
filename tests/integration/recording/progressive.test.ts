import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { contentProblems, isPicture, STAGE, still, tileRegion } from "../../helpers/media-content.js";
import { capturedFor } from "../../helpers/recording.js";
import { liveRoom } from "../../helpers/rooms.js";
import { waitFor } from "../../helpers/wait.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { composedDuringClass, waitProcessed } from "./wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP progressive recording tests: ffmpeg is not installed");

/**
 * Issue 13 §3: a recording is composed while the class runs (recording/progressive/), so Stop
 * leaves only the last seconds to compose and the pieces to join. The class here is FFmpeg's
 * RTP (a camera test pattern, a tone, a magenta "screen"); the checks are on the pictures and
 * the sound of the MP4 and both HLS variants that a viewer gets.
 */
describe.skipIf(!hasFfmpeg)("a recording composed while the class runs", () => {
  let testApp: TestApp;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;
  let source: FfmpegRtpSource;
  let base: string;

  beforeAll(async () => {
    testApp = await createTestApp({ RECORDING_COMPOSE_LIVE: "true" });
    teacher = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "Lecture");
    source = new FfmpegRtpSource(teacher.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);
    base = await testApp.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
  });

  const service = () => testApp.app.recording.service;
  const windowFile = (recordingId: string, n: number) => path.join(service().captureDir(recordingId), "progressive", `w${String(n).padStart(5, "0")}-720.ts`);
  const start = async () => {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().recording.id as string;
  };
  const stop = async (recordingId: string) => {
    const res = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(res.statusCode, res.body).toBe(200);
    const stoppedAt = Date.now();
    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    console.log(`recording ${recordingId}: ${rec.durationSeconds} s, ${rec.status} ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after Stop`);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    return rec;
  };

  it("composes windows during the class and, at Stop, joins them: the camera, the screen share and the sound are where they were", async () => {
    const recordingId = await start();
    await source.addTrack("cam", "video", "camera");
    await source.addTrack("mic", "audio", "microphone");
    await capturedFor(service(), recordingId, 5000, { tracks: 2 });
    const endShare = await source.addTrack("screen", "video", "screen", { size: "1280x720", screen: true });
    await capturedFor(service(), recordingId, 6000, { producers: ["screen"] });
    await endShare();
    // Composed as the class goes: before anyone presses Stop, the second window's first frame (read
    // from a seek into the camera's file) is already the camera's picture.
    await waitFor("two windows composed during the class", () => existsSync(windowFile(recordingId, 3)), { timeoutMs: 60_000 });
    expect(isPicture(await still(windowFile(recordingId, 2)))).toBe(true);
    await capturedFor(service(), recordingId, 14_000, { producers: ["cam"] });
    const rec = await stop(recordingId);
    expect(await composedDuringClass(testApp, recordingId)).toBe(true);
    expect(existsSync(path.join(service().captureDir(recordingId), "progressive"))).toBe(false);

    const durationS = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const track = (id: string) => rec.tracks.find((t: { producerId: string }) => t.producerId === id);
    const shareFrom = track("screen").startOffsetMs / 1000;
    const shareTo = track("screen").endOffsetMs / 1000;
    const camFrom = track("cam").startOffsetMs / 1000;
    const expected = {
      durationS,
      cameras: [
        // The teacher's camera fills the stage until the first share, then is also a tile (slot 0).
        { name: "the teacher's camera (stage)", from: camFrom + 1, to: shareFrom - 0.5, region: () => STAGE },
        { name: "the teacher's camera (tile)", from: shareFrom, to: durationS, region: () => tileRegion(0) },
      ].filter((c) => c.to > c.from),
      screens: [{ from: shareFrom, to: shareTo }],
      mics: [{ from: track("mic").startOffsetMs / 1000 + 1, to: durationS }],
    };
    const links = `${base}/api/v1/recordings/${recordingId}`;
    const download = `${links}/download?${new URL(rec.urls.download, base).searchParams}`;
    const master = await (await fetch(`${links}/stream`, { headers: teacher.auth })).text();
    const variants = master.split("\n").filter((l) => l.startsWith("/api/"));
    expect(variants).toHaveLength(2);
    expect(master).toMatch(/RESOLUTION=1280x720/);
    expect(master).toMatch(/RESOLUTION=640x360/);
    const problems = [
      ...(await contentProblems(download, expected, "MP4")),
      ...(await contentProblems(`${base}${variants[0]}`, expected, "HLS 720p")),
      ...(await contentProblems(`${base}${variants[1]}`, expected, "HLS 360p")),
    ];
    expect(problems).toEqual([]);
    const thumb = await fetch(`${links}/thumbnail`, { headers: teacher.auth });
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
  });

  it("composes after class as before when composing during the class could not go on", async () => {
    const recordingId = await start();
    await source.addTrack("cam-b", "video", "camera");
    await source.addTrack("mic-b", "audio", "microphone");
    await waitFor("the first window", () => existsSync(windowFile(recordingId, 1)) && statSync(windowFile(recordingId, 1)).size > 0, { timeoutMs: 60_000 });
    // Its directory goes (a full disk, an operator's clean-up): the next windows cannot be written.
    rmSync(path.join(service().captureDir(recordingId), "progressive"), { recursive: true, force: true });
    await capturedFor(service(), recordingId, 12_000, { producers: ["cam-b"] });
    const rec = await stop(recordingId);
    expect(await composedDuringClass(testApp, recordingId)).toBe(false);
    const durationS = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const camFrom = rec.tracks.find((t: { producerId: string }) => t.producerId === "cam-b").startOffsetMs / 1000;
    const problems = await contentProblems(
      `${base}/api/v1/recordings/${recordingId}/download?${new URL(rec.urls.download, base).searchParams}`,
      {
        durationS,
        cameras: [{ name: "the teacher's camera", from: camFrom + 1, to: durationS, region: () => STAGE }],
        screens: [],
        mics: [{ from: camFrom + 1, to: durationS }],
      },
      "MP4",
    );
    expect(problems).toEqual([]);
  });
});
