import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { LiveStream } from "../../../apps/server/src/live/index.js";
import { llFile } from "../../../apps/server/src/live/llhls/serve.js";
import { AppError } from "../../../apps/server/src/errors/index.js";
import { FfmpegRtpSource } from "../recording/rtp-source.js";
import { isPicture, still } from "../../helpers/media-content.js";
import { waitFor } from "../../helpers/wait.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the live streaming tests in CI");

const text = (file: { body: Buffer | string }) => file.body.toString();
const parts = (playlist: string) => [...playlist.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="(seg(\d+)\.(\d+)\.m4s)"/g)];

/**
 * The low-latency HLS of a live stream (apps/server/src/live/llhls), with the real compositor
 * FFmpeg: the playlist lists partial segments; an init segment and the parts concatenated
 * decode to a picture; a blocking reload answers only once the asked part exists; bad
 * `_HLS_msn` / `_HLS_part` are refused (400, VALIDATION_FAILED); a new layout brings a new
 * init segment and a discontinuity.
 */
describe.skipIf(!hasFfmpeg)("live stream low-latency HLS", () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("serves partial segments, blocking reloads and a discontinuity after a new layout", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vtp-llhls-"));
    const source = new FfmpegRtpSource("teacher-1");
    const stream = new LiveStream("stream-ll", "room-ll", source, {
      ffmpeg: "ffmpeg",
      dir: path.join(dir, "hls"),
      hostId: "teacher-1",
      log: pino({ level: "warn" }),
    });
    cleanup.push(() => stream.stop());
    await stream.start();
    await source.addTrack("cam-1", "video", "camera");
    await source.addTrack("mic-1", "audio", "microphone");
    const get = (rel: string, query: Record<string, unknown> = {}) => llFile(stream.ll, rel, query);

    // The playlist: server control, part info, parts, and at least two complete segments.
    const playlist = await waitFor(
      "a complete LL segment of a whole GOP (2 s)",
      async () => {
        const body = text(await get("ll/720p/index.m3u8"));
        return [...body.matchAll(/#EXTINF:([\d.]+),/g)].some(([, duration]) => Number(duration) >= 1.9) ? body : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(playlist).toContain("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");
    expect(playlist).toMatch(/#EXT-X-PART-INF:PART-TARGET=/);
    expect(playlist).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg\d+\.\d+\.m4s"/);
    expect(playlist).toMatch(/#EXT-X-MAP:URI="init\d+\.mp4"/);
    const listed = parts(playlist);
    expect(listed.length).toBeGreaterThan(2);
    for (const [, duration] of listed) expect(Number(duration)).toBeLessThanOrEqual(0.6);

    // Init + the parts of one segment, concatenated, decode to the camera's picture.
    const map = /#EXT-X-MAP:URI="(init\d+\.mp4)"/.exec(playlist)?.[1] as string;
    const msn = Number([...playlist.matchAll(/#EXTINF:([\d.]+),\nseg(\d+)\.m4s/g)].filter(([, duration]) => Number(duration) >= 1.9).at(-1)?.[2]);
    const segParts: Buffer[] = [];
    for (let part = 0; ; part++) {
      const file = await get(`ll/720p/seg${msn}.${part}.m4s`).catch(() => undefined);
      if (!file) break;
      segParts.push(file.body as Buffer);
    }
    expect(segParts.length).toBeGreaterThan(1);
    const joined = path.join(dir, "joined.mp4");
    writeFileSync(joined, Buffer.concat([(await get(`ll/720p/${map}`)).body as Buffer, ...segParts]));
    const probe = spawnSync(
      "ffprobe",
      ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,nb_read_frames", "-of", "csv=p=0", joined],
      {
        encoding: "utf8",
      },
    );
    const [codec, width, frames] = probe.stdout.trim().split(",");
    expect(codec).toBe("h264");
    expect(width).toBe("1280");
    expect(Number(frames)).toBeGreaterThan(30);
    expect(isPicture(await still(joined))).toBe(true);
    // The whole segment is its parts.
    expect(Buffer.compare((await get(`ll/720p/seg${msn}.m4s`)).body as Buffer, Buffer.concat(segParts))).toBe(0);

    // A blocking reload for the next part returns only once that part is listed.
    const edge = parts(text(await get("ll/720p/index.m3u8"))).at(-1) as RegExpMatchArray;
    const [askMsn, askPart] = [Number(edge[3]), Number(edge[4]) + 1];
    const held = await get("ll/720p/index.m3u8", { _HLS_msn: String(askMsn), _HLS_part: String(askPart) });
    const after = text(held);
    const got = parts(after).some(([, , , m, p]) => (Number(m) === askMsn && Number(p) >= askPart) || Number(m) > askMsn);
    expect(got).toBe(true);
    // A hinted part not yet made is held until it exists, then served.
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(after)?.[1] as string;
    expect(((await get(`ll/720p/${hint}`)).body as Buffer).length).toBeGreaterThan(100);

    // Bad delivery directives: 400 with an error code.
    const refused = async (query: Record<string, unknown>) => {
      const err = await get("ll/720p/index.m3u8", query).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    };
    for (const query of [{ _HLS_msn: "abc" }, { _HLS_msn: "-1" }, { _HLS_part: "1" }, { _HLS_msn: String(askMsn + 50) }]) {
      const err = await refused(query);
      expect(err.status).toBe(400);
      expect(err.code).toBe("VALIDATION_FAILED");
    }
    await expect(get("ll/720p/seg999999.3.m4s")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(get("ll/999p/index.m3u8")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const master = text(await get("ll/master.m3u8"));
    expect(master).toContain("720p/index.m3u8");
    expect(master).toContain("360p/index.m3u8");
    expect(master).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);

    // A new layout (a screen share): a new init segment after a discontinuity.
    const runs = stream.runs;
    const initsBefore = Math.max(...[...text(await get("ll/720p/index.m3u8")).matchAll(/init(\d+)\.mp4/g)].map(([, n]) => Number(n)));
    await source.addTrack("screen-1", "video", "screen");
    await waitFor("the compositor to be rebuilt", () => stream.runs > runs, { timeoutMs: 20_000 });
    const relaid = await waitFor(
      "a discontinuity with a new init segment",
      async () => {
        const body = text(await get("ll/720p/index.m3u8"));
        const init = /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init(\d+)\.mp4"/.exec(body.slice(body.lastIndexOf("#EXT-X-DISCONTINUITY\n")))?.[1];
        return init !== undefined && Number(init) > initsBefore ? body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(relaid).toMatch(/#EXT-X-DISCONTINUITY-SEQUENCE:\d+/);

    await stream.stop();
    expect(text(await get("ll/720p/index.m3u8"))).toContain("#EXT-X-ENDLIST");
    // The plain HLS beside it still works (its own test: compositor.test.ts).
  }, 240_000);
});
