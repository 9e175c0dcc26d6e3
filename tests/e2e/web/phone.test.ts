/**
 * The classroom on phones (issue 15, "An app for phones"): a teacher and a student, each on an
 * emulated phone (390x844 and 844x390, touch, 3x), take every classroom action by tapping and
 * swiping, and see it work: the stage on top and the panels as tabs under it held upright.
 * phone-more.test.ts: the landscape layout, a poll answered from the Polls tab, the sound after the
 * app was in the background, the notification when admitted while hidden, and leaving.
 */
import { describe, expect, it, onTestFailed } from "vitest";
import type { Page } from "playwright-core";
import { CAPTURE_PCS } from "../media/stats";
import { colourPixels, RED, waitForColour } from "./board-ui";
import { chromiumMissing, shot, signInUi, verifiedUser, webE2E } from "./harness";
import {
  backCamera,
  boxOf,
  expectBelow,
  expectOnScreen,
  expectTouchTargets,
  finger,
  heardDb,
  PORTRAIT,
  phoneContext,
  redPixels,
  soundProbe,
  swipePane,
  tileColour,
} from "./phone-ui";

const skip = chromiumMissing();

/** The signed-in person's account id. */
const myUserId = (page: Page) =>
  page.evaluate(() =>
    fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
      .then((res) => res.json())
      .then((body) => body.user.id as string),
  );

/** The open tab (its test id's panel) and that the tab strip says so. */
async function expectTab(page: Page, tab: "people" | "chat" | "materials" | "polls") {
  await page.locator(`[role="tab"][data-tab="${tab}"][aria-selected="true"]`).waitFor();
}

/** Upright: the top bar, the stage, the tabs, the open panel and the controls stacked, none over another, all on the screen. */
async function expectPortrait(page: Page, what: string) {
  expect(await page.getByTestId("classroom").getAttribute("data-layout")).toBe("portrait");
  const stage = await boxOf(page.locator(".stage-area"));
  const tabs = await boxOf(page.getByTestId("phone-tabs"));
  const controls = await boxOf(page.locator("nav.controls"));
  for (const [name, box] of Object.entries({ stage, tabs, controls })) expectOnScreen(box, PORTRAIT, `${what}: ${name}`);
  expect(stage.width, `${what}: the stage spans the screen`).toBeGreaterThan(PORTRAIT.width - 20);
  expect(stage.height, `${what}: the stage has room`).toBeGreaterThan(180);
  expectBelow(stage, tabs, `${what}: the tabs under the stage`);
  if ((await page.getByTestId("phone-pane").count()) > 0) {
    const pane = await boxOf(page.getByTestId("phone-pane"));
    expectBelow(tabs, pane, `${what}: the panel under the tabs`);
    expectBelow(pane, controls, `${what}: the controls under the panel`);
    expect(pane.height, `${what}: the panel has room`).toBeGreaterThan(200);
  } else expectBelow(tabs, controls, `${what}: the controls under the tabs`);
  expect(await expectTouchTargets(page, PORTRAIT), `${what}: buttons measured`).toBeGreaterThan(5);
}

