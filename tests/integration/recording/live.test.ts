import { execFile, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";
import { waitProcessed } from "./wait.js";
import { contentProblems, isPicture, still, STAGE, tileRegion, type ExpectedContent } from "../../helpers/media-content.js";
import { waitFor } from "../../helpers/wait.js";
import { capturedFor } from "../../helpers/recording.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP live recording test: ffmpeg is not installed (apt-get install ffmpeg)");
const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

describe.skipIf(!hasFfmpeg)("recording a live class from the SFU (the recorder is a participant)", () => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person, student: Person, late: Person;
  const clients: TestClient[] = [];
  let pub: SocketPublisher | undefined;

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "53000", RTC_MAX_PORT: "53999" }));
    teacher = await person(testApp, "teacher", "Teacher");
    student = await person(testApp, "student", "Student");
    late = await person(testApp, "student", "Late Student");
  });
  afterAll(async () => {
    await pub?.close();
    for (const c of clients) c.close();
    await testApp?.close();
  });

  it("records camera + mic published over Socket.IO, a screen share that starts halfway, and processes them", async ({ onTestFailed }) => {
    let recordingId = "";
    onTestFailed(() => {
      // The captured tracks and FFmpeg logs, for a look at what went wrong.
      const dir = recordingId ? testApp.app.recording.service.captureDir(recordingId) : "";
      if (!dir || !existsSync(dir)) return;
      const to = path.join("test-artifacts", "recording-live");
      mkdirSync(to, { recursive: true });
      cpSync(dir, to, { recursive: true });
      console.warn(`recording files copied to ${to}`);
    });
    const room = await createRoom(testApp, teacher, { title: "Optics" });
    const teacherSession = await joined(url, teacher, room.id);
    const studentSession = await joined(url, student, room.id);
    clients.push(teacherSession.c, studentSession.c);
    expect(studentSession.c.has("recording-started")).toBe(false);
    pub = new SocketPublisher(teacherSession.c);
    const [cam, mic] = await pub.publish(["camera", "microphone"]);

    const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
    expect(start.statusCode, start.body).toBe(201);
    recordingId = start.json().recording.id;
    for (const client of [teacherSession.c, studentSession.c]) expect((await client.waitFor("recording-started")).recordingId).toBe(recordingId);

    // Someone joining now learns that the class is being recorded.
    const lateSession = await joined(url, late, room.id);
    clients.push(lateSession.c);
    expect((await lateSession.c.waitFor("recording-started")).recordingId).toBe(recordingId);

    await capturedFor(testApp.app.recording.service, recordingId, 10_000);
    const [screen] = await pub.publish(["screen"], { size: "960x540" });
    const marker = await teacherSession.c.emit("add-marker", { roomId: room.id, label: "Refraction" });
    expect(marker, JSON.stringify(marker)).toMatchObject({ ok: true, marker: { label: "Refraction", kind: "marker" } });
    expect((await studentSession.c.emit("add-marker", { roomId: room.id, label: "mine" })).error.code).toBe("FORBIDDEN");
    expect((await teacherSession.c.emit("add-marker", { roomId: room.id, label: "" })).error.code).toBe("VALIDATION_FAILED");
    await teacherSession.c.waitFor("recording-marker", (event) => event.marker.label === "Refraction");
    // The recorder marks the screen share; a raised hand is marked through the hand-raised hook.
    await teacherSession.c.waitFor("recording-marker", (event) => event.marker.kind === "screen");
    expect((await studentSession.c.emit("raise-hand", { roomId: room.id })).ok).toBe(true);
    const hand = await teacherSession.c.waitFor("recording-marker", (event) => event.marker.kind === "hand");
    expect(hand.marker.label).toBe("Student raised a hand");
    expect(studentSession.c.has("recording-marker")).toBe(false);
    // Ten seconds of class with the share on.
    await capturedFor(testApp.app.recording.service, recordingId, 10_000);

    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    for (const client of [teacherSession.c, studentSession.c, lateSession.c]) expect((await client.waitFor("recording-stopped")).recordingId).toBe(recordingId);
    // Every packet the publisher sent reached the SFU leg of the recorder.
    expect(cam!.packets).toBeGreaterThan(0);
    expect(mic!.packets).toBeGreaterThan(0);
    expect(screen!.packets).toBeGreaterThan(0);

    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    const bySource = Object.fromEntries(rec.tracks.map((x: { source: string }) => [x.source, x]));
    expect(Object.keys(bySource).sort()).toEqual(["camera", "microphone", "screen"]);
    expect(rec.tracks.map((x: { producerId: string }) => x.producerId).sort()).toEqual([cam!.producerId, mic!.producerId, screen!.producerId].sort());
    expect(bySource.camera.codec).toBe("VP8");
    expect(bySource.microphone.codec).toBe("opus");
    expect(bySource.screen.startOffsetMs).toBeGreaterThan(bySource.camera.startOffsetMs);
    for (const track of rec.tracks) expect(track.parts.length, JSON.stringify(rec.tracks)).toBeGreaterThan(0);
    const byKind = (kind: string) => rec.markers.filter((m: { kind: string }) => m.kind === kind);
    expect(byKind("marker").map((m: { label: string }) => m.label)).toEqual(["Refraction"]);
    expect(byKind("screen").map((m: { label: string }) => m.label)).toEqual(["Screen share — Teacher"]);
    // Marked when the recorder gets the track; its video starts at the first key frame, a little later.
    expect(byKind("screen")[0].offsetMs).toBeLessThanOrEqual(bySource.screen.startOffsetMs + 500);
    expect(byKind("screen")[0].offsetMs).toBeGreaterThan(bySource.screen.startOffsetMs - 3000);
    expect(byKind("screen")[0].offsetMs).toBeGreaterThan(4000);
    expect(byKind("hand").map((m: { label: string }) => m.label)).toEqual(["Student raised a hand"]);
    expect(byKind("hand")[0].offsetMs).toBeGreaterThanOrEqual(byKind("screen")[0].offsetMs);

    // Progress went to the host only; the result is there.
    await teacherSession.c.waitFor("recording-progress", (event) => event.recordingId === recordingId && event.status === "ready");
    expect(studentSession.c.has("recording-progress")).toBe(false);

    const expected = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const info = await probe(`${url}${rec.urls.download}`);
    expect(Math.abs(Number(info.format.duration) - expected)).toBeLessThan(1);
    expect(info.streams.map((x: { codec_name: string }) => x.codec_name).sort()).toEqual(["aac", "h264"]);
    const master = await (await fetch(`${url}/api/v1/recordings/${recordingId}/stream`, { headers: teacher.auth })).text();
    const variants = master.split("\n").filter((x) => x.startsWith("/api/"));
    expect(variants).toHaveLength(2);
    expect(master).toMatch(/RESOLUTION=1280x720/);
    expect(master).toMatch(/RESOLUTION=640x360/);
    for (const variant of variants) {
      const vi = await probe(`${url}${variant}`);
      expect(vi.streams.some((x: { codec_name: string }) => x.codec_name === "h264")).toBe(true);
      expect(Math.abs(Number(vi.format.duration) - expected)).toBeLessThan(1.5);
    }

    // What a person sees and hears: the camera (the stage before the share, a tile from it on), the
    // shared screen from its start, the tone throughout; in the MP4 and both HLS variants.
    const shareFrom = bySource.screen.startOffsetMs / 1000;
    // The camera was live before Record: it starts at its first key frame after the recorder's
    // clock starts (this publisher's encoder makes one every second and ignores PLI).
    expect(bySource.camera.startOffsetMs).toBeLessThan(1500);
    const camFrom = bySource.camera.startOffsetMs / 1000;
    const content: ExpectedContent = {
      durationS: expected,
      cameras: [
        { name: "the camera (tile, from the share on)", from: shareFrom, to: expected, region: () => tileRegion(0) },
        { name: "the camera on the stage before the share", from: camFrom, to: shareFrom - 0.5, region: () => STAGE },
      ],
      screens: [{ from: shareFrom, to: expected }],
      mics: [{ from: 0, to: expected }],
    };
    const problems = [
      ...(await contentProblems(`${url}${rec.urls.download}`, content, "MP4")),
      ...(await contentProblems(`${url}${variants[0]}`, content, "HLS variant 1")),
      ...(await contentProblems(`${url}${variants[1]}`, content, "HLS variant 2")),
    ];
    expect(problems, problems.join("\n")).toEqual([]);
    expect(rec.warnings).toEqual([]);
    expect(isPicture(await still(`${url}${rec.urls.thumbnail}`)), "the thumbnail is not blank").toBe(true);
  });

  it("ending the class stops its recording", async () => {
    const room = await createRoom(testApp, teacher, { title: "Waves" });
    const teacherSession = await joined(url, teacher, room.id);
    clients.push(teacherSession.c);
    const publisher = new SocketPublisher(teacherSession.c);
    try {
      await publisher.publish(["camera", "microphone"]);
      const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
      expect(start.statusCode, start.body).toBe(201);
      const id = start.json().recording.id;
      await capturedFor(testApp.app.recording.service, id, 2000);
      expect((await teacherSession.c.emit("end-room", { roomId: room.id })).ok).toBe(true);
      const rec = await waitFor(
        "the recording to stop",
        async () => {
          const current = (await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${id}`, headers: teacher.auth })).json().recording;
          return current.status !== "recording" && current;
        },
        { intervalMs: 200 },
      );
      expect(rec.stoppedAt).not.toBeNull();
      expect(["processing", "ready"]).toContain(rec.status);
    } finally {
      await publisher.close();
    }
  });
});
