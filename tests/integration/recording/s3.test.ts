import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";
import { s3ServerCommand, startLocalS3, type LocalS3 } from "../../helpers/s3.js";
import { S3Storage } from "../../../apps/server/src/storage/index.js";
import { FfmpegRtpSource } from "./rtp-source.js";
import { waitProcessed } from "./wait.js";
import { capturedFor } from "../../helpers/recording.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
const hasS3 = s3ServerCommand() !== undefined;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasS3 && process.env.CI === "true") throw new Error("moto_server (pip install 'moto[server]') is needed for the S3 recording test in CI");
if (!hasFfmpeg) console.warn("SKIP S3 recording test: ffmpeg is not installed");
else if (!hasS3) console.warn("SKIP S3 recording test: moto_server is not installed (pip install 'moto[server]')");

const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

describe.skipIf(!hasFfmpeg || !hasS3)("a whole recording on S3 storage (moto_server)", () => {
  let s3: LocalS3;
  let client: S3Client;
  let testApp: TestApp;
  let teacher: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;
  let source: FfmpegRtpSource;

  const keys = async (prefix: string) => {
    const out: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const listing = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const entry of listing.Contents ?? []) out.push({ key: entry.Key!, size: entry.Size ?? 0 });
      token = listing.IsTruncated ? listing.NextContinuationToken : undefined;
    } while (token);
    return out;
  };
  const object = async (key: string) =>
    Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());

  beforeAll(async () => {
    s3 = (await startLocalS3("vtp-rec-s3"))!;
    client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    // Something else in the bucket that the recording's DELETE must leave alone.
    await new S3Storage({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      region: "us-east-1",
      accessKeyId: "test",
      secretAccessKey: "test",
      forcePathStyle: true,
    }).put("rec/someone-else/keep.txt", Buffer.from("keep"));
    testApp = await createTestApp(s3.env);
    teacher = await signUp(testApp, { role: "teacher" });
    roomId = await liveRoom(testApp, teacher.user.id, "On S3");
    source = new FfmpegRtpSource(teacher.user.id);
    testApp.app.recording.service.setSourceFactory(async () => source);
  });
  afterAll(async () => {
    await source?.stop();
    await testApp?.close();
    client?.destroy();
    await s3?.stop();
  });

  it("records, processes into the bucket, serves download (Range) and HLS from it, and DELETE empties it", async () => {
    expect(testApp.app.recording.storage).toBeInstanceOf(S3Storage);
    const base = await testApp.app.listen({ port: 0, host: "127.0.0.1" });
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    expect(res.statusCode, res.body).toBe(201);
    const id: string = res.json().recording.id;
    await source.addTrack("cam1", "video", "camera");
    await source.addTrack("mic1", "audio", "microphone");
    await capturedFor(testApp.app.recording.service, id, 6000, { tracks: 2 });
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);
    const rec = await waitProcessed(testApp, id, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    const expected = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;

    // The outputs are objects in the bucket (listed through the SDK, not through our Storage).
    const objs = await keys(`rec/${id}/`);
    const names = objs.map((o) => o.key);
    const mp4 = objs.find((o) => o.key === `rec/${id}/out/recording.mp4`);
    expect(mp4, names.join("\n")).toBeDefined();
    expect(mp4!.size).toBe(rec.sizeBytes);
    expect(names).toContain(`rec/${id}/out/thumbnail.jpg`);
    const playlists = names.filter((k) => k.startsWith(`rec/${id}/out/hls/`) && k.endsWith(".m3u8"));
    const master = playlists.find((k) => !k.slice(`rec/${id}/out/hls/`.length).includes("/"));
    expect(master, names.join("\n")).toBeDefined();
    const variants = playlists.filter((k) => k !== master);
    expect(variants).toHaveLength(2);
    for (const variantPath of variants) {
      const dir = variantPath.slice(0, variantPath.lastIndexOf("/") + 1);
      const listed = (await object(variantPath))
        .toString()
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      expect(listed.length).toBeGreaterThan(0);
      for (const seg of listed) expect(names).toContain(dir + seg);
    }

    // Download with Range: 206 and the same bytes as the object in the bucket.
    const whole = await object(mp4!.key);
    const range = await fetch(`${base}/api/v1/recordings/${id}/download`, { headers: { ...teacher.auth, range: "bytes=1000-1999" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe(`bytes 1000-1999/${whole.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);
    const tail = await fetch(`${base}/api/v1/recordings/${id}/download`, { headers: { ...teacher.auth, range: "bytes=-500" } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 500))).toBe(true);
    const info = await probe(`${base}/api/v1/recordings/${id}/download?${new URL(rec.urls.download, base).searchParams}`);
    expect(Math.abs(Number(info.format.duration) - expected)).toBeLessThan(1);

    // HLS master and a variant through the signed URLs.
    const masterRes = await fetch(`${base}/api/v1/recordings/${id}/stream`, { headers: teacher.auth });
    expect(masterRes.status).toBe(200);
    const text = await masterRes.text();
    expect(text).toMatch(/^#EXTM3U/);
    const signed = text.split("\n").filter((l) => l.startsWith("/api/"));
    expect(signed).toHaveLength(2);
    expect(signed.every((u) => /[?&]sig=/.test(u))).toBe(true);
    const variant = await fetch(`${base}${signed[0]}`);
    expect(variant.status).toBe(200);
    expect(await variant.text()).toMatch(/#EXTINF/);
    const vi = await probe(`${base}${signed[0]}`);
    expect(vi.streams.some((s: { codec_name: string }) => s.codec_name === "h264")).toBe(true);
    expect(Math.abs(Number(vi.format.duration) - expected)).toBeLessThan(1.5);

    // DELETE removes every object of the recording and nothing else.
    expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${id}`, headers: teacher.auth })).statusCode).toBe(204);
    expect(await keys(`rec/${id}/`)).toEqual([]);
    expect((await keys("rec/someone-else/")).map((o) => o.key)).toEqual(["rec/someone-else/keep.txt"]);
  });
});
