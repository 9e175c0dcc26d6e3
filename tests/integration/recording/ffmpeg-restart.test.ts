import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";
import { waitFor } from "../../helpers/wait.js";
import { liveRoom } from "../../helpers/rooms.js";
import { capturedFor } from "../../helpers/recording.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP FFmpeg restart test: ffmpeg is not installed");
const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");
/** Seconds from the first to the last packet (a killed part has no duration in its header). */
const spanOf = async (file: string) => {
  const pts = (
    await promisify(execFile)("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file])
  ).stdout
    .split("\n")
    .map(Number)
    .filter((x) => Number.isFinite(x) && x > 0);
  return pts.length ? Math.max(...pts) - Math.min(...pts) : 0;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasFfmpeg)("the capture FFmpeg dies mid-recording", () => {
  let testApp: TestApp;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;
  let source: FfmpegRtpSource;

  beforeAll(async () => {
    testApp = await createTestApp();
    teacher = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "Crashy");
    source = new FfmpegRtpSource(teacher.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
  });

  it("restarts it into a new part, records the gap, and the MP4 still covers the whole recording", async () => {
    const base = await testApp.app.listen({ port: 0, host: "127.0.0.1" });
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id: string = res.json().recording.id;
    await source.addTrack("cam1", "video", "camera");
    await source.addTrack("mic1", "audio", "microphone");
    const session = testApp.app.recording.service.activeSession(id)!;
    expect(session).toBeDefined();
    const cam = await waitFor("the camera capture", () => session.captures.get("cam1")?.capture);
    // Wait until the first part really captures (its offset is set by the first forwarded packet).
    await waitFor("the first part to capture", () => cam.parts.length === 1 && cam.parts[0]!.offsetMs >= 0 && cam.packets > 50);
    await capturedFor(testApp.app.recording.service, id, 2000, { producers: ["cam1"] });
    const pid = cam.parts[0]!.pid!;
    expect(alive(pid)).toBe(true);
    process.kill(pid, "SIGKILL");
    await waitFor("the FFmpeg to be gone", () => !alive(pid));
    // A new FFmpeg, a new part, and it captures again.
    await waitFor("a second part capturing", () => cam.parts.length >= 2 && cam.parts[1]!.offsetMs >= 0);
    const second = cam.parts[1]!;
    expect(second.pid).not.toBe(pid);
    expect(alive(second.pid!)).toBe(true);
    expect(second.gapReason).toMatch(/SIGKILL/);
    // Three seconds of camera on the second part (from its first packet, on the recording's clock).
    await waitFor("three seconds on the second part", () => cam.lastPacketAt - second.offsetMs >= 3000, 30_000);

    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, id, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    expect(alive(second.pid!)).toBe(false);

    const camTrack = rec.tracks.find((x: { source: string }) => x.source === "camera");
    const micTrack = rec.tracks.find((x: { source: string }) => x.source === "microphone");
    expect(camTrack.parts.length).toBeGreaterThanOrEqual(2);
    const [p1, p2] = camTrack.parts;
    expect(p1.gapReason).toBeUndefined();
    expect(p1.endOffsetMs).toBeGreaterThan(p1.offsetMs);
    expect(p2.gapReason).toMatch(/ffmpeg exited \(SIGKILL\)/);
    expect(p2.offsetMs).toBeGreaterThanOrEqual(p1.endOffsetMs);
    expect(micTrack.parts).toHaveLength(1);
    const dir = testApp.app.recording.service.captureDir(id);
    const files = cam.parts.filter((p) => p.offsetMs >= 0).map((p) => `${dir}/${p.file}`);
    expect(files).toHaveLength(camTrack.parts.length);
    // Both parts are readable files (the killed one too) holding what was captured into them,
    // so the MP4 shows the camera before and after the gap, not only a canvas of the right length.
    for (const [i, file] of files.slice(0, 2).entries()) {
      const seconds = await spanOf(file);
      // Not compared with the part's wall time: run beside other FFmpeg-heavy tests on 2 cores a part
      // holds noticeably less video than its wall span (open question, see docs). Before the
      // -flush_packets/-cluster_time_limit fix the killed part was not readable at all.
      expect(seconds, `part ${i + 1}: ${seconds} s of video`).toBeGreaterThan(0.5);
    }

    const expected = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    expect(Math.abs(rec.durationSeconds - expected)).toBeLessThan(1);
    const info = await probe(`${base}/api/v1/recordings/${id}/download?${new URL(rec.urls.download, base).searchParams}`);
    expect(Math.abs(Number(info.format.duration) - expected)).toBeLessThan(1);
    const video = info.streams.find((s: { codec_type: string }) => s.codec_type === "video");
    expect(Math.abs(Number(video.duration) - expected)).toBeLessThan(1);
    expect(info.streams.map((s: { codec_name: string }) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  });
});
