import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { freshDatabase } from "../../helpers/db.js";
import { contentProblems, STAGE } from "../../helpers/media-content.js";
import { capturedFor } from "../../helpers/recording.js";
import { liveRoom } from "../../helpers/rooms.js";
import { s3ServerCommand, startLocalS3, type LocalS3 } from "../../helpers/s3.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
const hasS3 = s3ServerCommand() !== undefined;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasS3 && process.env.CI === "true") throw new Error("moto_server (pip install 'moto[server]') is needed for the remote worker test in CI");
if (!hasFfmpeg || !hasS3) console.warn("SKIP remote worker test: it needs ffmpeg and moto_server");

/**
 * README "Scaling out": app servers with RECORDING_WORKER=false capture, `vtp worker`s on other
 * machines process, both on one database and one S3 bucket. The worker has none of the app
 * server's disk: the track files must reach it through the bucket (before, they were copied
 * there only by the processing itself, so a worker elsewhere found no file and made a recording
 * without the class's media).
 */
describe.skipIf(!hasFfmpeg || !hasS3)("a recording captured on an app server and processed by a worker on another machine", () => {
  let s3: LocalS3;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let appServer: TestApp;
  let worker: TestApp;
  let source: FfmpegRtpSource;

  beforeAll(async () => {
    s3 = (await startLocalS3("vtp-rec-remote"))!;
    database = await freshDatabase();
    // One database for both; each its own data directory (its own disk).
    const shared = { ...database.handle, close: async () => {} };
    appServer = await createTestApp({ ...s3.env, RECORDING_WORKER: "false", MEDIA_WORKERS: "1" }, { database: shared });
    worker = await createTestApp({ ...s3.env, MEDIA_WORKERS: "1" }, { database: shared });
  });
  afterAll(async () => {
    await source?.stop();
    await appServer?.close();
    await worker?.close();
    await database?.drop();
    await s3?.stop();
  });

  it("the worker reads the track files from the bucket and the recording holds the class", async () => {
    const teacher = await signUp(appServer, { role: "teacher" });
    const roomId = await liveRoom(appServer, teacher.user.id, "Elsewhere");
    source = new FfmpegRtpSource(teacher.user.id);
    appServer.app.recording.service.setSourceFactory(async () => source);
    const res = await appServer.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id: string = res.json().recording.id;
    await source.addTrack("cam1", "video", "camera");
    await source.addTrack("mic1", "audio", "microphone");
    await capturedFor(appServer.app.recording.service, id, 5000, { tracks: 2 });
    const stop = await appServer.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);

    const rec = await waitProcessed(worker, id, teacher.auth);
    expect(rec.status, JSON.stringify(rec)).toBe("ready");
    // Processed on the worker (the app server does not process), which never had the app server's disk.
    expect(existsSync(path.join(worker.dataDir, "recordings-capture", id))).toBe(false);
    expect(rec.warnings, JSON.stringify(rec.warnings)).toEqual([]);
    const base = await worker.app.listen({ port: 0, host: "127.0.0.1" });
    const durationS = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    const camFrom = rec.tracks.find((track: { source: string }) => track.source === "camera").startOffsetMs / 1000;
    const problems = await contentProblems(
      `${base}${rec.urls.download}`,
      { durationS, cameras: [{ name: "the camera", from: camFrom + 0.5, to: durationS, region: () => STAGE }], screens: [], mics: [] },
      "MP4",
    );
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
