import { describe, expect, it } from "vitest";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: the classroom survives a network drop", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "20" });

  const teacherVideoPlaying = (page: import("playwright-core").Page) =>
    page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="video-tile"]:not([data-screen]) video');
        return !!video && video.videoWidth > 0 && video.currentTime > 0 && !video.paused;
      },
      undefined,
      { timeout: 30_000 },
    );

  it("shows a reconnecting banner, resumes without a reload and catches up on chat", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Rita Teacher"), verifiedUser(web.server, "student", "Nico Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Reconnect drill" });
    const { ctx: sctx, page: sp } = await joinClassUi(web.browser, web.server, student, code);
    await sp.getByTestId("classroom").waitFor();
    await tp.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 2);
    await teacherVideoPlaying(sp);
    // A marker that disappears on a page reload.
    await sp.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    await sctx.setOffline(true);
    await sp.getByTestId("reconnecting-banner").waitFor({ timeout: 30_000 });
    // The socket itself dropped (not only the browser's offline flag).
    await sp.locator('[data-testid="classroom"][data-phase="reconnecting"]').waitFor({ timeout: 30_000 });
    await shot(sp, "classroom-reconnecting");
    await tp.getByTestId("control-chat").click();
    await tp.getByTestId("chat-input").fill("Sent while Nico was away");
    await tp.getByTestId("chat-send").click();
    await tp.locator('[data-testid="chat-message"]', { hasText: "Sent while Nico was away" }).waitFor();

    await sctx.setOffline(false);
    await sp.getByTestId("reconnecting-banner").waitFor({ state: "detached", timeout: 30_000 });
    expect(await sp.getByTestId("classroom").getAttribute("data-phase")).toBe("joined");
    expect(await sp.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await sp.getByTestId("chat-unread").waitFor();
    await sp.getByTestId("control-chat").click();
    await sp.locator('[data-testid="chat-message"]', { hasText: "Sent while Nico was away" }).waitFor();
    // Media resumes too: the teacher's video plays again (new transports after the reconnect).
    await teacherVideoPlaying(sp);
    // Still one tile each: the server resumed the same participant.
    await tp.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 2);
    await Promise.all([tctx.close(), sctx.close()]);
  }, 240_000);
});
