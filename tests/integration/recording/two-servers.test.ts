import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVtp, type VtpProcess } from "../../helpers/process.js";
import { waitFor } from "../../helpers/wait.js";
import { startNodeProcess, TEST_SECRET } from "../media/helpers/modes.js";
import { Cluster, REDIS } from "../signalling/cluster.js";
import type { TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";

/**
 * A recording captured by app server A and stopped through app server B (two real `vtp start`
 * processes sharing PostgreSQL, Redis and one `vtp media` node): the host's Stop reaching B, and
 * the class ending on B. A notices within about a second, stops its capture (its FFmpegs exit,
 * its files stop growing, the tracks end where the stop was) and only then queues the processing;
 * the recording is `ready` with a playable MP4 as long as the recorded span. B processes nothing
 * (RECORDING_WORKER=false: the files are on A's disk).
 */
const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recording across two servers: ffmpeg is not installed (apt-get install ffmpeg)");
const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

// biome-ignore lint/suspicious/noExplicitAny: the recording's JSON is asserted field by field.
type Rec = any;

/** The recording's capture FFmpegs (processes reading one of its tracks' SDP files). */
function capturing(recordingId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A capture FFmpeg reads its track's SDP (processing reads the .mkv files only).
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(`rec/${recordingId}/tracks/`) && cmdline.includes(".sdp")) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Bytes of each capture file of the recording on a server's disk. */
function captureSizes(server: VtpProcess, recordingId: string): Record<string, number> {
  const dir = path.join(server.dataDir, "recordings", "rec", recordingId, "tracks");
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".mkv"))
      .map((f) => [f, statSync(path.join(dir, f)).size]),
  );
}

