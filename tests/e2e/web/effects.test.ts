import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, chromiumMissing, newContext, shot, signInUi, verifiedUser, webE2E } from "./harness";
import { cameraFixture, noiseFixture } from "./effectsFixtures";

const skip = chromiumMissing();

/**
 * Background effects and noise suppression, end to end (docs/WEB.md "Background and sound"): the
 * teacher's Chromium has a fake camera playing a person in front of a sharp checkerboard and a
 * fake microphone playing white noise (both made with FFmpeg here); a student's Chromium decodes
 * what the SFU forwards and measures it.
 */
describe.skipIf(Boolean(skip))("web: background blur/replacement and noise suppression", () => {
  const web = webE2E();
  let dir = "";
  let teacherBrowser: Browser;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "vtp-effects-"));
    const video = cameraFixture(dir);
    const audio = noiseFixture(dir);
    return chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          ...["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
          ...["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
          `--use-file-for-fake-video-capture=${video}`,
          `--use-file-for-fake-audio-capture=${audio}`,
        ],
      })
      .then((browser) => {
        teacherBrowser = browser;
      });
  });
  afterAll(async () => {
    await teacherBrowser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("blur and an image replace what another participant sees behind the teacher; RNNoise lowers the noise they hear; the choice survives a reload", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Tia Teacher"), verifiedUser(web.server, "student", "Stu Student")]);
    const tctx = await newContext(teacherBrowser, web.server.url);
    const tp = await tctx.newPage();
    const outside: string[] = [];
    tp.on("request", (request) => !request.url().startsWith(web.server.url) && !request.url().startsWith("data:") && outside.push(request.url()));
    await signInUi(tp, teacher);
    await tp.getByTestId("new-class").click();
    await tp.getByTestId("class-title").fill("Effects");
    await tp.getByTestId("create-class-submit").click();
    const code = (await tp.getByTestId("class-code").first().textContent())?.trim() ?? "";
    await tp.getByTestId("start-class").first().click();

    // Pre-join: the teacher's default is no background and no noise suppression; a choice is remembered on reload.
    const background = tp.getByTestId("effects-background");
    expect(await background.inputValue()).toBe("off");
    expect(await tp.getByTestId("effects-noise").isChecked()).toBe(false);
    await background.selectOption("blur-strong");
    await previewPlaying(tp);
    await shot(tp, "effects-prejoin-blur");
    await tp.reload();
    expect(await tp.getByTestId("effects-background").inputValue()).toBe("blur-strong");
    await tp.getByTestId("effects-background").selectOption("off");
    await tp.getByTestId("prejoin-join").click();
    await tp.getByTestId("classroom").waitFor();

    // The student: noise suppression is on by default for students.
    const sctx = await newContext(web.browser, web.server.url);
    const sp = await sctx.newPage();
    await signInUi(sp, student);
    await sp.goto(`/join/${code}`);
    expect(await sp.getByTestId("effects-noise").isChecked()).toBe(true);
    await sp.getByTestId("prejoin-join").click();
    await sp.getByTestId("classroom").waitFor();
    await sp.waitForFunction(
      () => [...document.querySelectorAll<HTMLVideoElement>('[data-testid="video-tile"] video')].some((video) => video.videoWidth > 0 && video.currentTime > 0),
      null,
      {
        timeout: 90_000,
      },
    );

    // No effect: the background's checkerboard arrives sharp.
    const plain = await settled(sp, ["edgesAbove", 0]);
    expect(plain.spread).toBeGreaterThan(30);

    // Strong blur, chosen in class: the background's edges fall by a clear factor, the frame is not blank.
    await tp.getByTestId("control-effects").click();
    await tp.getByTestId("effects-panel").getByTestId("effects-background").selectOption("blur-strong");
    const blurred = await settled(sp, ["edgesBelow", plain.edges / 3]);
    expect(blurred.edges).toBeLessThan(plain.edges / 3);
    expect(blurred.spread).toBeGreaterThan(8);
    expect(blurred.mean[0]).toBeGreaterThan(40);
    await shot(sp, "effects-student-sees-blur");

    // A built-in image (Sunset: orange to red): its colours are behind the teacher.
    await tp.getByTestId("effects-panel").getByTestId("effects-background").selectOption("image:sunset");
    const sunset = await settled(sp, ["redOverBlue", 60]);
    expect(sunset.mean[0]).toBeGreaterThan(150);
    expect(sunset.mean[0] - sunset.mean[2]).toBeGreaterThan(60);
    // …while the person (segmented, not replaced) stays in front: the shirt is still blue.
    expect(sunset.shirt[2] - sunset.shirt[0]).toBeGreaterThan(40);
    await shot(sp, "effects-student-sees-sunset");

    // Noise: white noise arrives at the student's ear; with RNNoise on it falls by a clear factor.
    const noisy = await receivedRms(sp, 2500);
    expect(noisy).toBeGreaterThan(0.005);
    await tp.getByTestId("effects-panel").getByTestId("effects-noise").check();
    let quiet = noisy;
    const deadline = Date.now() + 60_000;
    while (quiet > noisy / 4 && Date.now() < deadline) quiet = await receivedRms(sp, 2500);
    expect(quiet).toBeLessThan(noisy / 4);

    // Everything came from our own origin (the model, the wasm, the worklet, the images).
    expect(outside).toEqual([]);
    await tctx.close();
    await sctx.close();
  });

  it("falls back to the camera as it is, with a message, when segmentation cannot run", async () => {
    const [teacher] = await Promise.all([verifiedUser(web.server, "teacher", "Fay Fallback")]);
    const ctx = await newContext(teacherBrowser, web.server.url);
    // The model cannot be loaded: the effect cannot start.
    await ctx.route("**/*.tflite", (route) => route.fulfill({ status: 404, body: "" }));
    const page = await ctx.newPage();
    await signInUi(page, teacher);
    await page.getByTestId("new-class").click();
    await page.getByTestId("class-title").fill("Fallback");
    await page.getByTestId("create-class-submit").click();
    await page.getByTestId("start-class").first().click();
    await page.getByTestId("effects-background").selectOption("blur-light");
    await page.getByTestId("effects-message").waitFor();
    expect(await page.getByTestId("effects-message").textContent()).toContain("Background effects are off");
    // The preview shows the camera (not a frozen or empty effect track).
    await previewPlaying(page);
    await shot(page, "effects-fallback-message");
    await ctx.close();
  });
});

