import { afterAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";
import type { RecordingDto } from "@vtp/protocol";
import { sleep, waitFor } from "../../helpers/wait.js";
import { contentProblems, isPicture, still, STAGE, tileRegion, type ExpectedContent } from "../../helpers/media-content";

const skip = chromiumMissing() || (!existsSync("/usr/bin/ffmpeg") && process.env.CI !== "true" ? "ffmpeg missing: skipping the recording content test" : false);
if (skip) console.warn(skip);

/**
 * The teacher's shared screen: a magenta slide with a moving bar (Chromium's own fake screen is
 * the same green pattern as its fake camera, so it could not be told apart in the recording).
 * The web client gets it from getDisplayMedia exactly as it would a real screen.
 */
const MAGENTA_SCREEN = () => {
  if (!navigator.mediaDevices) return;
  navigator.mediaDevices.getDisplayMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 1280;
    canvas.height = 720;
    const paint = canvas.getContext("2d")!;
    let frame = 0;
    const draw = () => {
      paint.fillStyle = "#e000e0";
      paint.fillRect(0, 0, 1280, 720);
      paint.fillStyle = "#ffffff";
      paint.fillRect((frame * 16) % 1160, 220, 120, 300);
      paint.fillStyle = "#300030";
      paint.font = "bold 96px sans-serif";
      paint.fillText(`Slide ${frame}`, 80, 140);
      frame++;
    };
    draw();
    setInterval(draw, 100);
    return canvas.captureStream(10);
  };
};

async function pressedOn(page: Page, testId: string) {
  await page.waitForFunction((id) => !document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!.disabled, testId, { timeout: 60_000 });
  if ((await page.getByTestId(testId).getAttribute("aria-pressed")) !== "true") await page.getByTestId(testId).click();
  await page.waitForFunction((id) => document.querySelector(`[data-testid="${id}"]`)!.getAttribute("aria-pressed") === "true", testId);
}

/**
 * `page` receives the camera of `userId`: its tile holds a live video track (decoding may lag far
 * behind on a loaded machine; the recording's content is what this test checks).
 */
async function seesCamera(page: Page, userId: string, who: string) {
  try {
    await page.waitForFunction(
      (id) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-testid="video-tile"][data-user-id="${id}"]:not([data-screen="true"]) video`);
        const stream = video?.srcObject as MediaStream | null | undefined;
        return !!stream && stream.getVideoTracks().some((t) => t.readyState === "live");
      },
      userId,
      { timeout: 120_000 },
    );
  } catch (err) {
    // Which side is missing what: the tiles this page shows and their tracks.
    const tiles = await page
      .evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="video-tile"]')].map((tile) => {
          const stream = tile.querySelector("video")?.srcObject as MediaStream | null | undefined;
          return {
            user: tile.dataset.userId,
            screen: tile.dataset.screen,
            tracks: stream?.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? "muted" : "unmuted"}`) ?? null,
          };
        }),
      )
      .catch((e) => String(e));
    await shot(page, `recording-content-${who}`).catch(() => {});
    throw new Error(`${who} does not receive the camera of ${userId} after 120 s; tiles: ${JSON.stringify(tiles)} (${String(err)})`);
  }
}

