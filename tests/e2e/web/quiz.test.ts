import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { chromiumMissing, joinClassUi, PHONE, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: a quiz with a score in real Chromium", () => {
  const web = webE2E();

  /** A student picks one option per question on the quiz card and submits. */
  const answer = async (page: Page, picks: string[]) => {
    const card = page.getByTestId("quiz-card");
    for (const [index, option] of picks.entries())
      await card.getByTestId("quiz-question").nth(index).locator(`[data-testid="quiz-option"][data-option="${option}"]`).click();
    await card.getByTestId("quiz-submit").click();
    await card.getByTestId("quiz-sent").waitFor();
  };
  const marks = (card: Locator) => card.getByTestId("quiz-question").evaluateAll((items) => items.map((item) => item.getAttribute("data-right")));

  it("the teacher builds a 2-question quiz, two students answer from their classrooms, the teacher closes: scores, right answers, the scores table", async () => {
    const [teacher, sam, kim] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Sam Student"),
      verifiedUser(web.server, "student", "Kim Student"),
    ]);
    const { page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Arithmetic — quiz" });
    const sp = (await joinClassUi(web.browser, web.server, sam, code)).page;
    const kp = (await joinClassUi(web.browser, web.server, kim, code, PHONE)).page;
    await Promise.all([sp.getByTestId("classroom").waitFor(), kp.getByTestId("classroom").waitFor()]);

    // The teacher writes the quiz in the Polls panel's Quizzes section.
    await tp.getByTestId("control-polls").click();
    const section = tp.getByTestId("quiz-section");
    await section.getByTestId("quiz-new").click();
    const editor = section.getByTestId("quiz-editor");
    await editor.getByTestId("quiz-title-input").fill("Warm-up");
    // Without a correct mark the editor says so before sending anything.
    await editor.getByTestId("quiz-q-text").nth(0).fill("2 + 2?");
    await editor.getByTestId("quiz-q-option").nth(0).fill("3");
    await editor.getByTestId("quiz-q-option").nth(1).fill("4");
    await editor.getByTestId("quiz-open-now").click();
    expect(await editor.getByTestId("quiz-editor-error").textContent()).toBe("Question 1: mark the correct answer.");
    await editor.getByTestId("quiz-edit-question").nth(0).getByTestId("quiz-q-correct").nth(1).check();
    await editor.getByTestId("quiz-add-question").click();
    const second = editor.getByTestId("quiz-edit-question").nth(1);
    await second.getByTestId("quiz-q-text").fill("Is 7 a prime number?");
    await second.getByTestId("quiz-q-kind").selectOption("yes-no");
    await second.getByTestId("quiz-q-correct").nth(0).check();
    await shot(tp, "quiz-teacher-editor");
    await editor.getByTestId("quiz-open-now").click();
    const item = section.locator('[data-testid="quiz-item"][data-status="open"]');
    await item.waitFor();
    expect(await item.getByTestId("quiz-submitted").textContent()).toBe("0 submitted");

    // Each student gets the card over the stage, without the correct answers.
    for (const page of [sp, kp]) {
      const card = page.getByTestId("quiz-card");
      await card.locator('[data-status="open"]').waitFor();
      expect(await card.getByTestId("quiz-title").textContent()).toBe("Warm-up");
      expect(await card.getByTestId("quiz-question").nth(1).getByTestId("quiz-option").allTextContents()).toEqual(["Yes", "No"]);
      expect(await card.locator('[data-correct="true"]').count()).toBe(0);
    }
    await shot(kp, "quiz-student-phone-card");
    // Sam: both right (2 / 2). Kim: first wrong, then changes the second answer (1 / 2).
    await answer(sp, ["4", "Yes"]);
    await answer(kp, ["3", "No"]);
    await kp.getByTestId("quiz-card").getByTestId("quiz-question").nth(1).locator('[data-option="Yes"]').click();
    await kp.getByTestId("quiz-card").getByTestId("quiz-submit").click();
    await kp.getByTestId("quiz-card").getByTestId("quiz-sent").waitFor();
    await item.locator('[data-testid="quiz-submitted"]', { hasText: "2 submitted" }).waitFor();

    await item.getByTestId("quiz-close").click();
    const closed = section.locator('[data-testid="quiz-item"][data-status="closed"]');
    await closed.waitFor();
    expect(await closed.getByTestId("quiz-submitted").textContent()).toBe("2 submitted · class average 1.5 / 2");
    expect(await closed.getByTestId("quiz-question-percent").allTextContents()).toEqual(["2 + 2?: 50% right", "Is 7 a prime number?: 100% right"]);
    const rows = await closed
      .getByTestId("quiz-score-row")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent).join(" ")));
    expect(rows).toEqual(["Kim Student 1 / 2", "Sam Student 2 / 2"]);
    await shot(tp, "quiz-teacher-scores");

    for (const [page, score, right] of [
      [sp, "2 / 2", ["true", "true"]],
      [kp, "1 / 2", ["false", "true"]],
    ] as const) {
      const card = page.getByTestId("quiz-card");
      await card.locator('[data-testid="quiz-score"]', { hasText: "Your score" }).waitFor();
      expect(await card.getByTestId("quiz-score").textContent()).toBe(`Your score: ${score}`);
      expect(await marks(card)).toEqual(right);
      expect(await card.locator('[data-correct="true"]').allTextContents()).toEqual(["4 (correct answer)", "Yes (correct answer)"]);
    }
    await shot(sp, "quiz-student-desktop-score");
    await shot(kp, "quiz-student-phone-score");

    // Homework: open after class until tomorrow; the class ends; Sam answers it from the class page.
    const roomId = new URL(tp.url()).pathname.split("/").pop()!;
    await section.getByTestId("quiz-new").click();
    const homework = section.getByTestId("quiz-editor");
    await homework.getByTestId("quiz-title-input").fill("Homework");
    await homework.getByTestId("quiz-q-text").nth(0).fill("3 × 3?");
    await homework.getByTestId("quiz-q-option").nth(0).fill("9");
    await homework.getByTestId("quiz-q-option").nth(1).fill("6");
    await homework.getByTestId("quiz-q-correct").nth(0).check();
    await homework.getByTestId("quiz-after-class").check();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const pad = (value: number) => String(value).padStart(2, "0");
    const localDeadline = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T${pad(tomorrow.getHours())}:${pad(tomorrow.getMinutes())}`;
    await homework.getByTestId("quiz-deadline").fill(localDeadline);
    await homework.getByTestId("quiz-open-now").click();
    await section.locator('[data-testid="quiz-item"][data-status="open"]').waitFor();
    await tp.getByTestId("control-end").click();
    await tp.getByTestId("end-confirm").click();
    await sp.getByTestId("room-end-screen").waitFor();

    await sp.goto(`/classes/${roomId}`);
    const classQuizzes = sp.getByTestId("class-quizzes");
    const open = classQuizzes.locator('[data-testid="quiz-item"][data-status="open"]');
    await open.locator('[data-testid="quiz-option"][data-option="9"]').click();
    await open.getByTestId("quiz-submit").click();
    await open.getByTestId("quiz-sent").waitFor();
    expect(await classQuizzes.locator('[data-status="closed"] [data-testid="quiz-score"]').textContent()).toBe("Your score: 2 / 2");
    await shot(sp, "quiz-student-after-class");
    await tp.goto(`/classes/${roomId}`);
    await tp
      .getByTestId("class-quizzes")
      .locator('[data-testid="quiz-item"][data-status="open"] [data-testid="quiz-submitted"]', { hasText: "1 submitted" })
      .waitFor();
  });
});
