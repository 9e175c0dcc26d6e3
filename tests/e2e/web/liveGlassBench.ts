/**
 * `npm run bench:live-glass`: glass-to-glass latency of a live stream, measured on pictures
 * (docs/BENCHMARKS.md "Live streaming"). The teacher's camera in Chromium is a canvas that shows
 * the wall clock as two rows of 24 black/white blocks (10 ms units, the second row the first's
 * complement, so a frame caught mid-change is rejected); the class goes live from the teacher's
 * page as a teacher does it; two viewers watch the same stream at once:
 * - the stream link's page as people open it (LivePlayer: hls.js, low-latency HLS, `ll/`);
 * - a bare page with hls.js playing the plain HLS beside it (the player's earlier settings,
 *   `liveSyncDurationCount: 2`).
 * Each viewer reads the clock out of the frame its <video> shows, every 100 ms, and subtracts it
 * from its own clock (one machine, one clock): camera → WebRTC → SFU → compositor (FFmpeg) →
 * packager → HTTP → hls.js → decoder → the frame on screen.
 * Env: BENCH_WARMUP_SECONDS (15), BENCH_WINDOW_SECONDS (30). Run it under the heavy lock.
 */
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import type { Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newContext, startClassUi, startServer, verifiedUser } from "./harness";

const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 15);
const WINDOW_S = Number(process.env.BENCH_WINDOW_SECONDS ?? 30);
/** A benchmark measures over fixed windows of time (a test never does). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The clock camera (runs in the teacher's page): getUserMedia's video is a canvas showing Date.now(). */
const CLOCK_CAMERA = () => {
  const devices = navigator.mediaDevices;
  if (!devices) return;
  const original = devices.getUserMedia.bind(devices);
  const canvas = document.createElement("canvas");
  canvas.width = 1280;
  canvas.height = 720;
  const paint = canvas.getContext("2d") as CanvasRenderingContext2D;
  const draw = () => {
    const value = Math.floor(Date.now() / 10) % 2 ** 24;
    paint.fillStyle = "#808080";
    paint.fillRect(0, 0, 1280, 720);
    for (let bit = 0; bit < 24; bit++) {
      const on = (value >> (23 - bit)) & 1;
      paint.fillStyle = on ? "#ffffff" : "#000000";
      paint.fillRect(40 + bit * 50, 200, 50, 140);
      paint.fillStyle = on ? "#000000" : "#ffffff";
      paint.fillRect(40 + bit * 50, 380, 50, 140);
    }
  };
  draw();
  setInterval(draw, 20);
  const stream = canvas.captureStream(30);
  devices.getUserMedia = async (constraints) => {
    const out = new MediaStream();
    if (constraints?.audio) for (const track of (await original({ audio: constraints.audio })).getAudioTracks()) out.addTrack(track);
    if (constraints?.video) out.addTrack(stream.getVideoTracks()[0].clone());
    return out;
  };
};

/** Reads the clock out of the frame `video` shows, every 100 ms for `seconds`: latencies in ms. */
async function readLatencies(page: Page, selector: string, seconds: number): Promise<{ latencies: number[]; unreadable: number }> {
  return page.evaluate(
    async ({ selector, seconds }) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      if (!video) throw new Error(`no ${selector}`);
      const canvas = document.createElement("canvas");
      const ctx = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
      const latencies: number[] = [];
      let unreadable = 0;
      const end = Date.now() + seconds * 1000;
      while (Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const width = video.videoWidth;
        const height = video.videoHeight;
        if (!width || !height) {
          unreadable++;
          continue;
        }
        canvas.width = width;
        canvas.height = height;
        ctx.drawImage(video, 0, 0, width, height);
        const now = Date.now();
        const luma = (x: number, y: number) => {
          const [r, g, b] = ctx.getImageData(Math.round((x / 1280) * width), Math.round((y / 720) * height), 1, 1).data;
          return 0.299 * r + 0.587 * g + 0.114 * b;
        };
        let value = 0;
        let ok = true;
        for (let bit = 0; bit < 24 && ok; bit++) {
          const column = 40 + bit * 50 + 25;
          const top = luma(column, 270);
          const bottom = luma(column, 450);
          if (Math.abs(top - bottom) < 80) ok = false;
          value = value * 2 + (top > bottom ? 1 : 0);
        }
        if (!ok) {
          unreadable++;
          continue;
        }
        const units = (Math.floor(now / 10) - value + 2 ** 24) % 2 ** 24;
        latencies.push(units * 10);
      }
      return { latencies, unreadable };
    },
    { selector, seconds },
  );
}

