import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { chromiumMissing, joinClassUi, PHONE, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: class polls in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "30" });

  /** The result row of `option` inside `scope`: its bar's count and the visible "count · percent" text. */
  const resultRow = (scope: Locator, option: string) => scope.locator(`[data-testid="poll-result"][data-option="${option}"]`);
  const expectBar = async (scope: Locator, option: string, count: number, percent: number) => {
    const row = resultRow(scope, option);
    await row.locator(`[data-testid="poll-bar"][data-count="${count}"]`).waitFor();
    expect((await row.getByTestId("poll-bar-value").textContent())?.replace(/\s+/g, " ").trim()).toBe(`${count} · ${percent}%`);
  };
  /** A student picks an option on the poll card and sends it. */
  const answer = async (page: Page, option: string) => {
    const card = page.getByTestId("poll-card");
    await card.locator(`[data-testid="poll-option"][data-option="${option}"]`).click();
    await card.getByTestId("poll-submit").click();
    await card.getByTestId("poll-sent").waitFor();
  };

  it("the teacher launches a poll, students answer (one changes their mind), the teacher closes and publishes; an anonymous text poll shows no names", async () => {
    const [teacher, sam, kim] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Sam Student"),
      verifiedUser(web.server, "student", "Kim Student"),
    ]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Astronomy — polls" });
    const samUi = await joinClassUi(web.browser, web.server, sam, code);
    const kimUi = await joinClassUi(web.browser, web.server, kim, code, PHONE);
    const sp = samUi.page;
    const kp = kimUi.page;
    await Promise.all([sp.getByTestId("classroom").waitFor(), kp.getByTestId("classroom").waitFor()]);
    await tp.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 3);

    // Students have no New poll button; the teacher writes the poll in the Polls panel.
    await sp.getByTestId("control-polls").click();
    await sp.getByTestId("poll-panel").getByText("No polls yet.", { exact: false }).waitFor();
    expect(await sp.getByTestId("poll-new").count()).toBe(0);
    await sp.getByRole("button", { name: "Close polls" }).click();

    await tp.getByTestId("control-polls").click();
    const panel = tp.getByTestId("poll-panel");
    await panel.getByTestId("poll-new").click();
    // The form refuses a poll without options before anything is sent.
    await panel.getByTestId("poll-question-input").fill("Which planet is the largest?");
    await panel.getByTestId("poll-launch").click();
    expect(await panel.getByTestId("poll-form-error").textContent()).toBe("Give at least 2 options.");
    const optionInputs = panel.getByTestId("poll-option-input");
    await optionInputs.nth(0).fill("Mars");
    await optionInputs.nth(1).fill("Jupiter");
    await panel.getByTestId("poll-option-add").click();
    await optionInputs.nth(2).fill("Venus");
    await shot(tp, "polls-teacher-new-poll");
    await panel.getByTestId("poll-launch").click();
    const first = panel.locator('[data-testid="poll-item"][data-status="open"]');
    await first.waitFor();
    expect(await first.getByTestId("poll-question").textContent()).toBe("Which planet is the largest?");
    expect(await first.getByTestId("poll-answered").textContent()).toBe("0 answered");

    // The students see a card over the stage without opening the panel, and the badge.
    for (const page of [sp, kp]) {
      await page.getByTestId("poll-card").waitFor();
      expect(await page.getByTestId("polls-badge").textContent()).toBe("1");
      expect(await page.getByTestId("poll-panel").count()).toBe(0);
    }
    expect(await sp.getByTestId("poll-card").getByTestId("poll-option").allTextContents()).toEqual(["Mars", "Jupiter", "Venus"]);
    await shot(kp, "polls-student-phone-card");
    // Nothing chosen: the card says so.
    await sp.getByTestId("poll-card").getByTestId("poll-submit").click();
    expect(await sp.getByTestId("poll-card").getByTestId("poll-error").textContent()).toBe("Choose an option.");
    await answer(sp, "Mars");
    expect(await sp.getByTestId("poll-card").getByTestId("poll-sent").textContent()).toBe("Your answer was sent — you can change it until the poll closes.");
    await answer(kp, "Mars");
    await expectBar(first, "Mars", 2, 100);
    // Kim changes their mind: the count moves, it does not grow.
    await answer(kp, "Jupiter");
    await expectBar(first, "Mars", 1, 50);
    await expectBar(first, "Jupiter", 1, 50);
    await expectBar(first, "Venus", 0, 0);
    expect(await first.getByTestId("poll-answered").textContent()).toBe("2 answered");
    // Results are not live for students in this poll.
    expect(await sp.getByTestId("poll-card").getByTestId("poll-results").count()).toBe(0);
    await shot(tp, "polls-teacher-live-bars");

    // Kim reloads the page mid-poll: after joining again the card shows Kim's own answer.
    await kp.reload();
    await kp.getByTestId("prejoin-join").click();
    const kimCard = kp.getByTestId("poll-card");
    await kimCard.getByTestId("poll-sent").waitFor();
    expect(await kimCard.locator('[data-option="Jupiter"] input').isChecked()).toBe(true);
    expect(await kimCard.locator('[data-option="Mars"] input').isChecked()).toBe(false);

    // Sam drops off the network; the teacher closes and publishes meanwhile.
    await samUi.ctx.setOffline(true);
    await sp.locator('[data-testid="classroom"][data-phase="reconnecting"]').waitFor({ timeout: 30_000 });
    await first.getByTestId("poll-close").click();
    const closed = panel.locator('[data-testid="poll-item"][data-status="closed"]');
    await closed.waitFor();
    await expectBar(closed, "Jupiter", 1, 50);
    await kimCard.getByTestId("poll-closed").waitFor();
    expect(await kimCard.getByTestId("poll-results").count()).toBe(0);
    await closed.getByTestId("poll-publish").click();
    await panel.locator('[data-testid="poll-item"][data-published="true"]').waitFor();
    expect(await tp.getByTestId("polls-badge").count()).toBe(0);

    // Kim sees the published results at once; Sam catches up after reconnecting.
    await expectBar(kimCard, "Mars", 1, 50);
    await expectBar(kimCard, "Jupiter", 1, 50);
    expect(await kimCard.textContent()).toContain("Poll closed");
    await shot(kp, "polls-student-phone-results");
    await samUi.ctx.setOffline(false);
    await sp.locator('[data-testid="classroom"][data-phase="joined"]').waitFor({ timeout: 30_000 });
    const samCard = sp.getByTestId("poll-card");
    await samCard.locator('[data-testid="poll-closed"]').waitFor();
    await expectBar(samCard, "Mars", 1, 50);
    expect(await resultRow(samCard, "Mars").textContent()).toContain("(your answer)");
    await shot(sp, "polls-student-desktop-results");
    await samCard.getByTestId("poll-card-hide").click();
    await samCard.waitFor({ state: "detached" });

    // A second poll: anonymous short text, results live for the students too.
    await panel.getByTestId("poll-new").click();
    await panel.getByTestId("poll-question-input").fill("One word for today's class?");
    await panel.getByTestId("poll-kind").selectOption("text");
    expect(await panel.getByTestId("poll-option-input").count()).toBe(0);
    await panel.getByTestId("poll-anonymous").check();
    await panel.getByTestId("poll-results-live").check();
    await panel.getByTestId("poll-launch").click();
    const second = panel.locator('[data-testid="poll-item"][data-status="open"]');
    await second.waitFor();
    for (const [page, word] of [
      [sp, "stellar"],
      [kp, "cosmic"],
    ] as const) {
      const card = page.getByTestId("poll-card");
      await card.locator('[data-status="open"]').waitFor();
      expect(await card.getByTestId("poll-question").textContent()).toBe("One word for today's class?");
      await card.getByTestId("poll-text-input").fill(word);
      await card.getByTestId("poll-submit").click();
      await card.getByTestId("poll-sent").waitFor();
    }
    await second.locator('[data-testid="poll-answered"][data-count="2"]').waitFor();
    expect((await second.getByTestId("poll-text-answer").allTextContents()).sort()).toEqual(["cosmic", "stellar"]);
    const panelText = (await panel.textContent()) ?? "";
    for (const name of ["Sam Student", "Kim Student", "Sam", "Kim"]) expect(panelText).not.toContain(name);
    // Live results: a student sees the answers too, without names.
    const kimLive = kp.getByTestId("poll-card");
    await kimLive.locator('[data-testid="poll-text-answer"]', { hasText: "stellar" }).waitFor();
    expect(await kimLive.textContent()).not.toContain("Sam");
    await shot(tp, "polls-teacher-anonymous-text");
    await shot(kp, "polls-student-phone-text-live");

    // Close it and run the first poll again: a fresh open poll with no answers.
    await second.getByTestId("poll-close").click();
    await panel.locator('[data-testid="poll-item"][data-status="open"]').waitFor({ state: "detached" });
    await panel.locator('[data-testid="poll-item"]', { hasText: "Which planet is the largest?" }).getByTestId("poll-rerun").click();
    const rerun = panel.locator('[data-testid="poll-item"][data-status="open"]');
    await rerun.waitFor();
    expect(await rerun.getByTestId("poll-question").textContent()).toBe("Which planet is the largest?");
    expect(await rerun.getByTestId("poll-answered").textContent()).toBe("0 answered");
    await sp.getByTestId("poll-card").locator('[data-status="open"] [data-testid="poll-submit"]').waitFor();
    await shot(tp, "polls-teacher-panel");
    await rerun.getByTestId("poll-close").click();
    await rerun.waitFor({ state: "detached" });

    // Multiple choice with live results: checkboxes, and the students watch the bars fill in.
    await panel.getByTestId("poll-new").click();
    await panel.getByTestId("poll-question-input").fill("Which of these are gas giants?");
    await panel.getByTestId("poll-kind").selectOption("multiple");
    await optionInputs.nth(0).fill("Jupiter");
    await optionInputs.nth(1).fill("Saturn");
    await panel.getByTestId("poll-option-add").click();
    await optionInputs.nth(2).fill("Mars");
    await panel.getByTestId("poll-results-live").check();
    await panel.getByTestId("poll-launch").click();
    const giants = panel.locator('[data-testid="poll-item"][data-status="open"]', { hasText: "gas giants" });
    const samGiants = sp.getByTestId("poll-card").locator('[data-status="open"]', { hasText: "gas giants" });
    await samGiants.waitFor();
    expect(await samGiants.locator('input[type="checkbox"]').count()).toBe(3);
    await samGiants.locator('[data-testid="poll-option"][data-option="Jupiter"]').click();
    await samGiants.locator('[data-testid="poll-option"][data-option="Saturn"]').click();
    await samGiants.getByTestId("poll-submit").click();
    await samGiants.getByTestId("poll-sent").waitFor();
    await answer(kp, "Jupiter");
    await expectBar(giants, "Jupiter", 2, 100);
    await expectBar(giants, "Saturn", 1, 50);
    await expectBar(giants, "Mars", 0, 0);
    await expectBar(samGiants, "Jupiter", 2, 100);
    await shot(sp, "polls-student-desktop-multiple-live");
    await giants.getByTestId("poll-close").click();
    await giants.waitFor({ state: "detached" });

    // Drafts: a yes/no poll with a 30 s timer is kept for later, another draft is deleted.
    await panel.getByTestId("poll-new").click();
    await panel.getByTestId("poll-question-input").fill("Is Pluto a planet?");
    await panel.getByTestId("poll-kind").selectOption("yes-no");
    await panel.getByTestId("poll-timer").selectOption({ label: "30 seconds" });
    await panel.getByTestId("poll-save-draft").click();
    const pluto = panel.locator('[data-testid="poll-item"][data-status="draft"]', { hasText: "Is Pluto a planet?" });
    await pluto.waitFor();
    await panel.getByTestId("poll-new").click();
    await panel.getByTestId("poll-question-input").fill("A draft to throw away");
    await panel.getByTestId("poll-kind").selectOption("rating");
    await panel.getByTestId("poll-save-draft").click();
    const thrown = panel.locator('[data-testid="poll-item"][data-status="draft"]', { hasText: "A draft to throw away" });
    await thrown.getByTestId("poll-delete").click();
    await thrown.waitFor({ state: "detached" });
    // Students never see drafts.
    await sp.getByTestId("control-polls").click();
    await sp.locator('[data-testid="poll-panel"] [data-testid="poll-item"]').first().waitFor();
    expect(await sp.getByTestId("poll-panel").textContent()).not.toContain("Pluto");
    await sp.getByRole("button", { name: "Close polls" }).click();

    // The timed poll opens: a countdown on both sides, and it closes by itself.
    await pluto.getByTestId("poll-open").click();
    const timed = panel.locator('[data-testid="poll-item"][data-status="open"]', { hasText: "Is Pluto a planet?" });
    await timed.getByTestId("poll-countdown").waitFor();
    expect(await timed.getByTestId("poll-countdown").textContent()).toMatch(/^0:[0-3]\d$/);
    const kimTimed = kp.getByTestId("poll-card").locator('[data-status="open"]', { hasText: "Is Pluto a planet?" });
    await kimTimed.getByTestId("poll-countdown").waitFor();
    expect(await kp.getByTestId("poll-card").getByTestId("poll-option").allTextContents()).toEqual(["Yes", "No"]);
    await shot(kp, "polls-student-phone-timer");
    await answer(sp, "No");
    await expectBar(timed, "No", 1, 100);
    await kp.getByTestId("poll-card").locator('[data-testid="poll-closed"]').waitFor({ timeout: 60_000 });
    await panel.locator('[data-testid="poll-item"][data-status="closed"]', { hasText: "Is Pluto a planet?" }).waitFor();
    expect(await kp.getByTestId("poll-card").textContent()).toContain("you did not answer");

    // The teacher's panel and controls on a phone.
    await tp.setViewportSize(PHONE);
    await shot(tp, "polls-teacher-phone-panel");

    await Promise.all([tctx.close(), samUi.ctx.close(), kimUi.ctx.close()]);
  }, 300_000);
});
