import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";

/**
 * What the board's Chromium tests share: where a scene point is on screen, what colour the
 * drawing canvas shows around it (composited over white, as a person sees it), drawing with the
 * mouse, and a slide deck to upload.
 */

export interface Colour {
  r: number;
  g: number;
  b: number;
}

/** Where a scene point (PDF points of the page) is in the page's viewport, from the board's view attributes. */
export async function sceneToViewport(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.getByTestId("board-canvas").evaluate(
    (element, point) => {
      const rect = element.getBoundingClientRect();
      const data = (element as HTMLElement).dataset;
      const zoom = Number(data.zoom);
      return { x: rect.left + (point.x + Number(data.scrollX)) * zoom, y: rect.top + (point.y + Number(data.scrollY)) * zoom };
    },
    { x, y },
  );
}

/** How many pixels of the drawing canvas within `radius` px of the scene point are within `tolerance` of `colour` (over white). */
export async function colourPixels(
  page: Page,
  scene: { x: number; y: number },
  colour: Colour,
  tolerance = 30,
  radius = 14,
  boardSelector = '[data-testid="board-canvas"]',
): Promise<number> {
  return page.evaluate(
    ({ scene: point, colour: want, tolerance: tol, radius: around, boardSelector: selector }) => {
      const board = document.querySelector<HTMLElement>(selector);
      const canvas = board?.querySelector<HTMLCanvasElement>("canvas.excalidraw__canvas.static");
      if (!board || !canvas) return -1;
      const zoom = Number(board.dataset.zoom);
      const boardRect = board.getBoundingClientRect();
      const rect = canvas.getBoundingClientRect();
      const ratio = canvas.width / rect.width;
      const cx = (boardRect.left - rect.left + (point.x + Number(board.dataset.scrollX)) * zoom) * ratio;
      const cy = (boardRect.top - rect.top + (point.y + Number(board.dataset.scrollY)) * zoom) * ratio;
      const size = Math.max(1, Math.round(around * 2 * ratio));
      const data = canvas.getContext("2d")?.getImageData(Math.round(cx - around * ratio), Math.round(cy - around * ratio), size, size).data;
      if (!data) return -1;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const alpha = (data[i + 3] ?? 0) / 255;
        const over = (value: number) => value * alpha + 255 * (1 - alpha);
        const [r, g, b] = [over(data[i] ?? 0), over(data[i + 1] ?? 0), over(data[i + 2] ?? 0)];
        if (Math.abs(r - want.r) <= tol && Math.abs(g - want.g) <= tol && Math.abs(b - want.b) <= tol) count++;
      }
      return count;
    },
    { scene, colour, tolerance, radius, boardSelector },
  );
}

/** Waits until the drawing canvas shows at least `min` pixels of `colour` around the scene point. */
export async function waitForColour(page: Page, scene: { x: number; y: number }, colour: Colour, min = 15, tolerance = 30): Promise<void> {
  await expect
    .poll(() => colourPixels(page, scene, colour, tolerance), {
      timeout: 30_000,
      message: `${min} pixels of ${JSON.stringify(colour)} around ${JSON.stringify(scene)}`,
    })
    .toBeGreaterThanOrEqual(min);
}

/** Waits until the drawing canvas shows no pixel of `colour` around the scene point. */
export async function waitForNoColour(page: Page, scene: { x: number; y: number }, colour: Colour, tolerance = 30): Promise<void> {
  await expect
    .poll(() => colourPixels(page, scene, colour, tolerance), {
      timeout: 30_000,
      message: `no pixel of ${JSON.stringify(colour)} around ${JSON.stringify(scene)}`,
    })
    .toBe(0);
}

/** Closes the Materials panel with its control-bar toggle (as the panel's own close button may sit under other controls). */
export async function closeMaterials(page: Page): Promise<void> {
  await page.getByTestId("control-materials").click();
  await page.getByTestId("materials-panel").waitFor({ state: "hidden" });
}

/** Drags the mouse from scene point `from` to `to` (the tool already chosen). */
export async function dragOnBoard(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 24): Promise<void> {
  const start = await sceneToViewport(page, from.x, from.y);
  const end = await sceneToViewport(page, to.x, to.y);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps });
  await page.mouse.up();
}

/** Draws a freehand stroke with the board's pen of that colour. */
export async function drawStroke(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, colour: string): Promise<void> {
  await page.locator(`[data-testid="board-pen"][data-color="${colour}"]`).click();
  await dragOnBoard(page, from, to);
}

/** The pens' colours as drawn (opaque) and the highlighter's (40% over white). */
export const RED: Colour = { r: 224, g: 49, b: 49 };
export const BLUE: Colour = { r: 25, g: 113, b: 194 };
export const HIGHLIGHT_ON_WHITE: Colour = { r: 253, g: 223, b: 155 };
export const HIGHLIGHT_OPAQUE: Colour = { r: 250, g: 176, b: 5 };

/** A slide deck of `pages` white pages with a title, written to a temporary file. */
export async function whiteSlides(name: string, pages = 2, padBytes = 0): Promise<string> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let index = 1; index <= pages; index++) {
    const page = doc.addPage([612, 792]);
    page.drawText(`Slide ${index}`, { x: 72, y: 700, size: 40, font, color: rgb(0, 0, 0) });
  }
  // Padding (an unused attachment-like stream) makes the file large enough to watch its upload.
  if (padBytes > 0) doc.setSubject("x".repeat(padBytes));
  const file = path.join(mkdtempSync(path.join(tmpdir(), "vtp-board-")), `${name}.pdf`);
  writeFileSync(file, await doc.save());
  return file;
}
