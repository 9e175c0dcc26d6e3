/**
 * More of the classroom on phones (issue 15, "An app for phones"), a desktop teacher and a student
 * on an emulated phone (390x844, touch, 3x) in one class with a waiting room: admitted while the
 * app is in the background (a notification says so), a poll answered from the Polls tab by tapping,
 * the teacher still heard and the screen kept on after the background, the phone turned on its side
 * (the stage fills the screen, the panels slide over it, nothing off the screen, 44 px targets), and
 * leaving. Each case goes on from where the one before left the class.
 */
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { CAPTURE_PCS } from "../media/stats";
import { chromiumMissing, shot, signInUi, startClassUi, verifiedUser, webE2E } from "./harness";
import {
  allowNotifications,
  boxOf,
  expectOnScreen,
  expectTouchTargets,
  heardDb,
  LANDSCAPE,
  notificationProbe,
  notificationsShown,
  PORTRAIT,
  phoneContext,
  settled,
  soundProbe,
  toBackground,
  toForeground,
  wakeLockProbe,
  wakeLockRequests,
} from "./phone-ui";

const skip = chromiumMissing();
const TITLE = "Phones — the solar system";

/** Whether every live sound the page plays is playing, and every AudioContext it made that is not closed is running. */
const soundPlaying = (page: Page) =>
  page.evaluate(() => {
    const audios = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')];
    const contexts = (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts.filter((context) => context.state !== "closed");
    return audios.length > 0 && audios.every((audio) => !audio.paused) && contexts.every((context) => context.state === "running");
  });

/** The page shows no scroll bars: nothing laid out past the screen's edges. */
const overflow = (page: Page) =>
  page.evaluate(() => ({
    x: document.documentElement.scrollWidth - window.innerWidth,
    y: document.documentElement.scrollHeight - window.innerHeight,
  }));

/** Whether something else (a card, a bar) lies over `testId`'s element: what is on top at its middle and at its quarters. */
const coveredBy = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((element) => {
    const rect = element.getBoundingClientRect();
    for (const [fx, fy] of [
      [0.5, 0.5],
      [0.25, 0.25],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.75, 0.75],
    ] as const) {
      const top = document.elementFromPoint(rect.x + rect.width * fx, rect.y + rect.height * fy);
      if (top && !element.contains(top)) return (top.closest("[data-testid]") as HTMLElement | null)?.dataset.testid ?? top.className;
    }
    return null;
  });

