import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { contentProblems, tileRegion } from "../../helpers/media-content.js";
import { capturedFor } from "../../helpers/recording.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";
import { waitProcessed } from "./wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP consume-after-close test: ffmpeg is not installed (apt-get install ffmpeg)");

/**
 * The recorder is a werift peer: once one of its consumers closed (a share stopped), its m-line is
 * inactive, and werift's answerer side took that slot over for the next track it was offered (the
 * mid of the closed one vanished), so every later consume failed ("Transceiver with mid=0 not
 * found") and a camera switched on after a share ended was missing from the recording.
 */
describe.skipIf(!hasFfmpeg)("the recorder after one of its tracks ended", () => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  const clients: TestClient[] = [];
  let publisher: SocketPublisher | undefined;

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "55000", RTC_MAX_PORT: "55999" }));
    teacher = await person(testApp, "teacher", "Teacher");
  });
  afterAll(async () => {
    await publisher?.close();
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("records a camera switched on after a share ended, and a second share after it", async () => {
    const room = await createRoom(testApp, teacher, { title: "Optics" });
    const host = await joined(url, teacher, room.id);
    clients.push(host.c);
    publisher = new SocketPublisher(host.c);
    const [screen, mic] = await publisher.publish(["screen", "microphone"]);
    const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
    expect(start.statusCode, start.body).toBe(201);
    const recordingId: string = start.json().recording.id;
    const service = testApp.app.recording.service;
    await capturedFor(service, recordingId, 4000, { tracks: 2 });

    // The share ends (its consumer on the recorder's transport closes); then the camera goes on
    // (the offer that makes the closed m-line inactive on the recorder's side) and a new share
    // starts (the next offer: the one werift failed to answer).
    await publisher.unpublish(screen!);
    const [camera] = await publisher.publish(["camera"]);
    await capturedFor(service, recordingId, 1000, { producers: [camera!.producerId!], timeoutMs: 60_000 });
    const [again] = await publisher.publish(["screen"]);
    await capturedFor(service, recordingId, 3000, { producers: [again!.producerId!, camera!.producerId!, mic!.producerId!], timeoutMs: 60_000 });

    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.status).toBe("ready");
    expect(rec.tracks.map((track: { source: string }) => track.source).sort()).toEqual(["camera", "microphone", "screen", "screen"]);
    const durationS = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const cam = rec.tracks.find((track: { source: string }) => track.source === "camera");
    const firstShare = rec.tracks.find((track: { producerId: string }) => track.producerId === screen!.producerId);
    const shareAgain = rec.tracks.find((track: { producerId: string }) => track.producerId === again!.producerId);
    const problems = await contentProblems(
      `${url}${rec.urls.download}`,
      {
        durationS,
        cameras: [
          {
            name: "the camera switched on after the share (a tile while the second share shows)",
            from: cam.startOffsetMs / 1000 + 1,
            to: durationS,
            region: () => tileRegion(0),
          },
        ],
        screens: [
          { from: firstShare.startOffsetMs / 1000, to: firstShare.endOffsetMs / 1000 },
          { from: shareAgain.startOffsetMs / 1000, to: durationS },
        ],
        mics: [{ from: 0, to: durationS }],
      },
      "MP4",
    );
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
