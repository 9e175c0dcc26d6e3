import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { startNodeProcess, TEST_SECRET } from "../media/helpers/modes.js";
import { SocketPublisher } from "./socket-publisher.js";
import { waitProcessed } from "./wait.js";
import { capturedFor } from "../../helpers/recording.js";

/**
 * A recording survives the death of the media node that held the class: the recorder rejoins
 * the room's media on the other node (MEDIA_NODES lists two real `vtp media` processes) and
 * records what the teacher publishes there; the recording holds the tracks from before and after.
 */
const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recording failover test: ffmpeg is not installed (apt-get install ffmpeg)");

type Node = Awaited<ReturnType<typeof startNodeProcess>>;

describe.skipIf(!hasFfmpeg)("recording while the media node dies", () => {
  let nodes: Node[] = [];
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  const clients: TestClient[] = [];
  const pubs: SocketPublisher[] = [];

  beforeAll(async () => {
    nodes = await Promise.all([startNodeProcess(61000), startNodeProcess(62000)]);
    ({ t: testApp, url } = await listeningApp({ MEDIA_NODES: nodes.map((n) => n.url).join(","), MEDIA_SECRET: TEST_SECRET }));
    teacher = await person(testApp, "teacher", "Teacher");
  }, 60_000);
  afterAll(async () => {
    for (const p of pubs) await p.close();
    for (const c of clients) c.close();
    await testApp?.close();
    for (const n of nodes) await n.stop();
  });

  it("keeps recording on the other node: tracks from before and after the failure, processed to one MP4", async () => {
    const room = await createRoom(testApp, teacher, { title: "Failover" });
    const teacherSession = await joined(url, teacher, room.id);
    clients.push(teacherSession.c);
    const before = new SocketPublisher(teacherSession.c);
    pubs.push(before);
    const [cam1, mic1] = await before.publish(["camera", "microphone"]);
    const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
    expect(start.statusCode, start.body).toBe(201);
    const recordingId: string = start.json().recording.id;
    await capturedFor(testApp.app.recording.service, recordingId, 3000, { tracks: 2 });

    const rooms = await Promise.all(
      nodes.map(
        async (node) =>
          ((await (await fetch(`${node.url}/rooms`, { headers: { "x-media-secret": TEST_SECRET } })).json()) as { rooms: { roomId: string }[] }).rooms,
      ),
    );
    const holder = rooms.findIndex((list) => list.some((r) => r.roomId === room.id));
    expect(holder).toBeGreaterThanOrEqual(0);
    nodes[holder].child.kill("SIGKILL");
    await teacherSession.c.waitFor("media-reset", (event) => event.roomId === room.id && event.reason === "media-lost", 20_000);

    // The teacher's client starts over (as the web client does on media-reset).
    await before.close();
    expect((await teacherSession.c.emit("leave-media", { roomId: room.id })).ok).toBe(true);
    const after = new SocketPublisher(teacherSession.c);
    pubs.push(after);
    const [cam2, mic2] = await after.publish(["camera", "microphone"]);
    await capturedFor(testApp.app.recording.service, recordingId, 4000, { tracks: 2, producers: [cam2.producerId!, mic2.producerId!] });

    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    const ids = rec.tracks.map((x: { producerId: string }) => x.producerId);
    for (const published of [cam1, mic1, cam2, mic2]) expect(ids, JSON.stringify(rec.tracks)).toContain(published!.producerId);
    for (const track of rec.tracks) expect(track.parts.length, JSON.stringify(rec.tracks)).toBeGreaterThan(0);
    const second = rec.tracks.find((x: { producerId: string }) => x.producerId === cam2!.producerId);
    expect(second.startOffsetMs).toBeGreaterThan(2500);
  });
});
