import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumMissing, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();
if (skip) console.warn(skip);

type Box = { x: number; y: number; width: number; height: number };

const boxOf = async (locator: Locator): Promise<Box> => {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element has no box (not visible)");
  return box;
};

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Whether the element drawn at the centre of `locator` is that element (or inside it): nothing covers it. */
const onTop = (locator: Locator) =>
  locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    const hit = document.elementFromPoint(rect.x + rect.width / 2, rect.y + rect.height / 2);
    return !!hit && element.contains(hit);
  });

/** The Materials panel opens; its close button is clear of "Go live", not covered, and closes it. */
async function materialsCloseIsClear(page: Page): Promise<void> {
  await page.getByTestId("control-materials").click();
  const panel = page.getByTestId("materials-panel");
  await panel.waitFor();
  const close = panel.getByRole("button", { name: "Close materials" });
  const live = page.getByTestId("control-live");
  if (await live.isVisible()) expect(overlaps(await boxOf(live), await boxOf(close))).toBe(false);
  expect(await onTop(close)).toBe(true);
  await close.click();
  await panel.waitFor({ state: "hidden" });
}

describe.skipIf(Boolean(skip))("web: the Go live control has its own slot in the top bar", () => {
  const web = webE2E();

  it("on a desktop and on a phone, Go live sits in the top bar, overlaps nothing there, and the Materials panel's close button stays clear and clickable", async () => {
    const teacher = await verifiedUser(web.server, "teacher", "Lia Teacher");
    const { page } = await startClassUi(web.browser, web.server, teacher, { title: "A class with a long title to squeeze the top bar" });

    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      const topBar = page.locator(".room-top");
      const live = page.getByTestId("control-live");
      // In the top bar, inside the window, and clear of the bar's other items.
      await topBar.getByTestId("control-live").waitFor();
      const liveBox = await boxOf(live);
      expect(liveBox.x + liveBox.width).toBeLessThanOrEqual(viewport.width);
      for (const other of [page.getByTestId("room-code"), page.getByTestId("participant-count"), topBar.locator("h1")]) {
        expect(overlaps(liveBox, await boxOf(other))).toBe(false);
      }
      expect(await onTop(live)).toBe(true);

      // Its panel drops down inside the window; Escape closes it, and so does a click elsewhere.
      await live.click();
      const livePanel = page.getByTestId("live-panel");
      await livePanel.waitFor();
      const panelBox = await boxOf(livePanel);
      expect(panelBox.x).toBeGreaterThanOrEqual(0);
      expect(panelBox.x + panelBox.width).toBeLessThanOrEqual(viewport.width);
      await shot(page, `live-slot-panel-${viewport.width}`);
      await page.keyboard.press("Escape");
      await livePanel.waitFor({ state: "hidden" });
      await live.click();
      await livePanel.waitFor();
      await page.getByTestId("participant-count").click();
      await livePanel.waitFor({ state: "hidden" });

      await materialsCloseIsClear(page);
    }
  }, 180_000);
});