describe.skipIf(Boolean(skip))("web: the classroom on phones in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "30" });

  it("a teacher and a student on phones held upright: admit, hand, camera and its switch, quality on the tiles, mic, chat by swiping, drawing on the board with a finger", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Tilda Teacher"), verifiedUser(web.server, "student", "Pablo Phone")]);
    const tctx = await phoneContext(web.browser, web.server);
    const sctx = await phoneContext(web.browser, web.server);
    await tctx.addInitScript(CAPTURE_PCS);
    await sctx.addInitScript(CAPTURE_PCS);
    await sctx.addInitScript(soundProbe);
    await sctx.addInitScript(backCamera);
    const tp = await tctx.newPage();
    const sp = await sctx.newPage();
    onTestFailed(async () => {
      await shot(tp, "phone-failed-teacher").catch(() => {});
      await shot(sp, "phone-failed-student").catch(() => {});
    });

    // The teacher creates a class with a waiting room and starts it, all on the phone.
    await signInUi(tp, teacher);
    await tp.getByTestId("new-class").tap();
    await tp.getByTestId("class-title").fill("Phones — the water cycle");
    await tp.getByTestId("class-waiting-room").check();
    await tp.getByTestId("create-class-submit").tap();
    const code = ((await tp.getByTestId("class-code").first().textContent()) ?? "").trim();
    await tp.getByTestId("start-class").first().tap();
    await tp.getByTestId("prejoin-join").tap();
    await tp.getByTestId("classroom").waitFor();
    await expectPortrait(tp, "teacher");

    // The student asks to join; the teacher sees the badge on the People tab and admits them.
    await signInUi(sp, student);
    await sp.goto(`/join/${code}`);
    await sp.getByTestId("prejoin-join").tap();
    await sp.getByTestId("waiting-room").waitFor();
    await tp.getByTestId("waiting-badge").waitFor();
    await tp.getByTestId("control-participants").tap();
    await expectTab(tp, "people");
    await tp.getByTestId("waiting-person").getByTestId("admit").tap();
    await sp.getByTestId("classroom").waitFor();
    await expectPortrait(sp, "student");
    await expectPortrait(tp, "teacher, People open");
    const [tid, sid] = await Promise.all([myUserId(tp), myUserId(sp)]);
    await shot(tp, "phone-teacher-portrait-people");

    // Raise hand; the teacher lets the student speak.
    await sp.getByTestId("control-hand").tap();
    await sp.locator('[data-testid="control-hand"][aria-pressed="true"]').waitFor();
    await tp.getByTestId("hand-queue-entry").getByTestId("allow-to-speak").tap();
    await sp.locator('[data-testid="control-mic"]:not([disabled])').waitFor();
    // Unmute, mute, unmute again before the first camera: the teacher's receiving connection gets a
    // closed microphone's m-line and a new one, and must still take the camera's offer after them.
    await sp.getByTestId("control-mic").tap();
    await sp.locator('[data-testid="control-mic"][aria-pressed="true"]').waitFor();
    await sp.getByTestId("control-mic").tap();
    await sp.locator('[data-testid="control-mic"][aria-pressed="false"]').waitFor();
    await sp.getByTestId("control-mic").tap();
    await sp.locator('[data-testid="control-mic"][aria-pressed="true"]').waitFor();
    await expect.poll(() => heardDb(tp), { timeout: 30_000, message: "the teacher hears the student's microphone" }).toBeGreaterThan(-60);
    // Camera on: the teacher decodes it. Switch to the back camera: the teacher now sees its magenta (not the front camera's green).
    await sp.getByTestId("control-camera").tap();
    await sp.locator('[data-testid="control-camera"][aria-pressed="true"]').waitFor();
    await expect.poll(() => tileColour(tp, sid), { timeout: 60_000, message: "the teacher decodes the student's camera" }).not.toBeNull();
    await sp.getByTestId("control-switch-camera").tap();
    await expect
      .poll(
        async () => {
          const colour = await tileColour(tp, sid);
          return !!colour && colour.r > 140 && colour.b > 140 && colour.g < 80;
        },
        { timeout: 60_000, message: "the teacher sees the back camera's magenta" },
      )
      .toBe(true);
    // Connection quality on the tiles: the teacher sees the student's, the student only their own.
    await tp.locator(`[data-testid="video-tile"][data-user-id="${sid}"] [data-testid="quality-badge"]`).waitFor({ timeout: 30_000 });
    await sp.locator(`[data-testid="video-tile"][data-user-id="${sid}"] [data-testid="quality-badge"]`).waitFor({ timeout: 30_000 });
    expect(await sp.locator(`[data-testid="video-tile"][data-user-id="${tid}"] [data-testid="quality-badge"]`).count()).toBe(0);
    await shot(sp, "phone-student-portrait-back-camera");
    // Camera off.
    await sp.getByTestId("control-camera").tap();
    await sp.locator('[data-testid="control-camera"][aria-pressed="false"]').waitFor();

    // Chat: People tab, a swipe to Chat, a message out; the teacher gets it and answers.
    await sp.getByTestId("control-participants").tap();
    await expectTab(sp, "people");
    await swipePane(sp, "left");
    await expectTab(sp, "chat");
    await sp.getByTestId("chat-panel").waitFor();
    await expectPortrait(sp, "student, Chat open");
    await sp.getByTestId("chat-input").fill("Hello from my phone");
    await sp.getByTestId("chat-send").tap();
    await tp.getByTestId("chat-unread").waitFor();
    await tp.getByTestId("control-chat").tap();
    await tp.getByTestId("chat-message").filter({ hasText: "Hello from my phone" }).waitFor();
    await tp.getByTestId("chat-input").fill("Welcome, Pablo");
    await tp.getByTestId("chat-send").tap();
    await sp.getByTestId("chat-message").filter({ hasText: "Welcome, Pablo" }).waitFor();
    // A swipe back goes to People; the tabs move too.
    await swipePane(sp, "right");
    await expectTab(sp, "people");
    await sp.getByTestId("participants-panel").waitFor();

    // The board: the teacher puts a blank board up from the Board tab and lets everyone draw.
    await tp.getByTestId("control-materials").tap();
    await tp.getByTestId("board-blank").tap();
    await tp.getByTestId("phone-board").getByTestId("board").waitFor({ timeout: 30_000 });
    await tp.getByTestId("board-settings-toggle").tap();
    await tp.getByTestId("board-draw-policy").selectOption("everyone");
    await tp.getByRole("button", { name: "Close board settings" }).tap();
    // The student swipes People → Chat → Board and draws a red line with a finger.
    await swipePane(sp, "left");
    await expectTab(sp, "chat");
    await swipePane(sp, "left");
    await expectTab(sp, "materials");
    await sp.locator('[data-testid="phone-board"] [data-testid="board"][data-can-draw="true"]').waitFor({ timeout: 30_000 });
    await expectPortrait(sp, "student, Board open");
    await sp.locator('[data-testid="board-pen"][data-color="#e03131"]').tap();
    const canvas = await boxOf(sp.getByTestId("board-canvas"));
    const from = { x: canvas.x + canvas.width * 0.25, y: canvas.y + canvas.height * 0.5 };
    const to = { x: canvas.x + canvas.width * 0.75, y: canvas.y + canvas.height * 0.55 };
    const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
    const scene = await sp.getByTestId("board-canvas").evaluate((element, point) => {
      const rect = element.getBoundingClientRect();
      const data = (element as HTMLElement).dataset;
      const zoom = Number(data.zoom);
      return { x: (point.x - rect.left) / zoom - Number(data.scrollX), y: (point.y - rect.top) / zoom - Number(data.scrollY) };
    }, mid);
    expect(await colourPixels(sp, scene, RED)).toBe(0);
    await finger(sp, from, to, 20);
    await waitForColour(sp, scene, RED);
    // The teacher's board (its own size on the teacher's phone) shows the red line.
    await expect.poll(() => redPixels(tp), { timeout: 30_000, message: "red on the teacher's board" }).toBeGreaterThan(100);
    await shot(sp, "phone-student-portrait-board");

    await Promise.all([tctx.close(), sctx.close()]);
  }, 420_000);
});
