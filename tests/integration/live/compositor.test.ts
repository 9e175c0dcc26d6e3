import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { LiveStream } from "../../../apps/server/src/live/index.js";
import { FfmpegRtpSource } from "../recording/rtp-source.js";
import { framesPerSecond, isPicture, still } from "../../helpers/media-content.js";
import { waitFor } from "../../helpers/wait.js";
import { RtmpReceiver } from "./rtmp-receiver.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the live streaming tests in CI");

const segments = (dir: string, rendition: string) => {
  try {
    return readFileSync(path.join(dir, rendition, "index.m3u8"), "utf8")
      .split("\n")
      .filter((line) => line.endsWith(".ts"));
  } catch {
    return [];
  }
};

describe.skipIf(!hasFfmpeg)("live stream compositor (RTP in, HLS ladder and RTMP out)", () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("composes the teacher's camera live into 720p/360p HLS and an RTMP push; a new track relays out; stop ends the playlists", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vtp-live-"));
    const source = new FfmpegRtpSource("teacher-1");
    const receiver = await RtmpReceiver.start(dir);
    cleanup.push(() => receiver.kill());
    const stream = new LiveStream("stream-1", "room-1", source, {
      ffmpeg: "ffmpeg",
      dir: path.join(dir, "hls"),
      hostId: "teacher-1",
      log: pino({ level: "warn" }),
      rtmpUrl: receiver.url,
    });
    cleanup.push(() => stream.stop());
    await stream.start();
    await source.addTrack("cam-1", "video", "camera");
    await source.addTrack("mic-1", "audio", "microphone");
    const hls = path.join(dir, "hls");

    // The playlists advance, and their segments show the camera's pattern (not a flat frame).
    const first: string[] = await waitFor("three 720p segments", () => (segments(hls, "720p").length >= 3 ? segments(hls, "720p") : undefined), {
      timeoutMs: 60_000,
    });
    await waitFor("the 720p playlist to advance", () => segments(hls, "720p").at(-1) !== first.at(-1), { timeoutMs: 30_000 });
    const latest = segments(hls, "720p").at(-1) as string;
    expect(isPicture(await still(path.join(hls, "720p", latest)))).toBe(true);
    const low = await waitFor("360p segments", () => segments(hls, "360p").at(-1), { timeoutMs: 10_000 });
    expect(isPicture(await still(path.join(hls, "360p", low)))).toBe(true);
    const master = readFileSync(path.join(hls, "master.m3u8"), "utf8");
    expect(master).toContain("720p/index.m3u8");
    expect(master).toContain("360p/index.m3u8");

    // A screen share joins: the compositor is rebuilt and the same playlist goes on (a discontinuity).
    const runs = stream.runs;
    await source.addTrack("screen-1", "video", "screen");
    await waitFor("the compositor to be rebuilt", () => stream.runs > runs, { timeoutMs: 20_000 });
    const before = segments(hls, "720p").at(-1);
    await waitFor("segments after the new layout", () => segments(hls, "720p").at(-1) !== before && segments(hls, "720p").length > 0, { timeoutMs: 30_000 });
    expect(readFileSync(path.join(hls, "720p", "index.m3u8"), "utf8")).toContain("#EXT-X-DISCONTINUITY");

    // RTMP: the receiver gets a stream that decodes to pictures.
    await waitFor("the RTMP receiver to get media", () => receiver.received() > 200_000, { timeoutMs: 60_000 });
    await stream.stop();
    for (const rendition of ["720p", "360p"]) expect(readFileSync(path.join(hls, rendition, "index.m3u8"), "utf8")).toContain("#EXT-X-ENDLIST");
    await receiver.finished();
    const frames = await framesPerSecond(receiver.file);
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.filter((frame) => isPicture(frame)).length).toBeGreaterThan(frames.length / 2);
    // Old segments beyond the playlist's window are deleted.
    expect(readdirSync(path.join(hls, "720p")).filter((name) => name.endsWith(".ts")).length).toBeLessThan(40);
  }, 240_000);
});
