import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { chromiumMissing, joinClassUi, PHONE, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing() || (!existsSync("/usr/bin/ffmpeg") && process.env.CI !== "true" ? "ffmpeg missing: skipping the recording test" : false);
if (skip) console.warn(skip);

describe.skipIf(Boolean(skip))("web: recording a class and watching it", () => {
  const web = webE2E();

  it("the teacher records and marks a moment; everyone sees the indicator; the recording plays and can be shared with the class", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Rae Teacher"), verifiedUser(web.server, "student", "Lou Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Recorded lesson" });
    const { ctx: sctx, page: sp } = await joinClassUi(web.browser, web.server, student, code, PHONE);
    await sp.getByTestId("classroom").waitFor();

    // The student sees the teacher before the recording starts.
    await sp.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="video-tile"] video');
        return !!video && video.videoWidth > 0 && video.currentTime > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    await tp.getByTestId("control-record").click();
    await tp.getByTestId("recording-indicator").waitFor({ timeout: 30_000 });
    await sp.getByTestId("recording-indicator").waitFor({ timeout: 30_000 });
    await shot(sp, "classroom-recording-student-phone");
    await tp.getByTestId("control-chat").click();
    await tp.getByTestId("chat-input").fill("This is on the recording");
    await tp.getByTestId("chat-send").click();
    // The student raises a hand: a `hand` marker on the recording's timeline.
    await sp.getByTestId("control-hand").click();
    await sp.getByText("Hand raised. The teacher will see it.").waitFor();
    // The teacher asks a yes/no poll; the student answers from the phone; the teacher closes
    // and publishes it: the replay shows it with its bars.
    await tp.getByTestId("control-polls").click();
    const pollPanel = tp.getByTestId("poll-panel");
    await pollPanel.getByTestId("poll-new").click();
    await pollPanel.getByTestId("poll-question-input").fill("Is the sound clear?");
    await pollPanel.getByTestId("poll-kind").selectOption("yes-no");
    await pollPanel.getByTestId("poll-launch").click();
    const studentCard = sp.getByTestId("poll-card");
    await studentCard.locator('[data-testid="poll-option"][data-option="Yes"]').click();
    await studentCard.getByTestId("poll-submit").click();
    await studentCard.getByTestId("poll-sent").waitFor();
    const livePoll = pollPanel.locator('[data-testid="poll-item"][data-status="open"]');
    await livePoll.locator('[data-testid="poll-result"][data-option="Yes"] [data-testid="poll-bar"][data-count="1"]').waitFor();
    await livePoll.getByTestId("poll-close").click();
    await pollPanel.locator('[data-testid="poll-item"][data-status="closed"]').getByTestId("poll-publish").click();
    await studentCard.getByTestId("poll-results").waitFor();
    await tp.getByTestId("control-polls").click();
    // The teacher marks a moment; the player shows it on the timeline.
    await tp.getByTestId("control-marker").click();
    await tp.getByTestId("marker-save").click(); // unnamed: "Marked at m:ss"
    await tp.getByText("Moment marked in the recording.").waitFor();
    // Three more seconds of class on the recording, by the REC clock the teacher sees.
    const recClock = '[data-testid="recording-indicator"] .mono';
    const seconds = (text: string | null) => (text ?? "").split(":").reduce((total, part) => total * 60 + Number(part), 0);
    const markedAt = seconds(await tp.locator(recClock).textContent());
    await tp.waitForFunction(
      ({ selector, at }) => (document.querySelector(selector)?.textContent ?? "").split(":").reduce((total, part) => total * 60 + Number(part), 0) >= at,
      { selector: recClock, at: markedAt + 3 },
      { timeout: 30_000 },
    );
    await tp.getByTestId("control-record").click();
    await sp.getByTestId("recording-indicator").waitFor({ state: "detached" });

    await tp.goto("/recordings");
    const card = tp.getByTestId("recording-card").first();
    await card.waitFor();
    await tp.locator('[data-testid="recording-card"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await shot(tp, "recordings-teacher");
    await card.getByRole("link").first().click();
    await tp.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]');
        return !!video && video.readyState >= 1 && video.duration > 2 && video.videoWidth > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    // Muted, so the browser's autoplay rules allow play() without a click.
    await tp.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')!;
      video.muted = true;
      return video.play().catch(() => {});
    });
    await tp.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')?.currentTime ?? 0) > 0.5, undefined, {
      timeout: 30_000,
    });
    // Played through hls.js: a MediaSource behind a blob: URL, not the browser's native HLS.
    expect(await tp.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')!.src)).toMatch(/^blob:/);
    expect(await tp.getByTestId("recording-marker").filter({ hasText: "Marked at" }).count()).toBeGreaterThanOrEqual(1);
    await tp.locator('[data-testid="recording-marker"][data-kind="hand"]').filter({ hasText: "Lou Student raised a hand" }).waitFor();
    // The poll is a moment on the timeline, and beside the chat with its published bars once playback passes its close.
    await tp.locator('[data-testid="recording-marker"][data-kind="poll"]').filter({ hasText: "Poll: Is the sound clear?" }).waitFor();
    const replayedPoll = tp.getByTestId("recording-poll").filter({ hasText: "Is the sound clear?" });
    await replayedPoll.locator('[data-testid="poll-result"][data-option="Yes"] [data-testid="poll-bar"][data-count="1"]').waitFor({ timeout: 30_000 });
    expect(await replayedPoll.getByTestId("poll-answered").textContent()).toBe("1 answered");
    await shot(tp, "recording-player-poll-replay");
    // The chat sent during the recording is replayed once playback passes it.
    await tp.getByTestId("recording-chat").getByText("This is on the recording").waitFor({ timeout: 30_000 });
    // Quality: Auto, 720p, 360p from the HLS levels; 360p keeps playing (from the start again).
    const quality = tp.getByTestId("recording-quality");
    expect(await quality.locator("option").allTextContents()).toEqual(["Auto", "720p", "360p"]);
    await quality.selectOption({ label: "360p" });
    await tp.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')!;
      video.currentTime = 0;
      return video.play().catch(() => {});
    });
    await tp.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]');
        return !!video && video.videoHeight === 360 && video.currentTime > 1 && !video.paused;
      },
      undefined,
      { timeout: 30_000 },
    );
    await tp.getByTestId("recording-visibility").check();
    await tp.getByText("Everyone who attended can now watch it.").waitFor();
    await shot(tp, "recording-player-teacher");

    // The student who attended now finds it.
    await sp.goto("/recordings");
    await sp.getByTestId("recording-card").first().waitFor();
    expect(await sp.getByTestId("recording-card").count()).toBe(1);
    await shot(sp, "recordings-student-phone");
    await Promise.all([tctx.close(), sctx.close()]);
  }, 240_000);
});
