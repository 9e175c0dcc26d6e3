import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { AUDIBLE_PEAK_DB, audioPerSecond, framesPerSecond, isPicture, isScreenColour, share } from "../../helpers/media-content.js";
import { capturedFor } from "../../helpers/recording.js";
import { waitFor } from "../../helpers/wait.js";
import { SocketPublisher } from "../recording/socket-publisher.js";
import { waitProcessed } from "../recording/wait.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * "Record each group" (issue 16): each group's media room is recorded as a recording of the class
 * of its own, titled with the group's name; the recordings end when the groups close and are
 * processed like any other. Real SFU, real FFmpeg: group Red's student sends a camera and a tone,
 * group Blue's a (magenta) screen and no sound — each file holds its own group's media only.
 * The main room's recording runs beside them, still one at a time.
 */
const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");

// biome-ignore lint/suspicious/noExplicitAny: the recordings' JSON is asserted field by field.
type Rec = any;

/** The share of the seconds in [from, to) with sound (no audio stream at all counts as silence). */
async function audibleShare(file: string, from = 0, to = Number.POSITIVE_INFINITY): Promise<number> {
  const seconds = (await audioPerSecond(file).catch(() => [])).filter((second) => second.t >= from && second.t + 1 <= to);
  return share(seconds, (second) => second.peakDb > AUDIBLE_PEAK_DB);
}

/**
 * Where a track of a processed recording is live, in seconds of its file: from a second after its
 * first media (the recorder waits for a key frame) to half a second before its end.
 */
function liveSpan(rec: Rec, source: string): [number, number] {
  const track = rec.tracks.find((t: Rec) => t.source === source);
  if (!track) throw new Error(`no ${source} track in ${rec.title}`);
  return [track.startOffsetMs / 1000 + 1, (track.endOffsetMs ?? rec.durationSeconds * 1000) / 1000 - 0.5];
}

