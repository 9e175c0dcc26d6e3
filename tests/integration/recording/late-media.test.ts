import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecorderSource, RecorderTrack } from "../../../apps/server/src/recording/index.js";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";
import { waitFor } from "../../helpers/wait.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP late media test: ffmpeg is not installed");

/** FFmpeg's UDP input gives up after 10 s without a packet; the media here comes later than that. */
const LATE_MS = 12_000;

/**
 * The generated tracks, handed over at once but whose packets only flow LATE_MS later: a recorder
 * whose media connection comes up slowly (seen in CI: 14 s on a busy machine).
 */
class LateSource implements RecorderSource {
  readonly inner = new FfmpegRtpSource(null);
  constructor(private readonly handedAt: () => number) {}
  start(onTrack: (track: RecorderTrack) => void) {
    return this.inner.start((track) =>
      onTrack({
        ...track,
        onRtp: (listener) => track.onRtp((packet) => performance.now() - this.handedAt() >= LATE_MS && listener(packet)),
      }),
    );
  }
  stop() {
    return this.inner.stop();
  }
}

describe.skipIf(!hasFfmpeg)("a track whose media comes seconds after it was handed over", () => {
  let testApp: TestApp;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;
  let handedAt = 0;
  const source = new LateSource(() => handedAt);

  beforeAll(async () => {
    testApp = await createTestApp();
    teacher = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "Slow link");
    testApp.app.recording.service.setSourceFactory(async () => source);
  });
  afterAll(async () => {
    await source.stop();
    await testApp?.close();
  });

  it("is captured from its first key frame in one part: no FFmpeg gave up waiting for it before", async () => {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id: string = res.json().recording.id;
    handedAt = performance.now();
    await source.inner.addTrack("cam1", "video", "camera");
    const session = testApp.app.recording.service.activeSession(id)!;
    const cam = await waitFor("the camera's capture", () => session.captures.get("cam1")?.capture, 30_000);
    await waitFor(
      "three seconds of the camera captured",
      () => cam.parts[0] && cam.parts[0].offsetMs >= 0 && cam.lastPacketAt - cam.parts[0].offsetMs >= 3000,
      {
        timeoutMs: LATE_MS + 60_000,
        intervalMs: 100,
      },
    );
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, id, teacher.auth);
    expect(rec.status, JSON.stringify(rec)).toBe("ready");
    const [camTrack] = rec.tracks;
    // One part, from when the media came: not a first FFmpeg that probed nothing for 10 s, failed
    // ("Could not find codec parameters … unspecified size") and left a gap.
    expect(camTrack.parts, JSON.stringify(camTrack.parts)).toHaveLength(1);
    expect(camTrack.parts[0].gapReason).toBeUndefined();
    expect(camTrack.startOffsetMs).toBeGreaterThanOrEqual(LATE_MS - 2000);
    const log = readFileSync(path.join(testApp.app.recording.service.captureDir(id), cam.parts[0]!.file.replace(/\.mkv$/, ".log")), "utf8");
    expect(log).not.toMatch(/Could not find codec parameters/);
  }, 180_000);
});