/** tsx keeps function names with a `__name` helper that pages do not have: give them one. */
const NAME_SHIM = { content: "globalThis.__name = (fn) => fn;" };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main() {
  await ensureWebBuilt();
  const load = loadavg();
  const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  try {
    const teacher = await verifiedUser(server, "teacher", "Rae Teacher");
    const { page: tp } = await startClassUi(browser, server, teacher, {
      title: "Latency lecture",
      init: async (ctx) => {
        await ctx.addInitScript(NAME_SHIM);
        await ctx.addInitScript(CLOCK_CAMERA);
      },
    });
    await tp.getByTestId("control-live").click();
    await tp.getByTestId("live-start").click();
    await tp.locator('[data-testid="live-control"][data-live="true"]').waitFor({ timeout: 60_000 });
    await tp.getByTestId("live-link").click();
    const linkUrl = (await tp.getByTestId("live-link-url").getAttribute("href")) as string;
    const token = new URL(linkUrl).pathname.split("/").pop() as string;
    const status = (await (await fetch(`${server.url}/api/v1/live/s/${token}`)).json()).live as { playbackUrl: string };
    const plainMaster = status.playbackUrl.replace("ll/master.m3u8", "master.m3u8");

    // The stream link's page, as a viewer opens it (low-latency HLS).
    const llContext = await newContext(browser, server.url);
    await llContext.addInitScript(NAME_SHIM);
    const llPage = await llContext.newPage();
    await llPage.goto(`/live/s/${token}`);
    // The plain HLS in hls.js on a bare page of the same origin (the CSP bypassed to add hls.js to it).
    const plainContext = await browser.newContext({ baseURL: server.url, bypassCSP: true });
    await plainContext.addInitScript(NAME_SHIM);
    const plainPage = await plainContext.newPage();
    await plainPage.goto("/api/v1/health");
    await plainPage.addScriptTag({ path: createRequire(import.meta.url).resolve("hls.js/dist/hls.min.js") });
    await plainPage.evaluate((src) => {
      const video = document.createElement("video");
      video.id = "plain-video";
      video.muted = true;
      video.autoplay = true;
      document.body.append(video);
      const HlsClass = (window as unknown as { Hls: new (config: object) => { loadSource(s: string): void; attachMedia(v: HTMLVideoElement): void } }).Hls;
      const hls = new HlsClass({ liveSyncDurationCount: 2, lowLatencyMode: false });
      hls.loadSource(src);
      hls.attachMedia(video);
      void video.play().catch(() => {});
    }, plainMaster);

    console.log(`warming up ${WARMUP_S} s (the camera's bitrate ramps up, both players reach their live edge)…`);
    await sleep(WARMUP_S * 1000);
    console.log(`measuring ${WINDOW_S} s…`);
    const [ll, plain] = await Promise.all([readLatencies(llPage, '[data-testid="live-video"]', WINDOW_S), readLatencies(plainPage, "#plain-video", WINDOW_S)]);
    const rows = [
      ["low-latency HLS (stream page)", ll],
      ["plain HLS (hls.js, 2 segments)", plain],
    ] as const;
    console.log(`\nload average at start ${load.map((x) => x.toFixed(2)).join(" / ")}, window ${WINDOW_S} s, a reading every 100 ms per viewer\n`);
    console.log("| player | readings | unreadable | p10 s | median s | p90 s |\n| --- | --- | --- | --- | --- | --- |");
    for (const [name, result] of rows) {
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const secs = (ms: number) => (ms / 1000).toFixed(2);
      console.log(
        `| ${name} | ${sorted.length} | ${result.unreadable} | ${secs(percentile(sorted, 10))} | ${secs(percentile(sorted, 50))} | ${secs(percentile(sorted, 90))} |`,
      );
    }
    const llMedian = percentile(
      [...ll.latencies].sort((a, b) => a - b),
      50,
    );
    const plainMedian = percentile(
      [...plain.latencies].sort((a, b) => a - b),
      50,
    );
    console.log(`\nlow-latency / plain (medians): ${(llMedian / plainMedian).toFixed(2)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
