import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { framesPerSecond, isPicture, still } from "../../helpers/media-content";
import { waitFor } from "../../helpers/wait";
import { RtmpReceiver } from "../../integration/live/rtmp-receiver";
import { chromiumMissing, newContext, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing() || (!existsSync("/usr/bin/ffmpeg") && process.env.CI !== "true" ? "ffmpeg missing: skipping the live streaming test" : false);
if (skip) console.warn(skip);

const segmentsOf = (playlist: string) => playlist.split("\n").filter((line) => line.trim().endsWith(".ts"));

describe.skipIf(Boolean(skip))("web: streaming a class live (HLS, low-latency HLS and RTMP)", () => {
  const web = webE2E();

  it("the teacher goes live with an RTMP push; a viewer with a stream link plays it; stop ends the playlist; a revoked link is gone", async () => {
    const receiver = await RtmpReceiver.start(mkdtempSync(path.join(tmpdir(), "vtp-live-e2e-")));
    try {
      const teacher = await verifiedUser(web.server, "teacher", "Rae Teacher");
      const { page: tp } = await startClassUi(web.browser, web.server, teacher, { title: "Live lecture" });

      // Go live, pushing to the RTMP server this test runs on loopback.
      await tp.getByTestId("control-live").click();
      await tp.getByTestId("live-rtmp").fill("http://not-rtmp.example/x");
      await tp.getByTestId("live-start").click();
      await tp.getByRole("alert").filter({ hasText: "rtmp" }).waitFor();
      await tp.getByTestId("live-rtmp").fill(receiver.url);
      await tp.getByTestId("live-start").click();
      await tp.locator('[data-testid="live-control"][data-live="true"]').waitFor({ timeout: 60_000 });
      await tp.getByTestId("live-link").click();
      const linkUrl = (await tp.getByTestId("live-link-url").getAttribute("href")) as string;
      const token = new URL(linkUrl).pathname.split("/").pop() as string;
      await shot(tp, "live-teacher-panel");

      // The HLS playlist advances, and its segments show the teacher's camera (not a flat frame).
      const api = `${web.server.url}/api/v1/live/s/${token}`;
      const status = (await (await fetch(api)).json()).live;
      expect(status.live).toBe(true);
      // The player gets the low-latency HLS (ll/); the plain HLS beside it is what the RTMP push and the CDN copy read.
      expect(status.playbackUrl).toMatch(/\/hls\/ll\/master\.m3u8$/);
      const llVariant = `${web.server.url}${status.playbackUrl.replace("master.m3u8", "720p/index.m3u8")}`;
      const variant = `${web.server.url}${status.playbackUrl.replace("ll/master.m3u8", "720p/index.m3u8")}`;
      const read = async () => {
        const res = await fetch(variant);
        return res.ok ? res.text() : "";
      };
      const first = await waitFor("two 720p segments", async () => (segmentsOf(await read()).length >= 2 ? segmentsOf(await read()) : undefined), {
        timeoutMs: 90_000,
        intervalMs: 500,
      });
      const advanced = await waitFor(
        "the playlist to advance",
        async () => {
          const now = segmentsOf(await read());
          return now.at(-1) !== first.at(-1) ? now : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      const segmentUrl = variant.replace("index.m3u8", advanced.at(-1) as string);
      expect(isPicture(await still(segmentUrl))).toBe(true);

      // A viewer without an account opens the link: the player's time advances and its frames are pictures.
      const viewerCtx = await newContext(web.browser, web.server.url);
      const vp = await viewerCtx.newPage();
      // hls.js plays it as low-latency HLS: blocking playlist reloads and partial segments.
      const llRequests = { blocking: 0, parts: 0 };
      vp.on("request", (request) => {
        const url = request.url();
        if (/\/ll\/720p\/index\.m3u8\?.*_HLS_msn=\d+/.test(url) || /\/ll\/360p\/index\.m3u8\?.*_HLS_msn=\d+/.test(url)) llRequests.blocking++;
        if (/\/ll\/\w+\/seg\d+\.\d+\.m4s/.test(url)) llRequests.parts++;
      });
      await vp.goto(`/live/s/${token}`);
      await vp.locator('[data-testid="live-page"][data-live="true"]').waitFor({ timeout: 30_000 });
      const playedFrom = await vp.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="live-video"]');
          return video && video.videoWidth > 0 && video.currentTime > 0 ? video.currentTime : 0;
        },
        undefined,
        { timeout: 60_000 },
      );
      const startTime = (await playedFrom.jsonValue()) as number;
      await vp.waitForFunction((from) => (document.querySelector<HTMLVideoElement>('[data-testid="live-video"]')?.currentTime ?? 0) > from + 2, startTime, {
        timeout: 30_000,
      });
      // What the viewer sees: the player's picture (a screenshot, decoded by FFmpeg) is not a flat frame.
      const shotFile = path.join(tmpdir(), `vtp-live-viewer-${process.pid}.png`);
      await waitFor(
        "the viewer's player to show a picture",
        async () => {
          await vp.getByTestId("live-video").screenshot({ path: shotFile });
          return isPicture(await still(shotFile));
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
      expect(llRequests.blocking).toBeGreaterThan(0);
      expect(llRequests.parts).toBeGreaterThan(0);
      // The viewer is counted, by the viewers and by the teacher.
      await vp.locator('[data-testid="live-viewers"][data-count="1"]').waitFor({ timeout: 15_000 });
      await tp.getByTestId("control-live").filter({ hasText: "1 watching" }).waitFor({ timeout: 15_000 });
      await shot(vp, "live-viewer");

      // The RTMP server receives media.
      await waitFor("the RTMP receiver to get media", () => receiver.received() > 100_000, { timeoutMs: 60_000 });

      // Stop: the playlist ends; the RTMP push finishes and what it sent decodes to pictures.
      await tp.getByTestId("live-stop").click();
      await waitFor("#EXT-X-ENDLIST", async () => (await read()).includes("#EXT-X-ENDLIST"), { timeoutMs: 30_000, intervalMs: 500 });
      expect(await (await fetch(llVariant)).text()).toContain("#EXT-X-ENDLIST");
      await receiver.finished();
      const frames = await framesPerSecond(receiver.file);
      expect(frames.length).toBeGreaterThan(2);
      expect(frames.filter((frame) => isPicture(frame)).length).toBeGreaterThan(frames.length / 2);

      // The teacher revokes the link: its page and files answer 404.
      await tp.getByTestId("live-link-revoke").first().click();
      await waitFor("the revoked link to be gone", async () => (await fetch(api)).status === 404, { timeoutMs: 15_000, intervalMs: 300 });
      expect((await fetch(variant)).status).toBe(404);
      expect((await fetch(llVariant)).status).toBe(404);
      await vp.reload();
      await vp.getByTestId("live-error").waitFor();
      await viewerCtx.close();
    } finally {
      receiver.kill();
    }
  }, 400_000);
});
