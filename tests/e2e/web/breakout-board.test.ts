/**
 * A breakout group's own board in real Chromium (issue 16): the teacher uploads a worksheet and
 * picks it for one group when opening groups by hand; a member of that group opens the group's
 * board (the worksheet under it) and draws; the group mate sees the stroke on their canvas, the
 * other group's board stays empty; after the groups close the teacher shows the kept board to the
 * whole class and a student of the other group sees the stroke. Media is off (the board needs none).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { colourPixels, whiteSlides, type Colour } from "./board-ui";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();
const RED: Colour = { r: 224, g: 49, b: 49 };

/** Where a scene point of a group board (`canvasSelector`) is in the viewport. */
async function toViewport(page: Page, canvasSelector: string, x: number, y: number) {
  return page.locator(canvasSelector).evaluate(
    (element, point) => {
      const rect = element.getBoundingClientRect();
      const data = (element as HTMLElement).dataset;
      const zoom = Number(data.zoom);
      return { x: rect.left + (point.x + Number(data.scrollX)) * zoom, y: rect.top + (point.y + Number(data.scrollY)) * zoom };
    },
    { x, y },
  );
}

/** Pixels of `colour` (over white) on the board's drawing canvas within 14 px of the scene point. */

const LIVE = '[data-testid="breakout-board"] [data-testid="breakout-board-canvas"]';
const SHOWN = '[data-testid="breakout-board-shown"] [data-testid="breakout-board-canvas"]';

describe.skipIf(Boolean(skip))("web: a breakout group's board in real Chromium", () => {
  const web = webE2E({ VTP_MEDIA: "off" });

  it("a group starts on the picked worksheet; a member's stroke reaches the group mate, not the other group; the kept board is shown to the class", async () => {
    const [teacher, ann, ben, cleo] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Ann Red"),
      verifiedUser(web.server, "student", "Ben Red"),
      verifiedUser(web.server, "student", "Cleo Blue"),
    ]);
    const { page: tp, code } = await startClassUi(web.browser, web.server, teacher!, { title: "Biology — group boards" });
    // The teacher uploads a worksheet (the Materials panel's file picker).
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("materials-file").setInputFiles(await whiteSlides("Worksheet", 2));
    await tp.locator('[data-testid="material"]', { hasText: "Worksheet" }).waitFor({ timeout: 60_000 });
    await tp.getByTestId("control-materials").click();
    const students = await Promise.all([ann, ben, cleo].map((account) => joinClassUi(web.browser, web.server, account!, code)));
    const [ap, bp, cp] = students.map((s) => s.page) as [Page, Page, Page];
    for (const page of [ap, bp, cp]) await page.getByTestId("classroom").waitFor();

    // Two groups by hand: Red (Ann, Ben) on the worksheet, Blue (Cleo) on a whiteboard.
    await tp.getByTestId("control-breakout").click();
    const panel = tp.getByTestId("breakout-panel");
    await panel.getByTestId("breakout-mode-manual").check();
    await panel.getByTestId("breakout-name").nth(0).fill("Red team");
    await panel.getByTestId("breakout-name").nth(1).fill("Blue team");
    await panel.getByTestId("breakout-material").nth(0).selectOption({ label: "Worksheet" });
    for (const [name, group] of [
      ["Ann Red", "Red team"],
      ["Ben Red", "Red team"],
      ["Cleo Blue", "Blue team"],
    ] as const)
      await panel.getByLabel(`Group for ${name}`).selectOption({ label: group });
    await panel.getByTestId("breakout-open-ended").check();
    await panel.getByTestId("breakout-open").click();
    await panel.getByTestId("breakout-overview").waitFor();
    for (const [page, title] of [
      [ap, "Red team"],
      [bp, "Red team"],
      [cp, "Blue team"],
    ] as const)
      await page.getByTestId("breakout-group-title").filter({ hasText: title }).waitFor({ timeout: 30_000 });

    // Everyone opens their group's board: Red's shows the worksheet, Blue's a whiteboard.
    for (const page of [ap, bp, cp]) {
      await page.getByTestId("breakout-board-toggle").click();
      await page.locator(LIVE).waitFor({ timeout: 60_000 });
    }
    await expect.poll(() => ap.getByTestId("breakout-board").getAttribute("data-surface-id"), { timeout: 30_000 }).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => cp.getByTestId("breakout-board").getAttribute("data-surface-id"), { timeout: 30_000 }).toBe("whiteboard");
    // The worksheet's page is fitted into the board (the view's zoom follows the PDF page).
    await expect.poll(async () => Number(await ap.locator(LIVE).getAttribute("data-zoom")), { timeout: 30_000 }).not.toBe(1);
    await expect.poll(async () => Number(await bp.locator(LIVE).getAttribute("data-zoom")), { timeout: 30_000 }).not.toBe(1);

    // Ann draws across the worksheet with the group board's red pen.
    await ap.locator('[data-testid="breakout-board-pen"][data-color="#e03131"]').click();
    const from = { x: 150, y: 300 };
    const to = { x: 450, y: 300 };
    const mid = { x: 300, y: 300 };
    const start = await toViewport(ap, LIVE, from.x, from.y);
    const end = await toViewport(ap, LIVE, to.x, to.y);
    await ap.mouse.move(start.x, start.y);
    await ap.mouse.down();
    await ap.mouse.move(end.x, end.y, { steps: 24 });
    await ap.mouse.up();
    await shot(ap, "breakout-board-drawn");
    await expect.poll(() => colourPixels(ap, mid, RED, 30, 14, LIVE), { timeout: 30_000 }).toBeGreaterThanOrEqual(15);
    // Ben, in the same group, sees it on his canvas; Cleo's board (another group) stays empty.
    await expect.poll(() => colourPixels(bp, mid, RED, 30, 14, LIVE), { timeout: 30_000, message: "Ben sees Ann's stroke" }).toBeGreaterThanOrEqual(15);
    await shot(bp, "breakout-board-mate");
    expect(await cp.evaluate(() => document.querySelectorAll('[data-testid="breakout-board"] canvas').length)).toBeGreaterThan(0);
    const cleoRed = await cp.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="breakout-board"] canvas.excalidraw__canvas.static');
      const data = canvas?.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; data && i < data.length; i += 4) if ((data[i + 3] ?? 0) > 128 && (data[i] ?? 0) > 180 && (data[i + 1] ?? 0) < 90) count++;
      return count;
    });
    expect(cleoRed, "no red on the other group's board").toBe(0);

    // The groups close; the teacher shows Red's kept board to the class: Cleo (Blue) sees the stroke.
    await panel.getByTestId("breakout-close").click();
    for (const page of [ap, bp, cp]) await page.getByTestId("breakout-group-title").waitFor({ state: "detached", timeout: 60_000 });
    const kept = panel.locator('[data-testid="breakout-kept-group"]', { hasText: "Red team" });
    await kept.getByTestId("breakout-show-board").click();
    await cp.locator(SHOWN).waitFor({ timeout: 60_000 });
    await expect.poll(async () => Number(await cp.locator(SHOWN).getAttribute("data-zoom")), { timeout: 30_000 }).not.toBe(1);
    await expect.poll(() => colourPixels(cp, mid, RED, 30, 14, SHOWN), { timeout: 30_000, message: "Cleo sees Red's kept board" }).toBeGreaterThanOrEqual(15);
    await shot(cp, "breakout-board-shown");
  }, 300_000);
});
