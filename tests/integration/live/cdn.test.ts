import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { LiveStream } from "../../../apps/server/src/live/index.js";
import { CdnPush } from "../../../apps/server/src/live/CdnPush.js";
import { PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { S3Storage } from "../../../apps/server/src/storage/index.js";
import { FfmpegRtpSource } from "../recording/rtp-source.js";
import { isPicture, still } from "../../helpers/media-content.js";
import { s3ServerCommand, startLocalS3 } from "../../helpers/s3.js";
import { waitFor } from "../../helpers/wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
const hasS3 = Boolean(s3ServerCommand());
if ((!hasFfmpeg || !hasS3) && process.env.CI === "true") throw new Error("ffmpeg and moto_server are required for the live CDN test in CI");

/** The bucket's objects are read the way a CDN (or a viewer behind it) does: plain HTTP GETs. */
const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: res.ok ? await res.text() : "", cacheControl: res.headers.get("cache-control") };
};
const segmentsOf = (playlist: string) => playlist.split("\n").filter((line) => line.endsWith(".ts"));

describe.skipIf(!hasFfmpeg || !hasS3)("live stream published through a CDN (HLS pushed to S3 as it is written)", () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("the bucket holds the ladder as it advances, a viewer plays it from there, the end is pushed, and removing empties it", async () => {
    const s3 = await startLocalS3("vtp-live");
    if (!s3) throw new Error("moto_server did not start");
    cleanup.push(() => s3.stop());
    const storage = new S3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: "test", secretAccessKey: "test" });
    // As an operator does for a CDN in front of the bucket: anyone may read the live copies (nothing else).
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${s3.bucket}/live/*` }],
    };
    await storage.client.send(new PutBucketPolicyCommand({ Bucket: s3.bucket, Policy: JSON.stringify(policy) }));
    const dir = mkdtempSync(path.join(tmpdir(), "vtp-live-cdn-"));
    const source = new FfmpegRtpSource("teacher-1");
    const log = pino({ level: "warn" });
    const stream = new LiveStream("stream-cdn", "room-1", source, { ffmpeg: "ffmpeg", dir, hostId: "teacher-1", log });
    cleanup.push(() => stream.stop());
    const push = new CdnPush(storage, dir, stream.id, log);
    await stream.start();
    push.start();
    cleanup.push(() => push.stop());
    await source.addTrack("cam-1", "video", "camera");
    await source.addTrack("mic-1", "audio", "microphone");

    // What the CDN fetches: the bucket's master and rendition playlists, advancing.
    const cdn = `${s3.endpoint}/${s3.bucket}`;
    const playlistUrl = `${cdn}/live/stream-cdn/720p/index.m3u8`;
    const first = await waitFor(
      "three 720p segments in the bucket",
      async () => {
        const playlist = await get(playlistUrl);
        return segmentsOf(playlist.text).length >= 3 ? playlist : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    expect(first.cacheControl).toBe("public, max-age=1");
    await waitFor("the bucket's playlist to advance", async () => segmentsOf((await get(playlistUrl)).text).at(-1) !== segmentsOf(first.text).at(-1), {
      timeoutMs: 30_000,
      intervalMs: 300,
    });
    // Every segment the bucket's playlist names is in the bucket (segments go up before their playlist), and shows the camera.
    const now = segmentsOf((await get(playlistUrl)).text);
    for (const segment of now) expect((await get(`${cdn}/live/stream-cdn/720p/${segment}`)).status, segment).toBe(200);
    const segment = await get(`${cdn}/live/stream-cdn/720p/${now.at(-1)}`);
    expect(segment.cacheControl).toBe("public, max-age=86400, immutable");
    expect(isPicture(await still(`${cdn}/live/stream-cdn/720p/${now.at(-1)}`))).toBe(true);
    // A viewer's player starts from the master playlist on the CDN and gets a picture.
    const master = await get(`${cdn}/${push.masterKey}`);
    expect(master.text).toContain("720p/index.m3u8");
    expect(master.text).toContain("360p/index.m3u8");
    expect(isPicture(await still(`${cdn}/${push.masterKey}`))).toBe(true);

    // The end: the bucket's playlists end too; then the copy is removed.
    await stream.stop();
    await push.stop();
    for (const rendition of ["720p", "360p"]) expect((await get(`${cdn}/live/stream-cdn/${rendition}/index.m3u8`)).text).toContain("#EXT-X-ENDLIST");
    await push.remove();
    expect(await storage.list("live/stream-cdn/")).toEqual([]);
  }, 240_000);
});
