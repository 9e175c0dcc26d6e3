/**
 * `npm run bench:effects`: what the background effects and noise suppression cost in Chromium on
 * this machine (docs/BENCHMARKS.md). A teacher's Chromium with a fake camera (a person before a
 * checkerboard, FFmpeg-made, 30 fps) at 640×360 and at 1280×720 and a white-noise microphone is
 * in a live class of a real `vtp start`; for each setting it measures, over WINDOW seconds:
 * - CPU: the whole browser's processes (/proc utime+stime, in cores), minus the same with no effect;
 * - frames: the effect's own output rate (its worker counts frames read → written) against the camera's;
 * - added delay: the worker's time per frame, from the camera frame read to the new frame written.
 * Run it under the heavy lock on a quiet machine: `flock /tmp/vtp-heavy.lock npm run bench:effects`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { cameraFixture, noiseFixture } from "./effectsFixtures";
import { CHROMIUM, ensureWebBuilt, newContext, signInUi, startServer, verifiedUser } from "./harness";

const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 10);
const CAMERA_FPS = 30;
const TICKS_PER_SECOND = 100;
/** A benchmark measures over fixed windows of time (a test never does). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds so far of the process tree of the browser started with `marker` on its command line. */
function browserCpuSeconds(marker: string): number {
  const stats = new Map<number, { parent: number; ticks: number; marked: boolean }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      stats.set(Number(name), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), marked: cmdline.includes(marker) });
    } catch {
      /* the process ended meanwhile */
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current = stats.get(pid), depth = 0; current && depth < 20; current = stats.get(current.parent), depth++) if (current.marked) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return ticks / TICKS_PER_SECOND;
}

interface Sample {
  setting: string;
  cores: number;
  fps: number | null;
  delayMs: number | null;
}

async function measure(page: Page, marker: string, setting: string): Promise<Sample> {
  // Settle (a restarted effect loads its model), then reset the worker's counters and measure.
  await sleep(4000);
  await page.evaluate(() =>
    (window as unknown as { __vtpEffects: { background: { stats(reset: boolean): Promise<unknown> } | null } }).__vtpEffects.background?.stats(true),
  );
  const before = browserCpuSeconds(marker);
  const started = Date.now();
  await sleep(WINDOW_SECONDS * 1000);
  const cores = (browserCpuSeconds(marker) - before) / ((Date.now() - started) / 1000);
  const stats = await page.evaluate(
    () =>
      (
        window as unknown as { __vtpEffects: { background: { stats(reset: boolean): Promise<{ fps: number; averageMs: number }> } | null } }
      ).__vtpEffects.background?.stats(false) ?? null,
  );
  return { setting, cores, fps: stats?.fps ?? null, delayMs: stats?.averageMs ?? null };
}

async function choose(page: Page, change: { background?: string; noise?: boolean }) {
  const panel = page.getByTestId("effects-panel");
  if (!(await panel.isVisible())) await page.getByTestId("control-effects").click();
  if (change.background) await panel.getByTestId("effects-background").selectOption(change.background);
  if (change.noise !== undefined) await panel.getByTestId("effects-noise").setChecked(change.noise);
}

async function run(width: number, height: number, dir: string, serverUrl: string, teacher: { email: string; password: string }): Promise<Sample[]> {
  const video = cameraFixture(dir, width, height, CAMERA_FPS);
  const audio = noiseFixture(dir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
      ...["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
      `--use-file-for-fake-video-capture=${video}`,
      `--use-file-for-fake-audio-capture=${audio}`,
    ],
  });
  try {
    const ctx = await newContext(browser, serverUrl);
    ctx.setDefaultTimeout(60_000);
    const page = await ctx.newPage();
    await signInUi(page, teacher);
    await page.getByTestId("new-class").click();
    await page.getByTestId("class-title").fill(`Bench ${width}x${height}`);
    await page.getByTestId("create-class-submit").click();
    await page.getByTestId("start-class").first().click();
    await page.getByTestId("effects-background").selectOption("off");
    await page.getByTestId("effects-noise").setChecked(false);
    await page.getByTestId("prejoin-join").click();
    await page.getByTestId("classroom").waitFor();
    const samples = [await measure(page, video, "camera and microphone, no effect")];
    for (const [background, label] of [
      ["blur-light", "blur (light)"],
      ["blur-strong", "blur (strong)"],
      ["image:ocean", "image (Ocean blue)"],
    ] as const) {
      await choose(page, { background });
      samples.push(await measure(page, video, label));
    }
    await choose(page, { background: "off" });
    await choose(page, { noise: true });
    samples.push(await measure(page, video, "noise suppression (no background effect)"));
    await ctx.close();
    return samples;
  } finally {
    await browser.close();
  }
}

async function main() {
  await ensureWebBuilt();
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), "vtp-bench-effects-"));
  try {
    const teacher = await verifiedUser(server, "teacher", "Bench Teacher");
    console.log(`# bench:effects — ${new Date().toISOString()}, window ${WINDOW_SECONDS} s, camera ${CAMERA_FPS} fps`);
    for (const [width, height] of [
      [640, 360],
      [1280, 720],
    ] as const) {
      const samples = await run(width, height, dir, server.url, teacher);
      const base = samples[0]?.cores ?? 0;
      console.log(
        `\n## ${width}x${height}\n\n| setting | browser CPU (cores) | added CPU (cores) | effect fps (of ${CAMERA_FPS}) | added delay per frame (ms) |`,
      );
      console.log("| --- | --- | --- | --- | --- |");
      for (const sample of samples) {
        const fps = sample.fps === null ? "—" : sample.fps.toFixed(1);
        const delay = sample.delayMs === null ? "—" : sample.delayMs.toFixed(1);
        console.log(`| ${sample.setting} | ${sample.cores.toFixed(2)} | ${(sample.cores - base).toFixed(2)} | ${fps} | ${delay} |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
