import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { boardE2E } from "./board-setup";
import { isRed, rasterize } from "../../integration/materials/helpers.js";
import { closeMaterials, drawStroke, RED, waitForColour, waitForNoColour, whiteSlides } from "./board-ui";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser } from "./harness";

const skip = chromiumMissing();

/** The student clicks "Annotated PDF" on the material and gets the downloaded file's bytes. */
async function downloadAnnotated(page: Page, title: string): Promise<Buffer> {
  const item = page.locator('[data-testid="material"]', { hasText: title });
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), item.getByTestId("material-download").click()]);
  return readFileSync((await download.path())!);
}

/** Red pixels of the PDF's first page (pdftoppm, one pixel per point) in a box around (x, y) from the top left. */
async function redAround(pdf: Buffer, x: number, y: number, half = 12): Promise<number> {
  const raster = await rasterize(pdf, 1);
  let count = 0;
  for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) if (isRed(raster.rgbAt(x + dx, y + dy))) count++;
  return count;
}

describe.skipIf(Boolean(skip))("web: a class's materials in real Chromium", () => {
  const { web, db } = boardE2E();

  it("the teacher drops a PDF (a progress bar while it is in flight), draws on it; a student downloads it with the drawing in the PDF; the teacher clears the drawings for the next session", async () => {
    const [teacher, sam] = await Promise.all([verifiedUser(web.server, "teacher", "Tess Teacher"), verifiedUser(web.server, "student", "Sam Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "History — slides" });
    const samUi = await joinClassUi(web.browser, web.server, sam, code);
    const sp = samUi.page;
    await sp.getByTestId("classroom").waitFor();

    // The teacher drops a deck on the drop zone. Its upload is held in flight (the request's body is
    // read, its answer waits) until the test has seen what a person sees meanwhile.
    const file = await whiteSlides("Revolutions", 2, 250_000);
    const fileBytes = readFileSync(file);
    await tp.getByTestId("control-materials").click();
    const upload = { bodyBytes: -1, release: () => {} };
    const released = new Promise<void>((resolve) => {
      upload.release = resolve;
    });
    const uploadSeen = new Promise<void>((resolve) => {
      void tp.route("**/api/v1/rooms/*/materials", async (route) => {
        if (route.request().method() !== "POST") return route.fallback();
        upload.bodyBytes = route.request().postDataBuffer()?.length ?? -1;
        resolve();
        await released;
        await route.continue();
      });
    });
    // The page notes every value its progress bar shows.
    await tp.evaluate(() => {
      const seen: number[] = [];
      (globalThis as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid="materials-progress"] progress');
        if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    // The file's bytes reach the page as a download of its own (a person's file from their disk).
    await tp.route("**/test-files/deck.pdf", (route) => route.fulfill({ body: fileBytes, contentType: "application/pdf" }));
    const dataTransfer = await tp.evaluateHandle(async (name) => {
      const blob = await (await fetch("/test-files/deck.pdf")).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], name, { type: "application/pdf" }));
      return transfer;
    }, path.basename(file));
    const drop = tp.getByTestId("materials-drop");
    await drop.dispatchEvent("dragover", { dataTransfer });
    await drop.dispatchEvent("drop", { dataTransfer });
    await uploadSeen;
    // In flight: the whole file was sent, the bar names it and shows a fraction below 1, the picker
    // waits, nothing is listed or stored yet.
    expect(upload.bodyBytes).toBe(fileBytes.length);
    const bar = tp.getByRole("progressbar", { name: "Uploading Revolutions.pdf" });
    await bar.waitFor({ timeout: 30_000 });
    const inFlight = Number(await bar.evaluate((element) => (element as HTMLProgressElement).value));
    expect(inFlight).toBeGreaterThanOrEqual(0);
    expect(inFlight).toBeLessThan(1);
    expect(await tp.getByTestId("materials-progress").textContent()).toContain("Uploading Revolutions.pdf");
    await expect(tp.getByTestId("materials-pick").isDisabled()).resolves.toBe(true);
    await shot(tp, "board-materials-uploading");
    const item = tp.locator('[data-testid="material"]', { hasText: "Revolutions" });
    expect(await item.count()).toBe(0);
    expect(Number((await db.client.query("select count(*) from class_materials")).rows[0].count)).toBe(0);
    // Answered: the bar is gone, the deck is listed and stored.
    upload.release();
    await item.waitFor({ timeout: 120_000 });
    await tp.getByTestId("materials-progress").waitFor({ state: "detached" });
    await tp.unroute("**/api/v1/rooms/*/materials");
    expect(await tp.getByTestId("materials-pick").isDisabled()).toBe(false);
    const progressSeen = await tp.evaluate(() => (globalThis as unknown as { progressSeen: number[] }).progressSeen);
    expect(progressSeen.length, JSON.stringify(progressSeen)).toBeGreaterThan(0);
    expect(progressSeen.every((value, index) => value >= 0 && value <= 1 && value >= (progressSeen[index - 1] ?? 0))).toBe(true);
    expect(await item.textContent()).toContain("2 pages");
    expect(Number((await db.client.query("select count(*) from class_materials")).rows[0].count)).toBe(1);

    // Presented; a red stroke on page 1, seen by Sam.
    await item.getByTestId("material-present").click();
    const materialId = (await item.getAttribute("data-material-id"))!;
    await closeMaterials(tp);
    await sp.locator(`[data-testid="board"][data-surface-id="${materialId}"]`).waitFor({ timeout: 30_000 });
    await tp.locator(`[data-testid="board-pdf"][data-rendered="${materialId}/1"]`).waitFor({ timeout: 30_000 });
    const mid = { x: 300, y: 400 };
    await drawStroke(tp, { x: 180, y: 390 }, { x: 420, y: 410 }, "#e03131");
    await waitForColour(sp, mid, RED);
    await expect
      .poll(async () => Number((await db.client.query("select count(*) from board_elements where material_id = $1", [materialId])).rows[0].count))
      .toBe(1);

    // Sam downloads the annotated PDF: a PDF whose page 1, rendered, is red where the stroke was.
    await sp.getByTestId("control-materials").click();
    const annotated = await downloadAnnotated(sp, "Revolutions");
    expect(annotated.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(await redAround(annotated, mid.x, mid.y)).toBeGreaterThan(15);
    expect(await redAround(annotated, 300, 600)).toBe(0);

    // The teacher clears every drawing for the next session: gone from Sam's board, the database and the download.
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("board-clear-all").click();
    await tp.getByTestId("board-clear-all-confirm").click();
    await waitForNoColour(sp, mid, RED);
    expect(Number((await db.client.query("select count(*) from board_elements where material_id = $1", [materialId])).rows[0].count)).toBe(0);
    expect(await redAround(await downloadAnnotated(sp, "Revolutions"), mid.x, mid.y)).toBe(0);
    // The material itself stays.
    await expect(sp.locator('[data-testid="material"]', { hasText: "Revolutions" }).count()).resolves.toBe(1);

    await Promise.all([tctx.close(), samUi.ctx.close()]);
  }, 360_000);
});