describe.skipIf(Boolean(skip))("web: more of the classroom on phones in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "30" });
  const contexts: BrowserContext[] = [];
  let tp: Page;
  let sp: Page;
  let studentId = "";
  /** The first case got the student into the class (the others go on from there). */
  let ready = false;
  afterAll(async () => {
    await Promise.all(contexts.map((ctx) => ctx.close().catch(() => {})));
  });
  /** Each case goes on from the class the first one set up; without it, say so rather than fail on undefined. */
  const onFailure = (name: string) => {
    if (name !== "admitted" && !ready) throw new Error("no class: the first case (admitted from the waiting room) did not get that far");
    onTestFailed(async () => {
      if (tp) await shot(tp, `phone-more-${name}-failed-teacher`).catch(() => {});
      if (sp) await shot(sp, `phone-more-${name}-failed-student`).catch(() => {});
    });
  };

  it("admitted from the waiting room while the app is in the background: a notification says so, and back in the app the class is there with the screen kept on", async () => {
    onFailure("admitted");
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Tara Teacher"), verifiedUser(web.server, "student", "Sol Student")]);
    const started = await startClassUi(web.browser, web.server, teacher, {
      title: TITLE,
      waitingRoom: true,
      init: async (ctx) => void (await ctx.addInitScript(CAPTURE_PCS)),
    });
    contexts.push(started.ctx);
    tp = started.page;
    const sctx = await phoneContext(web.browser, web.server);
    contexts.push(sctx);
    for (const script of [CAPTURE_PCS, soundProbe, notificationProbe, wakeLockProbe]) await sctx.addInitScript(script);
    sp = await sctx.newPage();
    await allowNotifications(sp, web.server.url);
    await signInUi(sp, student);
    studentId = await sp.evaluate(() =>
      fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
        .then((res) => res.json())
        .then((body) => body.user.id as string),
    );

    // The student asks to join and waits; notifications are allowed, so the page says one will come.
    await sp.goto(`/join/${started.code}`);
    await sp.getByTestId("prejoin-join").tap();
    await sp.getByTestId("waiting-room").waitFor();
    expect.soft(await sp.evaluate(() => Notification.permission), "notifications allowed").toBe("granted");
    await sp.getByTestId("notify-on").waitFor();
    // They switch to another app before the teacher answers.
    await toBackground(sp);
    expect(await sp.evaluate(() => document.hidden)).toBe(true);
    await tp.getByTestId("control-participants").click();
    await tp.locator(`[data-testid="waiting-person"][data-user-id="${studentId}"]`).getByTestId("admit").click();
    // The notification comes while the app is still in the background (page or service worker, whichever the phone uses).
    // (Soft: the student is in the class either way, and the cases after this one go on from there.)
    const came = await sp
      .waitForFunction(() => (window as unknown as { __notifications: unknown[] }).__notifications.length > 0, undefined, { timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    const shown = await notificationsShown(sp);
    expect.soft(came, "a notification came within 20 s").toBe(true);
    expect.soft(shown, "one notification").toHaveLength(1);
    expect.soft(shown[0]).toMatchObject({ title: "You are in the class", body: `${TITLE}: the teacher let you in.` });
    expect.soft(await sp.evaluate(() => document.hidden), "shown while in the background").toBe(true);
    // No screen lock while hidden (a browser refuses it then); back in the app the class is there and the screen stays on.
    expect(await wakeLockRequests(sp)).toBe(0);
    await toForeground(sp);
    await sp.getByTestId("classroom").waitFor();
    expect(await sp.getByTestId("classroom").getAttribute("data-layout")).toBe("portrait");
    await sp.locator('nav.controls[data-wake-lock="held"]').waitFor();
    await tp.locator(`[data-testid="participant"][data-user-id="${studentId}"]`).waitFor();
    ready = true;
    expect(await notificationsShown(sp), "no second notification once visible").toHaveLength(1);
  }, 180_000);

  it("a poll: the teacher launches it, the student answers on the Polls tab by tapping, the teacher sees the count", async () => {
    onFailure("poll");
    const panel = tp.getByTestId("poll-panel");
    await tp.getByTestId("control-polls").click();
    await panel.getByTestId("poll-new").click();
    await panel.getByTestId("poll-question-input").fill("Which planet is the largest?");
    const options = panel.getByTestId("poll-option-input");
    await options.nth(0).fill("Mars");
    await options.nth(1).fill("Jupiter");
    await panel.getByTestId("poll-launch").click();
    const item = panel.locator('[data-testid="poll-item"][data-status="open"]');
    await item.getByTestId("poll-answered").filter({ hasText: "0 answered" }).waitFor();

    // The phone's Polls tab shows a badge; a tap opens the poll in the panel under the stage.
    await sp.locator('[data-testid="control-polls"] [data-testid="polls-badge"]').filter({ hasText: "1" }).waitFor();
    // The poll's card over the stage leaves the tabs and the controls free to tap.
    const card = await settled(sp.getByTestId("poll-card"));
    expectOnScreen(card, PORTRAIT, "the poll card");
    expect(card.y + card.height, "the poll card above the tabs").toBeLessThanOrEqual((await boxOf(sp.getByTestId("phone-tabs"))).y + 0.5);
    await sp.getByTestId("control-polls").tap();
    await sp.locator('[role="tab"][data-tab="polls"][aria-selected="true"]').waitFor();
    await sp.getByTestId("poll-card").waitFor({ state: "detached" });
    const answer = sp.getByTestId("phone-pane").locator('[data-testid="poll-item"][data-status="open"]');
    await answer.getByTestId("poll-question").filter({ hasText: "Which planet is the largest?" }).waitFor();
    // Every choice and the Submit button are touch targets on the screen.
    for (const target of [
      answer.locator('[data-testid="poll-option"][data-option="Mars"]'),
      answer.locator('[data-testid="poll-option"][data-option="Jupiter"]'),
      answer.getByTestId("poll-submit"),
    ]) {
      await target.scrollIntoViewIfNeeded();
      const box = await boxOf(target);
      expect(box.height, `${target}: height`).toBeGreaterThanOrEqual(44);
      expectOnScreen(box, PORTRAIT, `${target}`);
    }
    await answer.locator('[data-testid="poll-option"][data-option="Jupiter"]').tap();
    await answer.getByTestId("poll-submit").tap();
    await answer.getByTestId("poll-sent").waitFor();
    await shot(sp, "phone-more-poll-answered");

    // The teacher sees one answer, for Jupiter.
    await item.getByTestId("poll-answered").filter({ hasText: "1 answered" }).waitFor();
    await item.locator('[data-testid="poll-result"][data-option="Jupiter"] [data-testid="poll-bar"][data-count="1"]').waitFor();
    expect(await item.locator('[data-testid="poll-result"][data-option="Mars"] [data-testid="poll-bar"]').getAttribute("data-count")).toBe("0");
    await tp.getByRole("button", { name: "Close polls" }).click();
  }, 120_000);

  it("the app in the background and back: the teacher is heard again and the screen kept on again", async () => {
    onFailure("background");
    // The student sees the teacher's microphone on (the teacher joined with it on), and hears it.
    const teacherTile = sp.locator(`[data-testid="video-tile"]:not([data-user-id="${studentId}"])`).first();
    await expect
      .poll(() => teacherTile.getAttribute("aria-label"), { timeout: 30_000, message: "the teacher's tile on the phone shows the microphone on" })
      .not.toContain(", muted");
    await expect.poll(() => heardDb(sp), { timeout: 30_000, message: "the student hears the teacher" }).toBeGreaterThan(-60);
    expect(await soundPlaying(sp)).toBe(true);
    await sp.locator('nav.controls[data-wake-lock="held"]').waitFor();
    const requests = await wakeLockRequests(sp);

    const stopped = await toBackground(sp);
    expect(stopped.locks, "the screen lock the phone took away").toBe(1);
    expect(stopped.media, "the sound the phone stopped").toBeGreaterThan(0);
    await sp.locator('nav.controls[data-wake-lock="released"]').waitFor();
    expect(await soundPlaying(sp)).toBe(false);

    await toForeground(sp);
    await sp.waitForFunction(
      () => {
        const audios = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')];
        const live = (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts.filter((context) => context.state !== "closed");
        return audios.length > 0 && audios.every((audio) => !audio.paused) && live.every((context) => context.state === "running");
      },
      undefined,
      { timeout: 10_000 },
    );
    await sp.locator('nav.controls[data-wake-lock="held"]').waitFor();
    expect(await wakeLockRequests(sp), "asked again for the screen to stay on").toBe(requests + 1);
    await expect.poll(() => heardDb(sp), { timeout: 30_000, message: "the student hears the teacher again" }).toBeGreaterThan(-60);
  }, 120_000);

  it("the phone on its side: the stage fills the screen, the panels slide over it, nothing off the screen, every button a 44 px target, and they switch", async () => {
    onFailure("landscape");
    await sp.setViewportSize(LANDSCAPE);
    await sp.locator('[data-testid="classroom"][data-layout="landscape"]').waitFor();
    expect(await sp.evaluate(() => screen.orientation.type)).toBe("landscape-primary");
    // The stage: the whole screen; the teacher's camera on it.
    const stage = await settled(sp.locator(".stage-area"));
    expectOnScreen(stage, LANDSCAPE, "stage");
    expect(stage.width, "the stage spans the screen").toBeGreaterThan(LANDSCAPE.width - 20);
    expect(stage.height, "the stage fills the height").toBeGreaterThan(LANDSCAPE.height - 60);
    await sp.locator(".stage-area video").first().waitFor();
    expect(await overflow(sp), "nothing past the screen's edges").toEqual({ x: 0, y: 0 });

    // People slides over the stage's right side; measured once it has stopped moving.
    await sp.getByTestId("control-participants").tap();
    const people = await settled(sp.getByTestId("participants-panel"));
    expectOnScreen(people, LANDSCAPE, "People");
    expect(people.x + people.width, "People at the right edge").toBeCloseTo(LANDSCAPE.width, 0);
    expect(people.height, "People the screen's height").toBeCloseTo(LANDSCAPE.height, 0);
    expect(people.width, "People leaves the stage half the screen").toBeLessThanOrEqual(LANDSCAPE.width / 2 + 0.5);
    const controls = await settled(sp.locator("nav.controls"));
    expect(controls.x + controls.width, "the controls beside the panel, not under it").toBeLessThanOrEqual(people.x + 0.5);
    expect(await sp.locator(`[data-testid="participants-panel"] [data-testid="participant"][data-user-id="${studentId}"]`).count()).toBe(1);
    // The poll is still open (its card stays up after an answer): beside the panel, not over it.
    await sp.getByTestId("poll-card").waitFor();
    expect(await coveredBy(sp, "participants-panel"), "nothing over the People panel").toBeNull();
    expectOnScreen(await settled(sp.getByTestId("poll-card")), LANDSCAPE, "the poll card");
    expect(await expectTouchTargets(sp, LANDSCAPE), "buttons measured, People open").toBeGreaterThan(5);
    expect(await overflow(sp)).toEqual({ x: 0, y: 0 });
    await shot(sp, "phone-more-landscape-people");

    // Chat takes People's place; a message goes out from there.
    await sp.getByTestId("control-chat").tap();
    await sp.getByTestId("participants-panel").waitFor({ state: "detached" });
    const chat = await settled(sp.getByTestId("chat-panel"));
    expect(await coveredBy(sp, "chat-panel"), "nothing over the Chat panel").toBeNull();
    for (const side of ["x", "y", "width", "height"] as const) expect(chat[side], `Chat where People was: ${side}`).toBeCloseTo(people[side], 0);
    expect(await expectTouchTargets(sp, LANDSCAPE), "buttons measured, Chat open").toBeGreaterThan(5);
    await sp.getByTestId("chat-input").fill("Sideways now");
    await sp.getByTestId("chat-send").tap();
    await tp.getByTestId("control-chat").click();
    await tp.getByTestId("chat-message").filter({ hasText: "Sideways now" }).waitFor();
    await shot(sp, "phone-more-landscape-chat");

    // Closed: the stage again; the controls step aside after a few quiet seconds and a tap brings them back.
    await sp.getByRole("button", { name: "Close chat" }).tap();
    await sp.getByTestId("chat-panel").waitFor({ state: "detached" });
    await sp.locator('[data-testid="classroom"][data-controls="hidden"]').waitFor({ timeout: 10_000 });
    const middle = await boxOf(sp.locator(".stage-area"));
    await sp.touchscreen.tap(middle.x + middle.width / 3, middle.y + middle.height / 2);
    await sp.locator('[data-testid="classroom"][data-controls="shown"]').waitFor();
    await settled(sp.locator("nav.controls"));
    expect(await expectTouchTargets(sp, LANDSCAPE), "buttons measured, nothing open").toBeGreaterThan(5);

    // Upright again: the portrait layout is back.
    await sp.setViewportSize(PORTRAIT);
    await sp.locator('[data-testid="classroom"][data-layout="portrait"]').waitFor();
    expect(await overflow(sp)).toEqual({ x: 0, y: 0 });
  }, 120_000);

  it("leaving: the student taps Leave, is told they left (Rejoin or back to the dashboard), and the teacher sees them gone", async () => {
    onFailure("leave");
    await tp.getByTestId("control-participants").click();
    const onTeacherList = tp.locator(`[data-testid="participant"][data-user-id="${studentId}"]`);
    await onTeacherList.waitFor();
    await sp.getByTestId("control-leave").tap();
    await sp.locator('[data-testid="room-end-screen"][data-phase="left"]').waitFor();
    expect(await sp.getByTestId("room-end-title").textContent()).toBe("You left the class");
    for (const id of ["rejoin", "back-to-dashboard"]) {
      const box = await boxOf(sp.getByTestId(id));
      expect(box.height, `${id}: height`).toBeGreaterThanOrEqual(44);
      expectOnScreen(box, PORTRAIT, id);
    }
    await onTeacherList.waitFor({ state: "detached" });
    await tp.locator(`[data-testid="video-tile"][data-user-id="${studentId}"]`).waitFor({ state: "detached" });
    await shot(sp, "phone-more-left");
    // Back to the dashboard, where a class code can be typed.
    await sp.getByTestId("back-to-dashboard").tap();
    await sp.waitForURL("**/dashboard");
    await sp.getByTestId("join-code-input").waitFor();
  }, 60_000);
});