async function previewPlaying(page: Page) {
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="prejoin-preview"]');
    return !!video && video.videoWidth > 0 && video.currentTime > 0;
  });
}

interface FrameMeasure {
  /** Mean absolute difference of neighbouring pixels' luminance in the background (left and right fifths). */
  edges: number;
  /** The background's mean colour (R, G, B). */
  mean: [number, number, number];
  /** The whole frame's luminance standard deviation (0: a flat, blank frame). */
  spread: number;
  /** The mean colour of the middle of the person's shirt (x 40–60 %, y 75–95 %). */
  shirt: [number, number, number];
}

type Condition = ["edgesAbove" | "edgesBelow" | "redOverBlue", number];

/**
 * Measures the first playing remote video of `page` (every 400 ms) until `condition` holds for
 * two frames in a row, then returns that frame's measures; after a minute, the last measures.
 */
async function settled(page: Page, condition: Condition): Promise<FrameMeasure> {
  await page.evaluate(`window.__measureFrame = ${measureFrame.toString()}; window.__streak = 0;`);
  await page
    .waitForFunction(
      ([kind, value]) => {
        const scope = window as unknown as { __measureFrame: () => FrameMeasure; __lastFrame: FrameMeasure; __streak: number };
        const frame = scope.__measureFrame();
        scope.__lastFrame = frame;
        const holds = kind === "edgesAbove" ? frame.edges > value : kind === "edgesBelow" ? frame.edges < value : frame.mean[0] - frame.mean[2] > value;
        scope.__streak = holds ? scope.__streak + 1 : 0;
        return scope.__streak >= 2;
      },
      condition,
      { polling: 400, timeout: 60_000 },
    )
    .catch(() => {});
  return page.evaluate(() => (window as unknown as { __lastFrame: FrameMeasure }).__lastFrame);
}

function measureFrame(): FrameMeasure {
  const video = [...document.querySelectorAll<HTMLVideoElement>('[data-testid="video-tile"] video')].find((v) => v.videoWidth > 0);
  if (!video) return { edges: 0, mean: [0, 0, 0], spread: 0, shirt: [0, 0, 0] };
  const width = video.videoWidth;
  const height = video.videoHeight;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
  ctx.drawImage(video, 0, 0);
  const pixels = ctx.getImageData(0, 0, width, height).data;
  const luma = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    return 0.299 * (pixels[i] ?? 0) + 0.587 * (pixels[i + 1] ?? 0) + 0.114 * (pixels[i + 2] ?? 0);
  };
  let edgeSum = 0;
  let edgeCount = 0;
  const mean: [number, number, number] = [0, 0, 0];
  const shirt: [number, number, number] = [0, 0, 0];
  let shirtCount = 0;
  let all = 0;
  let allSquares = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const value = luma(x, y);
      all += value;
      allSquares += value * value;
      if (x > width * 0.4 && x < width * 0.6 && y > height * 0.75 && y < height * 0.95) {
        const at = (y * width + x) * 4;
        for (const channel of [0, 1, 2] as const) shirt[channel] += pixels[at + channel] ?? 0;
        shirtCount++;
      }
      if (x > width / 5 && x < (width * 4) / 5) continue;
      edgeSum += Math.abs(luma(x + 1, y) - value) + Math.abs(luma(x, y + 1) - value);
      edgeCount++;
      const i = (y * width + x) * 4;
      mean[0] += pixels[i] ?? 0;
      mean[1] += pixels[i + 1] ?? 0;
      mean[2] += pixels[i + 2] ?? 0;
    }
  }
  const count = (width - 1) * (height - 1);
  const average = all / count;
  return {
    edges: edgeSum / edgeCount,
    mean: mean.map((sum) => sum / edgeCount) as [number, number, number],
    spread: Math.sqrt(Math.max(0, allSquares / count - average * average)),
    shirt: shirt.map((sum) => sum / Math.max(1, shirtCount)) as [number, number, number],
  };
}

/** The RMS of what the student hears from the others (their remote audio elements' streams) over `ms`. */
function receivedRms(page: Page, ms: number): Promise<number> {
  return page.evaluate(async (duration) => {
    const scope = window as unknown as { __rmsContext?: AudioContext };
    scope.__rmsContext ??= new AudioContext();
    const context = scope.__rmsContext;
    await context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    const streams = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')]
      .map((audio) => audio.srcObject)
      .filter(Boolean) as MediaStream[];
    const sources = streams.map((stream) => context.createMediaStreamSource(stream));
    for (const source of sources) source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let sum = 0;
    let count = 0;
    const end = performance.now() + duration;
    while (performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      analyser.getFloatTimeDomainData(samples);
      for (const sample of samples) sum += sample * sample;
      count += samples.length;
    }
    for (const source of sources) source.disconnect();
    return count ? Math.sqrt(sum / count) : 0;
  }, ms);
}