describe.skipIf(!hasFfmpeg)("a recording stopped through another app server", () => {
  const cluster = new Cluster();
  let nodeA: VtpProcess, nodeB: VtpProcess;
  let mediaNode: Awaited<ReturnType<typeof startNodeProcess>>;
  let teacher: { token: string; id: string };
  const publishers: SocketPublisher[] = [];
  let stopB = async (): Promise<unknown> => undefined;

  beforeAll(async () => {
    mediaNode = await startNodeProcess(63000);
    const secret = "two-servers-recording-jwt-secret-0123456789abcdef";
    const shared = { MEDIA_NODES: mediaNode.url, MEDIA_SECRET: TEST_SECRET, JWT_SECRET: secret };
    await cluster.setUp(shared);
    // A records and processes; B only serves (its worker would not find A's capture files).
    const startB = async () => {
      const node = await startVtp({
        ...shared,
        DATABASE_URL: cluster.dbUrl,
        REDIS_URL: REDIS,
        VTP_REDIS_PREFIX: cluster.prefix,
        BCRYPT_COST: "4",
        LOG_LEVEL: "warn",
        RECORDING_WORKER: "false",
      });
      stopB = () => node.stop("SIGKILL");
      return node;
    };
    [nodeA, nodeB] = await Promise.all([cluster.node(), startB()]);
    teacher = await cluster.account(nodeA, "Teacher", "teacher");
  }, 180_000);
  afterAll(async () => {
    for (const publisher of publishers) await publisher.close().catch(() => {});
    await stopB().catch(() => {});
    await cluster.tearDown();
    await mediaNode?.stop();
  });

  const get = async (node: VtpProcess, id: string): Promise<Rec> =>
    (await cluster.api(node, "GET", `/api/v1/recordings/${id}`, undefined, teacher.token)).body.recording;

  /**
   * The teacher, connected to B, opens a class and publishes a camera and a microphone (werift,
   * FFmpeg test sources); the recording is started through A and runs until both tracks have
   * `capturedMs` of media.
   */
  async function recordOnA(title: string, capturedMs: number): Promise<{ host: TestClient; roomId: string; id: string }> {
    const room = await cluster.api(nodeA, "POST", "/api/v1/rooms", { title }, teacher.token);
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    const roomId: string = room.body.room.id;
    const host = await cluster.connect(nodeB, teacher.token, "host@B");
    expect((await host.emit("join-room", { roomId })).ok).toBe(true);
    const publisher = new SocketPublisher(host);
    publishers.push(publisher);
    await publisher.publish(["camera", "microphone"]);
    const start = await cluster.api(nodeA, "POST", "/api/v1/recordings/start", { roomId }, teacher.token);
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const id: string = start.body.recording.id;
    await host.waitFor("recording-started", (event) => event.recordingId === id);
    await capturedOnA(id, capturedMs);
    return { host, roomId, id };
  }

  /** Both tracks (a camera and a microphone) of the recording have `capturedMs` of media on A. */
  async function capturedOnA(id: string, capturedMs: number) {
    await waitFor(
      `both tracks captured for ${capturedMs} ms`,
      async () => {
        const rec = await get(nodeA, id);
        const startedAt = Date.parse(rec.startedAt);
        const firsts = rec.tracks.map((t: Rec) => t.parts.find((p: Rec) => p.offsetMs >= 0)?.offsetMs);
        return rec.tracks.length === 2 && firsts.every((at: number | undefined) => at !== undefined && Date.now() - startedAt - at >= capturedMs);
      },
      { timeoutMs: capturedMs + 60_000, intervalMs: 500 },
    );
    expect(capturing(id).length, "A's FFmpegs capture the two tracks").toBe(2);
  }

  /** A (the holder) stopped its capture promptly, and the recording was processed from finalized files. */
  async function expectFinalizedAndReady(id: string, opts: { liveAtStop: boolean }) {
    // The tracks end where the stop was (A noticed within a couple of seconds) and are finalized.
    const stopped: Rec = await waitFor(
      "A to finalize the tracks",
      async () => {
        const rec = await get(nodeB, id);
        return rec.tracks.length === 2 && rec.tracks.every((t: Rec) => t.status === "finalized") && rec;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const span = Date.parse(stopped.stoppedAt) - Date.parse(stopped.startedAt);
    for (const track of stopped.tracks) {
      // Still published at the stop: the track runs to it (the class's end closes the publisher's media first).
      if (opts.liveAtStop) expect(track.endOffsetMs, "a track ends after the stop").toBeGreaterThanOrEqual(span - 100);
      expect(track.endOffsetMs - span, "A noticed the stop within about a second").toBeLessThan(2500);
    }
    // A's FFmpegs have exited and its files no longer grow.
    await waitFor("A's capture FFmpegs to exit", () => capturing(id).length === 0, { timeoutMs: 10_000, intervalMs: 200 });
    const sizes = captureSizes(nodeA, id);
    expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(captureSizes(nodeA, id)).toEqual(sizes);

    const rec: Rec = await waitFor(
      `recording ${id} to be processed`,
      async () => {
        const current = await get(nodeB, id);
        return (current.status === "ready" || current.status === "failed") && current;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(rec.error, nodeA.output().slice(-3000)).toBeNull();
    expect(rec.status).toBe("ready");
    // Local disks: the files are on A (several servers share an S3 bucket instead).
    const info = await probe(`${nodeA.url}${rec.urls.download}`);
    expect(info.streams.map((s: { codec_name: string }) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    const duration = Number(info.format.duration);
    expect(Math.abs(duration - span / 1000), `MP4 ${duration} s, recorded ${span / 1000} s`).toBeLessThan(1);
    expect(Math.abs(duration - rec.durationSeconds)).toBeLessThan(1);
  }

  it("the host's Stop reaching server B stops the capture on server A, which processes it", async () => {
    const { host, id } = await recordOnA("Stopped through B", 5000);
    const stop = await cluster.api(nodeB, "POST", `/api/v1/recordings/${id}/stop`, undefined, teacher.token);
    expect(stop.status, JSON.stringify(stop.body)).toBe(200);
    await host.waitFor("recording-stopped", (event) => event.recordingId === id);
    await expectFinalizedAndReady(id, { liveAtStop: true });
  }, 300_000);

  it("the class ending on server B stops the capture on server A, which processes it", async () => {
    const { host, roomId, id } = await recordOnA("Ended through B", 4000);
    expect((await host.emit("end-room", { roomId })).ok).toBe(true);
    await expectFinalizedAndReady(id, { liveAtStop: false });
  }, 300_000);

  it("a breakout group's recording, started on server A, ends with the groups closed on server B", async () => {
    const room = await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Groups through B" }, teacher.token);
    const roomId: string = room.body.room.id;
    const ann = await cluster.account(nodeA, "Ann", "student");
    const hostA = await cluster.connect(nodeA, teacher.token, "host@A");
    expect((await hostA.emit("join-room", { roomId })).ok).toBe(true);
    const annB = await cluster.connect(nodeB, ann.token, "ann@B");
    expect((await annB.emit("join-room", { roomId })).ok).toBe(true);

    // The teacher, on A, opens recorded groups (Blue stays empty): A captures them.
    const opened = await hostA.emit("breakout-open", {
      roomId,
      mode: "manual",
      groups: [
        { name: "Red", userIds: [ann.id] },
        { name: "Blue", userIds: [] },
      ],
      recordGroups: true,
    });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const red = opened.state!.groups[0]!.id;
    const id: string = await waitFor("the group's recording", async () => {
      const recs: Rec[] = (await cluster.api(nodeA, "GET", `/api/v1/recordings?roomId=${roomId}`, undefined, teacher.token)).body.recordings;
      return recs.find((r) => r.breakoutGroup?.id === red && r.status === "recording")?.id;
    });
    await annB.waitFor("breakout-moved", (event) => event.groupId === red);
    await annB.emit("leave-media", {});
    const publisher = new SocketPublisher(annB);
    publishers.push(publisher);
    await publisher.publish(["camera", "microphone"]);
    await capturedOnA(id, 4000);

    // The teacher comes back through B and closes the groups there.
    hostA.close();
    const hostB = await cluster.connect(nodeB, teacher.token, "host@B");
    expect((await hostB.emit("join-room", { roomId })).ok).toBe(true);
    expect((await hostB.emit("breakout-close", { roomId, countdownSeconds: 0 })).ok).toBe(true);
    await annB.waitFor("breakout-moved", (event) => event.groupId === null);
    await expectFinalizedAndReady(id, { liveAtStop: false });
  }, 300_000);
});