describe.skipIf(Boolean(skip))("web: a recording holds the picture and the sound of the class", () => {
  // Info: the server's timeline (the recorder's media, FFmpeg parts) in the output copied on failure,
  // and the processing's line saying which path made the files (composed during the class, or after it).
  const web = webE2E({ LOG_LEVEL: process.env.VTP_E2E_LOG_LEVEL ?? "info", RECORDING_COMPOSE_LIVE: "true" });
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
  });

  it("cameras live before Record, a promoted student's camera and microphone, and a screen share are all in the MP4, both HLS variants and the thumbnail", async ({
    onTestFailed,
  }) => {
    let recordingId = "";
    onTestFailed(() => {
      // The server's log, the captured tracks and FFmpeg logs, for a look at what went wrong.
      const to = path.join(ARTIFACTS, "recording-content");
      rmSync(to, { recursive: true, force: true });
      mkdirSync(to, { recursive: true });
      writeFileSync(path.join(to, "server.log"), web.server.output());
      const recordings = path.join(web.server.dataDir, "recordings", "rec");
      if (existsSync(recordings)) cpSync(recordingId ? path.join(recordings, recordingId) : recordings, to, { recursive: true });
      console.warn(`the server's log and the recording's files copied to ${to}`);
    });
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Rae Teacher"), verifiedUser(web.server, "student", "Lou Student")]);
    const teacherUi = await startClassUi(web.browser, web.server, teacher, {
      title: "Recorded with cameras",
      init: async (ctx) => void (await ctx.addInitScript(MAGENTA_SCREEN)),
    });
    const studentUi = await joinClassUi(web.browser, web.server, student, teacherUi.code);
    contexts.push(teacherUi.ctx, studentUi.ctx);
    const tp = teacherUi.page;
    const sp = studentUi.page;
    await sp.getByTestId("classroom").waitFor();
    const idOf = (page: Page) =>
      page.evaluate(() =>
        fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
          .then((res) => res.json())
          .then((body) => body.user.id as string),
      );
    const [teacherId, studentId] = await Promise.all([idOf(tp), idOf(sp)]);

    // Before Record: the teacher's camera and microphone are on, the student is allowed to speak
    // and turns camera and microphone on; each sees the other's camera.
    await pressedOn(tp, "control-camera");
    await pressedOn(tp, "control-mic");
    await tp.getByTestId("control-participants").click();
    await tp.locator(`[data-testid="participant"][data-user-id="${studentId}"]`).getByTestId("promote").click();
    await pressedOn(sp, "control-camera");
    await pressedOn(sp, "control-mic");
    await Promise.all([seesCamera(sp, teacherId, "the student"), seesCamera(tp, studentId, "the teacher")]);

    const login = await fetch(`${web.server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: teacher.email, password: teacher.password }),
    }).then((res) => res.json());
    const auth = { authorization: `Bearer ${login.accessToken}` };

    await tp.getByTestId("control-record").click();
    await tp.getByTestId("recording-indicator").waitFor({ timeout: 60_000 });
    const recordedAt = Date.now();
    // The class follows a script in seconds from Record; the checks below look for each part of it.
    const classTime = (seconds: number) => sleep(Math.max(0, recordedAt + seconds * 1000 - Date.now()));
    await classTime(8);
    await tp.getByTestId("control-screen").click();
    await sp.locator('[data-testid="video-tile"][data-screen="true"]').waitFor({ timeout: 60_000 });
    const sharedAt = (Date.now() - recordedAt) / 1000;
    await classTime(22);
    await tp.getByTestId("control-screen").click();
    await sp.locator('[data-testid="video-tile"][data-screen="true"]').waitFor({ state: "detached", timeout: 60_000 });
    const unsharedAt = (Date.now() - recordedAt) / 1000;
    await classTime(40);
    await tp.getByTestId("control-record").click();
    const stoppedAt = Date.now();
    await sp.getByTestId("recording-indicator").waitFor({ state: "detached", timeout: 60_000 });

    const rec: RecordingDto = await waitFor(
      "the recording to be processed",
      async () => {
        const [latest]: RecordingDto[] = (await fetch(`${web.server.url}/api/v1/recordings`, { headers: auth }).then((res) => res.json())).recordings;
        return latest && (latest.status === "ready" || latest.status === "failed") ? latest : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
    recordingId = rec.id;
    expect(rec?.status, JSON.stringify(rec)).toBe("ready");
    // Composed while the class ran (recording/progressive/): at Stop only the last seconds were
    // composed and the pieces joined; the after-class pass (about as long as the class) did not run.
    const joined = web.server
      .output()
      .split("\n")
      .find((line) => line.includes(rec.id) && line.includes("recording joined from what was composed during the class"));
    expect(joined, "the recording was joined from what was composed during the class").toBeTruthy();
    console.info(`ready ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after Stop`);
    console.info(
      JSON.stringify({
        startedAt: rec.startedAt,
        stoppedAt: rec.stoppedAt,
        recordedAt: new Date(recordedAt).toISOString(),
        sharedAt,
        unsharedAt,
        tracks: rec.tracks.map((x) => ({ source: x.source, kind: x.kind, start: x.startOffsetMs, end: x.endOffsetMs, parts: x.parts })),
        // The recorder's timeline at Record (logged as a warning when its media came late).
        recorder: web.server
          .output()
          .split("\n")
          .find((line) => line.includes('"consumedMs"')),
      }),
    );
    const screen = rec.tracks.find((x: { source: string }) => x.source === "screen");
    expect(screen, JSON.stringify(rec.tracks)).toBeTruthy();

    const durationSeconds = (Date.parse(rec.stoppedAt!) - Date.parse(rec.startedAt)) / 1000;
    const shareFrom = screen!.startOffsetMs / 1000;
    const shareTo = (screen!.endOffsetMs ?? durationSeconds * 1000) / 1000;
    const expected: ExpectedContent = {
      durationS: durationSeconds,
      cameras: [
        // From the moment a screen is first shared, the teacher's camera is also a tile (slot 0)
        // and the student's camera moves to the next one; the teacher's camera is full size on the
        // stage outside the share.
        { name: "the teacher's camera (tile)", from: shareFrom, to: durationSeconds, region: () => tileRegion(0) },
        {
          name: "the student's camera (tile)",
          from: 0,
          to: durationSeconds,
          region: (seconds) => tileRegion(seconds < shareFrom ? 0 : 1),
          skip: (seconds) => Math.abs(seconds - shareFrom) < 1,
        },
        {
          name: "the teacher's camera on the stage outside the share",
          from: 0,
          to: durationSeconds,
          region: () => STAGE,
          skip: (seconds) => seconds >= shareFrom - 0.5 && seconds < shareTo + 1.5,
        },
      ],
      screens: [{ from: shareFrom, to: shareTo }],
      mics: [{ from: 0, to: durationSeconds }],
    };
    const master = await (await fetch(`${web.server.url}${rec.urls!.stream}`)).text();
    const variants = master.split("\n").filter((l) => l.startsWith("/api/"));
    expect(variants, master).toHaveLength(2);
    const problems = [
      ...(await contentProblems(`${web.server.url}${rec.urls!.download}`, expected, "MP4")),
      ...(await contentProblems(`${web.server.url}${variants[0]}`, expected, "HLS variant 1")),
      ...(await contentProblems(`${web.server.url}${variants[1]}`, expected, "HLS variant 2")),
    ];
    expect(problems, problems.join("\n")).toEqual([]);
    expect(rec.warnings, JSON.stringify(rec.warnings)).toEqual([]);
    expect(isPicture(await still(`${web.server.url}${rec.urls!.thumbnail}`)), "the thumbnail is not blank").toBe(true);
  }, 420_000);
});
