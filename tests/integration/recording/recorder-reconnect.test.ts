import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaRecorderSource } from "../../../apps/server/src/recording/media-source.js";
import type { TestApp } from "../../helpers/app.js";
import { contentProblems, STAGE } from "../../helpers/media-content.js";
import { capturedFor } from "../../helpers/recording.js";
import { waitFor } from "../../helpers/wait.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";
import { waitProcessed } from "./wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recorder reconnect test: ffmpeg is not installed (apt-get install ffmpeg)");

describe.skipIf(!hasFfmpeg)("the recorder's own media connection", () => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  const clients: TestClient[] = [];
  let publisher: SocketPublisher | undefined;

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "54000", RTC_MAX_PORT: "54999" }));
    teacher = await person(testApp, "teacher", "Teacher");
  });
  afterAll(async () => {
    await publisher?.close();
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("dies mid-class: the recorder connects again and the same tracks go on being recorded", async () => {
    const room = await createRoom(testApp, teacher, { title: "Acoustics" });
    const host = await joined(url, teacher, room.id);
    clients.push(host.c);
    publisher = new SocketPublisher(host.c);
    const [cam, mic] = await publisher.publish(["camera", "microphone"]);
    const camId = cam!.producerId!;
    const micId = mic!.producerId!;
    const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
    expect(start.statusCode, start.body).toBe(201);
    const recordingId: string = start.json().recording.id;
    const service = testApp.app.recording.service;
    await capturedFor(service, recordingId, 3000, { tracks: 2 });

    const session = service.activeSession(recordingId)!;
    const source = session.source as MediaRecorderSource;
    const camera = session.captures.get(camId)!.capture;
    const microphone = session.captures.get(micId)!.capture;
    source.breakConnectionForTest();
    const brokeAt = session.clock();
    // Media flows again through a new connection, into the same captures.
    const resumedAt = await waitFor(
      "the camera to be captured again after the recorder's connection died",
      () => (source.reconnects >= 1 && camera.lastPacketAt > brokeAt + 300 && microphone.lastPacketAt > brokeAt + 300 ? session.clock() : undefined),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const afterResume = camera.lastPacketAt;
    await waitFor("four more seconds of camera", () => camera.lastPacketAt - afterResume >= 4000, { timeoutMs: 60_000, intervalMs: 100 });

    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.status).toBe("ready");
    // One track per producer, not a second one for the new consumer.
    expect(rec.tracks.map((track: { producerId: string }) => track.producerId).sort()).toEqual([camId, micId].sort());
    expect(rec.warnings).toEqual([]);

    const durationS = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const camFrom = rec.tracks.find((track: { source: string }) => track.source === "camera").startOffsetMs / 1000;
    const broke = brokeAt / 1000;
    const resumed = resumedAt / 1000 + 1;
    const problems = await contentProblems(
      `${url}${rec.urls.download}`,
      {
        durationS,
        cameras: [
          { name: "the camera before the connection died", from: camFrom, to: broke, region: () => STAGE },
          { name: "the camera after the recorder connected again", from: resumed, to: durationS, region: () => STAGE },
        ],
        screens: [],
        mics: [
          { from: 0, to: broke },
          { from: resumed, to: durationS },
        ],
      },
      "MP4",
    );
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
