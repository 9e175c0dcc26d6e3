import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";
import { waitFor } from "../../helpers/wait.js";
import { liveRoom } from "../../helpers/rooms.js";
import { capturedFor } from "../../helpers/recording.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
// Async: the server under test answers ffprobe from this same process.
const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

describe.skipIf(!hasFfmpeg)("recording a class (FFmpeg-generated RTP)", () => {
  let testApp: TestApp;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let student: Awaited<ReturnType<typeof signUp>>;
  let other: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;
  let source: FfmpegRtpSource;
  let recordingId: string;
  let base: string;

  beforeAll(async () => {
    if (!hasFfmpeg) console.warn("SKIP recording tests: ffmpeg is not installed");
    testApp = await createTestApp();
    teacher = await signUp(testApp, { role: "teacher" });
    student = await signUp(testApp, { role: "student" });
    other = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "Physics");
    source = new FfmpegRtpSource(teacher.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);
    base = await testApp.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
  });

  it("a student cannot start a recording", async () => {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: student.auth, payload: { roomId } });
    expect(res.statusCode).toBe(403);
  });

  it("records camera + mic with a screen share joining halfway, and processes it", async () => {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    recordingId = res.json().recording.id;
    expect(res.json().recording.status).toBe("recording");
    const again = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(again.json().error.code).toBe("RECORDING_ALREADY_ACTIVE");
    await source.addTrack("cam1", "video", "camera");
    await source.addTrack("mic1", "audio", "microphone");
    await capturedFor(testApp.app.recording.service, recordingId, 5000, { tracks: 2 });
    const mk = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${roomId}/recording/markers`,
      headers: teacher.auth,
      payload: { label: "Newton's laws" },
    });
    expect(mk.statusCode, mk.body).toBe(201);
    await source.addTrack("scr1", "video", "screen", { size: "1280x720" });
    await capturedFor(testApp.app.recording.service, recordingId, 5000, { tracks: 3 });
    const studentStop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: student.auth });
    expect([403, 404]).toContain(studentStop.statusCode);
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    expect(rec.tracks).toHaveLength(3);
    const screen = rec.tracks.find((x: { source: string }) => x.source === "screen");
    const cam = rec.tracks.find((x: { source: string }) => x.source === "camera");
    expect(screen.startOffsetMs).toBeGreaterThan(cam.startOffsetMs + 3000);
    // the teacher's marker, and the automatic one for the screen share that started halfway
    expect(rec.markers.map((m: { kind: string; label: string }) => [m.kind, m.label])).toEqual([
      ["marker", "Newton's laws"],
      ["screen", "Screen share — Test User"],
    ]);
    const expected = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    expect(Math.abs(rec.durationSeconds - expected)).toBeLessThan(1);

    const dl = `${base}/api/v1/recordings/${recordingId}/download?${new URL(rec.urls.download, base).searchParams}`;
    const info = await probe(dl);
    expect(Math.abs(Number(info.format.duration) - expected)).toBeLessThan(1);
    expect(info.streams.map((s: { codec_name: string }) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(info.streams.find((s: { codec_type: string }) => s.codec_type === "video").width).toBe(1280);
    expect(Number(info.format.size)).toBe(rec.sizeBytes);
    // HTTP Range
    const part = await fetch(`${base}/api/v1/recordings/${recordingId}/download`, { headers: { ...teacher.auth, range: "bytes=0-99" } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    // HLS master and both variants through the signed URLs
    const master = await fetch(`${base}/api/v1/recordings/${recordingId}/stream`, { headers: teacher.auth });
    const text = await master.text();
    const variants = text.split("\n").filter((l) => l.startsWith("/api/"));
    expect(variants).toHaveLength(2);
    expect(text).toMatch(/RESOLUTION=1280x720/);
    expect(text).toMatch(/RESOLUTION=640x360/);
    for (const variant of variants) {
      const vi = await probe(`${base}${variant}`);
      expect(vi.streams.some((s: { codec_name: string }) => s.codec_name === "h264")).toBe(true);
      expect(Math.abs(Number(vi.format.duration) - expected)).toBeLessThan(1.5);
    }
    const thumb = await fetch(`${base}/api/v1/recordings/${recordingId}/thumbnail`, { headers: teacher.auth });
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    const tInfo = await probe(`${base}/api/v1/recordings/${recordingId}/thumbnail?${new URL(rec.urls.thumbnail, base).searchParams}`);
    expect(tInfo.streams[0].codec_name).toBe("mjpeg");
  });

  it("another teacher cannot read, download or delete a private recording; an admin can read it", async () => {
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}`, headers: other.auth })).statusCode).toBe(404);
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/download`, headers: other.auth })).statusCode).toBe(404);
    expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${recordingId}`, headers: other.auth })).statusCode).toBe(404);
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings?roomId=${roomId}`, headers: other.auth })).json().recordings).toEqual([]);
    expect(
      (await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/hls/720p/index.m3u8?exp=99999999999&sig=forged` })).statusCode,
    ).toBe(403);
    const admin = await makeAdmin(testApp);
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}`, headers: admin.auth })).statusCode).toBe(200);
  });

  it("a share link plays without an account until it is revoked or expires", async () => {
    const share = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth, payload: {} });
    expect(share.statusCode, share.body).toBe(201);
    const { apiUrl } = share.json();
    expect((await testApp.app.inject({ method: "GET", url: apiUrl })).json().recording.id).toBe(recordingId);
    expect((await testApp.app.inject({ method: "GET", url: `${apiUrl}/stream` })).body).toMatch(/#EXTM3U/);
    expect((await testApp.app.inject({ method: "GET", url: `${apiUrl}/thumbnail` })).statusCode).toBe(200);
    expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth })).statusCode).toBe(204);
    expect((await testApp.app.inject({ method: "GET", url: apiUrl })).json().error.code).toBe("SHARE_NOT_FOUND");
    const short = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/recordings/${recordingId}/share`,
      headers: teacher.auth,
      payload: { expiresInHours: 0.0003 },
    });
    const shortUrl = short.json().apiUrl;
    expect((await testApp.app.inject({ method: "GET", url: shortUrl })).statusCode).toBe(200);
    await waitFor("the short link to expire", async () => (await testApp.app.inject({ method: "GET", url: shortUrl })).statusCode === 404, {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
  });

  it("the host deletes the recording and its files", async () => {
    expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${recordingId}`, headers: teacher.auth })).statusCode).toBe(204);
    expect(await testApp.app.recording.storage.list(`rec/${recordingId}/`)).toEqual([]);
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}`, headers: teacher.auth })).statusCode).toBe(404);
  });
});
