import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumMissing, newContext, PHONE, shot, signInUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: a live class in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "5" });

  const tiles = (page: Page) => page.locator('[data-testid="video-tile"]');
  /** The tile of `userId` plays video: videoWidth > 0 and currentTime advancing. */
  const videoPlaying = async (page: Page, userId: string) => {
    const sel = `[data-testid="video-tile"][data-user-id="${userId}"] video`;
    await page.waitForFunction(
      (selector) => {
        const video = document.querySelector<HTMLVideoElement>(selector);
        return !!video && video.videoWidth > 0 && video.currentTime > 0;
      },
      sel,
      // A last guard: three Chromiums on a loaded 2-core machine can take this long to decode.
      { timeout: 90_000 },
    );
    const t0 = await page.$eval(sel, (video) => (video as HTMLVideoElement).currentTime);
    await page.waitForFunction(
      ([selector, before]) => (document.querySelector<HTMLVideoElement>(selector as string)?.currentTime ?? 0) > (before as number) + 0.3,
      [sel, t0] as const,
      { timeout: 45_000 },
    );
  };
  const userIdOf = async (page: Page) =>
    (
      await page.evaluate(() =>
        fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((res) => res.json()),
      )
    ).user.id as string;

  it("teacher runs a class: students join by code, chat both ways, hand raised and allowed to speak, class ended", async () => {
    const [teacher, s1, s2] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Sam Student"),
      verifiedUser(web.server, "student", "Kim Student"),
    ]);

    // Teacher: create the class from the dashboard.
    const tctx = await newContext(web.browser, web.server.url);
    const tp = await tctx.newPage();
    await signInUi(tp, teacher);
    await tp.getByTestId("classes-empty").waitFor();
    await tp.getByTestId("new-class").click();
    await tp.getByTestId("create-class-submit").click();
    await tp.getByText("Give the class a title.").waitFor();
    await tp.getByTestId("class-title").fill("Algebra — week 3");
    await tp.getByTestId("create-class-submit").click();
    const card = tp.getByTestId("class-card").first();
    await card.waitFor();
    const code = (await card.getByTestId("class-code").textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await tp.getByTestId("copy-code").click();
    expect(await tp.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await shot(tp, "dashboard-teacher-with-class");

    // Teacher: pre-join (camera preview + mic meter), then start.
    await card.getByTestId("start-class").click();
    await tp.getByTestId("prejoin-join").waitFor();
    await tp.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="prejoin-preview"]');
      return !!video && video.videoWidth > 0 && video.currentTime > 0;
    });
    await shot(tp, "prejoin-teacher-desktop");
    await tp.getByTestId("prejoin-join").click();
    await tp.getByTestId("classroom").waitFor();
    await tiles(tp).first().waitFor();

    // Students: join by code from the dashboard (one of them by the link).
    const join = async (who: typeof s1, viaLink: boolean, viewport?: { width: number; height: number }) => {
      const ctx = await newContext(web.browser, web.server.url, viewport);
      const page = await ctx.newPage();
      await signInUi(page, who);
      if (viaLink) await page.goto(`/join/${code}`);
      else {
        await page.getByTestId("join-code-input").fill(code.toLowerCase());
        await page.getByTestId("join-code-submit").click();
      }
      await page.getByTestId("prejoin-join").waitFor();
      if (viewport) await shot(page, "prejoin-student-phone");
      await page.getByTestId("prejoin-join").click();
      await page.getByTestId("classroom").waitFor();
      return { ctx, p: page };
    };
    const samUi = await join(s1, false);
    const kimUi = await join(s2, true, PHONE);
    const [tid, aid, bid] = await Promise.all([userIdOf(tp), userIdOf(samUi.p), userIdOf(kimUi.p)]);

    for (const page of [tp, samUi.p, kimUi.p]) await page.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 3);
    for (const id of [tid, aid, bid]) expect(await tp.locator(`[data-testid="video-tile"][data-user-id="${id}"]`).count()).toBe(1);
    expect(await samUi.p.getByTestId("participant-count").textContent()).toContain("3");
    // The students see (and decode) the teacher's camera through the SFU.
    await Promise.all([videoPlaying(samUi.p, tid), videoPlaying(kimUi.p, tid)]);
    // Students may not publish until allowed.
    expect(await samUi.p.getByTestId("control-mic").isDisabled()).toBe(true);

    // Chat both ways, with the unread badge while the panel is closed.
    await samUi.p.getByTestId("control-chat").click();
    await samUi.p.getByTestId("chat-input").fill("Hello from Sam");
    await samUi.p.getByTestId("chat-input").press("Enter");
    await tp.getByTestId("chat-unread").waitFor();
    expect(await tp.getByTestId("chat-unread").textContent()).toBe("1");
    await tp.getByTestId("control-chat").click();
    await tp.locator('[data-testid="chat-message"]', { hasText: "Hello from Sam" }).waitFor();
    await tp.getByTestId("chat-input").fill("Welcome, everyone!");
    await tp.getByTestId("chat-send").click();
    await samUi.p.locator('[data-testid="chat-message"]', { hasText: "Welcome, everyone!" }).waitFor();
    await kimUi.p.getByTestId("chat-unread").waitFor();
    await kimUi.p.getByTestId("control-chat").click();
    await kimUi.p.locator('[data-testid="chat-message"]', { hasText: "Hello from Sam" }).waitFor();
    await shot(kimUi.p, "classroom-student-phone-chat");
    await kimUi.p.getByRole("button", { name: "Close chat" }).click();

    // Sam raises a hand; the teacher sees the queue and allows Sam to speak.
    await samUi.p.getByTestId("control-hand").click();
    await tp.getByTestId("control-participants").click();
    const entry = tp.getByTestId("hand-queue-entry").first();
    await entry.waitFor();
    expect(await entry.getAttribute("data-user-id")).toBe(aid);
    await shot(tp, "classroom-teacher-desktop");
    await entry.getByTestId("allow-to-speak").click();
    await samUi.p.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')!.disabled);
    await tp.getByTestId("hand-queue").waitFor({ state: "detached" });
    await kimUi.p.getByTestId("control-participants").click();
    await kimUi.p.locator(`[data-testid="participant"][data-user-id="${aid}"][data-role="presenter"]`).waitFor();
    await kimUi.p.getByRole("button", { name: "Close people" }).click();
    // Sam turns the camera on: Sam's own tile plays it.
    await samUi.p.getByTestId("control-camera").click();
    await samUi.p.waitForFunction((id) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-testid="video-tile"][data-user-id="${id}"] video`);
      return !!video && video.videoWidth > 0;
    }, aid);
    await shot(samUi.p, "classroom-student-desktop");
    // The other student and the teacher see Sam's new camera.
    await Promise.all([videoPlaying(kimUi.p, aid), videoPlaying(tp, aid)]);
    await shot(kimUi.p, "classroom-student-phone");

    // The teacher ends the class; the students see it end.
    await tp.getByTestId("control-end").click();
    await tp.getByTestId("end-confirm").click();
    for (const page of [samUi.p, kimUi.p, tp]) {
      await page.getByTestId("room-end-screen").waitFor();
      expect(await page.getByTestId("room-end-screen").getAttribute("data-phase")).toBe("ended");
    }
    await shot(kimUi.p, "class-ended-student-phone");

    // Attendance for the host: table, chart and CSV.
    await tp.goto("/dashboard");
    await tp.getByTestId("class-details").first().click();
    await tp.getByTestId("attendance-table").waitFor();
    expect(await tp.getByTestId("attendance-row").count()).toBe(3);
    await tp.getByTestId("presence-chart").waitFor();
    const [download] = await Promise.all([tp.waitForEvent("download"), tp.getByTestId("attendance-csv").click()]);
    expect(download.suggestedFilename()).toMatch(/^attendance-.*\.csv$/);
    await shot(tp, "class-details-attendance");
    await Promise.all([tctx.close(), samUi.ctx.close(), kimUi.ctx.close()]);
  }, 240_000);
});