describe.skipIf(!hasFfmpeg)("a recording per breakout group", () => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person, ann: Person, ben: Person;
  const clients: TestClient[] = [];
  const publishers: SocketPublisher[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "56000", RTC_MAX_PORT: "56999" }));
    teacher = await person(testApp, "teacher", "Teacher");
    ann = await person(testApp, "student", "Ann");
    ben = await person(testApp, "student", "Ben");
  }, 60_000);
  afterAll(async () => {
    for (const publisher of publishers) await publisher.close();
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("records Red and Blue apart, each with its own media, beside the main room's recording", async () => {
    const room = await createRoom(testApp, teacher, { title: "Optics" });
    const roomId = room.id;
    const host = (await joined(url, teacher, roomId)).c;
    const annClient = (await joined(url, ann, roomId)).c;
    const benClient = (await joined(url, ben, roomId)).c;
    clients.push(host, annClient, benClient);

    // Only a host opens groups (recorded or not); the flag is a boolean.
    const groups = [
      { name: "Red", userIds: [ann.user.id] },
      { name: "Blue", userIds: [ben.user.id] },
    ];
    expect((await annClient.emit("breakout-open", { roomId, mode: "manual", groups, recordGroups: true })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
    // biome-ignore lint/suspicious/noExplicitAny: a bad payload on purpose.
    const bad = await host.emit("breakout-open", { roomId, mode: "manual", groups, recordGroups: "yes" } as any);
    expect(bad.error.code).toBe("VALIDATION_FAILED");

    // The main room: the teacher's camera, recorded.
    const teacherMedia = new SocketPublisher(host);
    publishers.push(teacherMedia);
    const [teacherCam] = await teacherMedia.publish(["camera"]);
    const start = () => testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    const main = await start();
    expect(main.statusCode, main.body).toBe(201);
    const mainId: string = main.json().recording.id;

    const opened = await host.emit("breakout-open", { roomId, mode: "manual", groups, recordGroups: true });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    expect(opened.state?.recordGroups).toBe(true);
    const [red, blue] = opened.state!.groups;
    if (!red || !blue) throw new Error("two groups expected");
    // The students see that their group is recorded (the groups' state).
    expect((await annClient.waitFor("breakout-state", (event) => !!event.state)).state?.recordGroups).toBe(true);

    // Two more recordings of the class, one per group; the main room's still one at a time.
    const list = async (as: Person): Promise<Rec[]> =>
      (await testApp.app.inject({ method: "GET", url: `/api/v1/recordings?roomId=${roomId}`, headers: as.auth })).json().recordings;
    const groupRecs = await waitFor("a recording per group", async () => {
      const recs = (await list(teacher)).filter((r) => r.breakoutGroup && r.status === "recording");
      return recs.length === 2 ? recs : undefined;
    });
    const redRec = groupRecs.find((r: Rec) => r.breakoutGroup.id === red.id);
    const blueRec = groupRecs.find((r: Rec) => r.breakoutGroup.id === blue.id);
    expect(redRec.breakoutGroup.name).toBe("Red");
    expect(blueRec.breakoutGroup.name).toBe("Blue");
    const again = await start();
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("RECORDING_ALREADY_ACTIVE");

    // Each student publishes in their group: Ann a camera and a tone, Ben a screen.
    await annClient.waitFor("breakout-moved", (event) => event.groupId === red.id);
    await benClient.waitFor("breakout-moved", (event) => event.groupId === blue.id);
    await annClient.emit("leave-media", {});
    await benClient.emit("leave-media", {});
    const annMedia = new SocketPublisher(annClient);
    const benMedia = new SocketPublisher(benClient);
    publishers.push(annMedia, benMedia);
    await annMedia.publish(["camera", "microphone"]);
    await benMedia.publish(["screen"]);
    const service = testApp.app.recording.service;
    await capturedFor(service, redRec.id, 5000, { tracks: 2 });
    await capturedFor(service, blueRec.id, 5000, { tracks: 1 });
    await capturedFor(service, mainId, 5000, { tracks: 1 });

    // The groups close: their recordings stop and are processed; the main room's goes on.
    expect((await host.emit("breakout-close", { roomId, countdownSeconds: 0 })).ok).toBe(true);
    await annClient.waitFor("breakout-moved", (event) => event.groupId === null);
    const stopped = await waitFor("the groups' recordings to stop", async () => {
      const recs = await list(teacher);
      return recs.filter((r) => r.breakoutGroup && r.status !== "recording").length === 2 ? recs : undefined;
    });
    expect(stopped.find((r: Rec) => r.id === mainId).status).toBe("recording");
    expect((await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${mainId}/stop`, headers: teacher.auth })).statusCode).toBe(200);

    const [redDone, blueDone, mainDone] = await Promise.all([redRec.id, blueRec.id, mainId].map((id) => waitProcessed(testApp, id, teacher.auth)));
    for (const [rec, name] of [
      [redDone, "Red"],
      [blueDone, "Blue"],
    ] as const) {
      expect(rec.status, rec.error).toBe("ready");
      expect(rec.title).toContain(name);
      expect(rec.title).toContain("Optics");
      expect(rec.breakoutGroup).toEqual({ id: name === "Red" ? red.id : blue.id, name });
    }
    expect(mainDone.status, mainDone.error).toBe("ready");
    expect(mainDone.breakoutGroup).toBeUndefined();
    // Each recording has its own room's tracks only.
    expect(redDone.tracks.map((t: Rec) => t.source).sort()).toEqual(["camera", "microphone"]);
    expect(blueDone.tracks.map((t: Rec) => t.source)).toEqual(["screen"]);
    expect(mainDone.tracks.map((t: Rec) => t.producerId)).toEqual([teacherCam!.producerId]);

    // What a person would see and hear in each file.
    const redFile = `${url}${redDone.urls.download}`;
    const blueFile = `${url}${blueDone.urls.download}`;
    const redFrames = await framesPerSecond(redFile);
    const blueFrames = await framesPerSecond(blueFile);
    const [camFrom, camTo] = liveSpan(redDone, "camera");
    const [micFrom, micTo] = liveSpan(redDone, "microphone");
    const [screenFrom, screenTo] = liveSpan(blueDone, "screen");
    const inSpan = (frames: typeof redFrames, from: number, to: number) => frames.filter((f) => f.t >= from && f.t < to);
    expect(inSpan(redFrames, camFrom, camTo).length, "seconds of Ann's camera").toBeGreaterThanOrEqual(3);
    expect(
      share(inSpan(redFrames, camFrom, camTo), (f) => isPicture(f)),
      "Red shows Ann's camera",
    ).toBeGreaterThan(0.9);
    expect(
      share(redFrames, (f) => isScreenColour(f)),
      "Red never shows Blue's screen",
    ).toBe(0);
    expect(inSpan(blueFrames, screenFrom, screenTo).length, "seconds of Ben's screen").toBeGreaterThanOrEqual(3);
    expect(
      share(inSpan(blueFrames, screenFrom, screenTo), (f) => isScreenColour(f)),
      "Blue shows Ben's screen",
    ).toBeGreaterThan(0.9);
    expect(await audibleShare(redFile, micFrom, micTo), "Red has Ann's tone").toBeGreaterThan(0.9);
    expect(await audibleShare(blueFile), "Blue is silent (nobody spoke there)").toBe(0);
    const mainFrames = await framesPerSecond(`${url}${mainDone.urls.download}`);
    expect(
      share(mainFrames, (f) => isScreenColour(f)),
      "the main room never shows Blue's screen",
    ).toBe(0);
    expect(await audibleShare(`${url}${mainDone.urls.download}`), "the main room has none of Red's tone").toBe(0);

    // Who may watch: the existing rules (the class's host and admins; students once the host shares it with the class).
    const annGet = await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${redDone.id}`, headers: ann.auth });
    expect(annGet.statusCode).toBe(404);
    const shared = await testApp.app.inject({
      method: "PATCH",
      url: `/api/v1/recordings/${redDone.id}`,
      headers: teacher.auth,
      payload: { visibility: "participants" },
    });
    expect(shared.statusCode, shared.body).toBe(200);
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${redDone.id}`, headers: ann.auth })).statusCode).toBe(200);
  }, 300_000);
});

describe("a recording per group without FFmpeg", () => {
  let testApp: TestApp;
  let url: string;
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("is refused RECORDING_UNAVAILABLE before any group opens", async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "57000", RTC_MAX_PORT: "57099", FFMPEG_PATH: "/nonexistent/ffmpeg" }));
    const teacher = await person(testApp, "teacher", "Teacher");
    const ann = await person(testApp, "student", "Ann");
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    clients.push(host, (await joined(url, ann, room.id)).c);
    const refused = await host.emit("breakout-open", { roomId: room.id, mode: "auto", groups: [{}, {}], recordGroups: true });
    expect(refused.error.code).toBe("RECORDING_UNAVAILABLE");
    // Nothing opened: the same groups without recording open.
    const opened = await host.emit("breakout-open", { roomId: room.id, mode: "auto", groups: [{}, {}] });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    expect(opened.state?.recordGroups).toBe(false);
  });
});
