import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutBucketCorsCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPicture, still } from "../../helpers/media-content";
import { type LocalS3, s3ServerCommand, startLocalS3 } from "../../helpers/s3";
import { waitFor } from "../../helpers/wait";
import { chromiumMissing, newContext, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip =
  chromiumMissing() ||
  ((!existsSync("/usr/bin/ffmpeg") || !s3ServerCommand()) && process.env.CI !== "true" ? "ffmpeg or moto_server missing: skipping the live CDN test" : false);
if (skip) console.warn(skip);

/**
 * A stream published through a CDN: the "CDN" is the S3 server itself (moto, on loopback), its
 * live/ keys readable by anyone and answering CORS, as an operator sets a bucket up behind one.
 */
describe.skipIf(Boolean(skip))("web: a live stream published through the CDN", () => {
  let s3: LocalS3 | undefined;
  beforeAll(async () => {
    s3 = await startLocalS3("vtp-cdn");
    if (!s3) throw new Error("moto_server did not start");
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${s3.bucket}/live/*` }],
    };
    await client.send(new PutBucketPolicyCommand({ Bucket: s3.bucket, Policy: JSON.stringify(policy) }));
    await client.send(new PutBucketCorsCommand({ Bucket: s3.bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] } }));
    client.destroy();
  });
  afterAll(() => s3?.stop());
  const web = webE2E(() => ({ ...(s3?.env ?? {}), LIVE_CDN_URL: `${s3?.endpoint}/${s3?.bucket}` }));

  it("the teacher ticks 'Publish through the CDN'; a viewer with a stream link plays it from the CDN, not from VTP", async () => {
    if (!s3) throw new Error("no S3 server");
    const cdn = `${s3.endpoint}/${s3.bucket}/live/`;
    const teacher = await verifiedUser(web.server, "teacher", "Cy Teacher");
    const { page: tp } = await startClassUi(web.browser, web.server, teacher, { title: "Assembly" });
    await tp.getByTestId("control-live").click();
    await tp.getByTestId("live-cdn").check();
    await tp.getByTestId("live-start").click();
    await tp.locator('[data-testid="live-control"][data-live="true"]').waitFor({ timeout: 60_000 });
    await tp.getByTestId("live-rtmp-state").filter({ hasText: "through the CDN" }).waitFor();
    await tp.getByTestId("live-link").click();
    const linkUrl = (await tp.getByTestId("live-link-url").getAttribute("href")) as string;
    const token = new URL(linkUrl).pathname.split("/").pop() as string;

    // The viewer's status names the CDN's master playlist.
    const status = (await (await fetch(`${web.server.url}/api/v1/live/s/${token}`)).json()).live;
    expect(status.playbackUrl.startsWith(cdn)).toBe(true);

    // The viewer's browser fetches the playlists and segments from the CDN, and its player shows a picture.
    const viewerCtx = await newContext(web.browser, web.server.url);
    const vp = await viewerCtx.newPage();
    const fromCdn: string[] = [];
    const fromVtp: string[] = [];
    const problems: string[] = [];
    vp.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    vp.on("requestfailed", (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
    vp.on("requestfinished", (request) => {
      const url = request.url();
      if (url.startsWith(cdn)) void request.response().then((res) => fromCdn.push(`${url.slice(cdn.length)} ${res?.status()}`));
      else if (/\.(m3u8|ts)(\?|$)/.test(url)) fromVtp.push(url);
    });
    await vp.addInitScript(() => {
      const errors: string[] = [];
      (window as unknown as { mediaErrors: string[] }).mediaErrors = errors;
      document.addEventListener(
        "error",
        (event) => {
          const video = event.target as HTMLVideoElement;
          if (video.tagName === "VIDEO") errors.push(`${video.error?.code} ${video.error?.message}`);
        },
        true,
      );
    });
    await vp.goto(`/live/s/${token}`);
    await vp.locator('[data-testid="live-page"][data-live="true"]').waitFor({ timeout: 30_000 });
    const shotFile = path.join(tmpdir(), `vtp-live-cdn-viewer-${process.pid}.png`);
    await waitFor(
      "the viewer's player to show a picture",
      async () => {
        const playing = await vp.evaluate(() => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="live-video"]');
          return Boolean(video && video.videoWidth > 0 && video.currentTime > 0);
        });
        if (!playing) return false;
        await vp.getByTestId("live-video").screenshot({ path: shotFile });
        return isPicture(await still(shotFile));
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; from the CDN: ${fromCdn.join(", ")}; the page said: ${problems.slice(0, 5).join(" | ")}`);
    });
    await shot(vp, "live-cdn-viewer");
    // It keeps playing (a player starting over would go back to the live edge's first frame).
    const playedFrom = await vp.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="live-video"]')?.currentTime ?? 0);
    await vp
      .waitForFunction((from) => (document.querySelector<HTMLVideoElement>('[data-testid="live-video"]')?.currentTime ?? 0) > from + 4, playedFrom, {
        timeout: 30_000,
      })
      .catch(async (err) => {
        throw new Error(`${err}; media errors: ${await vp.evaluate(() => (window as unknown as { mediaErrors: string[] }).mediaErrors.join(" | "))}`);
      });
    expect(
      fromCdn.some((line) => /master\.m3u8 200$/.test(line)),
      fromCdn.join(", "),
    ).toBe(true);
    expect(fromVtp).toEqual([]);

    await tp.getByTestId("live-stop").click();
    await waitFor(
      "the CDN's playlist to end",
      async () => (await (await fetch(status.playbackUrl.replace("master.m3u8", "720p/index.m3u8"))).text()).includes("#EXT-X-ENDLIST"),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await viewerCtx.close();
  }, 400_000);
});
