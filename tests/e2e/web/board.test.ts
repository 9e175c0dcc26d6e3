import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { drawStroke, sceneToViewport, closeMaterials } from "./board-ui";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

/** Page 2's fill: a colour nothing else on the board has. */
const TEAL = { r: 0, g: 128, b: 128 };

/** A 2-page slide deck: page 1 white with a title, page 2 filled teal with large text. */
async function slides(): Promise<string> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  const first = doc.addPage([612, 792]);
  first.drawText("Slide one", { x: 72, y: 700, size: 40, font, color: rgb(0, 0, 0) });
  const second = doc.addPage([612, 792]);
  second.drawRectangle({ x: 0, y: 0, width: 612, height: 792, color: rgb(TEAL.r / 255, TEAL.g / 255, TEAL.b / 255) });
  second.drawText("PAGE TWO", { x: 72, y: 80, size: 64, font, color: rgb(1, 1, 1) });
  const file = path.join(mkdtempSync(path.join(tmpdir(), "vtp-board-")), "Photosynthesis.pdf");
  writeFileSync(file, await doc.save());
  return file;
}

/** Waits until the drawing canvas (not the DOM) has at least `min` pixels of `colour` within `radius` px of the scene point. */
async function expectStrokePixels(page: Page, scene: { x: number; y: number }, colour: "red" | "blue", min = 15, radius = 14): Promise<void> {
  await page.waitForFunction(
    ({ scene: point, colour: want, min: least, radius: around }) => {
      const board = document.querySelector<HTMLElement>('[data-testid="board-canvas"]');
      const canvas = board?.querySelector<HTMLCanvasElement>("canvas.excalidraw__canvas.static");
      if (!board || !canvas) return false;
      const zoom = Number(board.dataset.zoom);
      const boardRect = board.getBoundingClientRect();
      const rect = canvas.getBoundingClientRect();
      const ratio = canvas.width / rect.width;
      const cx = (boardRect.left - rect.left + (point.x + Number(board.dataset.scrollX)) * zoom) * ratio;
      const cy = (boardRect.top - rect.top + (point.y + Number(board.dataset.scrollY)) * zoom) * ratio;
      const size = Math.round(around * 2 * ratio);
      const data = canvas.getContext("2d")?.getImageData(Math.round(cx - around * ratio), Math.round(cy - around * ratio), size, size).data;
      if (!data) return false;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a < 150) continue;
        if (want === "red" && r > 170 && g < 100 && b < 100) count++;
        if (want === "blue" && b > 150 && r < 80 && g < 160) count++;
      }
      return count >= least;
    },
    { scene, colour, min, radius },
    { timeout: 20_000 },
  );
}

/** Waits until the slide's canvas shows page `pageNumber` of the material and returns the colour at the page's centre. */
async function slideCentre(page: Page, surfaceId: string, pageNumber: number): Promise<{ r: number; g: number; b: number }> {
  await page.locator(`[data-testid="board-pdf"][data-rendered="${surfaceId}/${pageNumber}"]`).waitFor({ timeout: 30_000 });
  const centre = await sceneToViewport(page, 306, 396);
  return page.getByTestId("board-pdf").evaluate((element, point) => {
    const canvas = element as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const ratio = canvas.width / rect.width;
    if (!Number.isFinite(ratio) || !Number.isFinite(point.x))
      throw new Error(`canvas ${canvas.width}x${canvas.height} at ${JSON.stringify(rect)}, point ${JSON.stringify(point)}, style ${canvas.style.cssText}`);
    const [r, g, b] = canvas.getContext("2d")!.getImageData(Math.round((point.x - rect.left) * ratio), Math.round((point.y - rect.top) * ratio), 1, 1).data;
    return { r: r!, g: g!, b: b! };
  }, centre);
}

const near = (got: { r: number; g: number; b: number }, want: { r: number; g: number; b: number }) =>
  Math.abs(got.r - want.r) <= 12 && Math.abs(got.g - want.g) <= 12 && Math.abs(got.b - want.b) <= 12;

describe.skipIf(Boolean(skip))("web: the class board in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "30" });

  it("the teacher presents uploaded slides and draws on page 2; students (late, reconnecting) see the page and the stroke; a chosen student draws, another cannot", async () => {
    const [teacher, sam, kim, lee] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Sam Student"),
      verifiedUser(web.server, "student", "Kim Student"),
      verifiedUser(web.server, "student", "Lee Latecomer"),
    ]);
    const pdf = await slides();
    const debugBoard = async (ctx: BrowserContext) => {
      await ctx.addInitScript(() => {
        try {
          localStorage.setItem("vtpDebug", "board");
        } catch {
          /* a frame without storage (about:blank) */
        }
      });
    };
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Biology — the board" });
    tp.on("pageerror", (err) => console.log("STACK", err.stack));
    const samUi = await joinClassUi(web.browser, web.server, sam, code);
    const kimUi = await joinClassUi(web.browser, web.server, kim, code, undefined, debugBoard);
    const sp = samUi.page;
    const kp = kimUi.page;
    await Promise.all([sp.getByTestId("classroom").waitFor(), kp.getByTestId("classroom").waitFor()]);

    // The teacher uploads the slides in the Materials panel and presents them.
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("materials-file").setInputFiles(pdf);
    const item = tp.locator('[data-testid="material"]', { hasText: "Photosynthesis" });
    await item.waitFor();
    expect(await item.textContent()).toContain("2 pages");
    const materialId = (await item.getAttribute("data-material-id"))!;
    await shot(tp, "board-teacher-materials");
    await item.getByTestId("material-present").click();
    await tp
      .locator(`[data-testid="board"][data-surface-id="${materialId}"]`)
      .waitFor({ timeout: 30_000 })
      .catch(async (err) => {
        await shot(tp, "board-present-failed");
        console.log(await tp.locator(".stage-area").innerHTML());
        throw err;
      });
    await closeMaterials(tp);
    // Students get the board on their stage too, and see the material in their own panel (no upload controls).
    await sp.locator(`[data-testid="board"][data-surface-id="${materialId}"]`).waitFor({ timeout: 30_000 });
    expect(near(await slideCentre(sp, materialId, 1), { r: 255, g: 255, b: 255 })).toBe(true);

    // Page 2 for everyone.
    await tp.getByTestId("board-next").click();
    await tp.locator('[data-testid="board"][data-page="2"]').waitFor();
    expect(near(await slideCentre(tp, materialId, 2), TEAL)).toBe(true);
    for (const page of [sp, kp]) {
      await page.locator('[data-testid="board"][data-page="2"]').waitFor();
      expect(near(await slideCentre(page, materialId, 2), TEAL)).toBe(true);
    }

    // A red stroke across the middle of page 2.
    const redFrom = { x: 200, y: 300 };
    const redTo = { x: 420, y: 340 };
    const redMid = { x: 310, y: 320 };
    await drawStroke(tp, redFrom, redTo, "#e03131");
    await expectStrokePixels(tp, redMid, "red");
    for (const page of [sp, kp]) await expectStrokePixels(page, redMid, "red");
    await shot(sp, "board-student-page2-stroke");

    // A late joiner sees page 2 with the stroke.
    const leeUi = await joinClassUi(web.browser, web.server, lee, code);
    await leeUi.page.locator('[data-testid="board"][data-page="2"]').waitFor({ timeout: 30_000 });
    expect(near(await slideCentre(leeUi.page, materialId, 2), TEAL)).toBe(true);
    await expectStrokePixels(leeUi.page, redMid, "red");

    // Kim drops off; the teacher draws another red stroke meanwhile; Kim sees both after reconnecting.
    await kimUi.ctx.setOffline(true);
    await kp.locator('[data-testid="classroom"][data-phase="reconnecting"]').waitFor({ timeout: 30_000 });
    const secondMid = { x: 300, y: 560 };
    await drawStroke(tp, { x: 180, y: 540 }, { x: 420, y: 580 }, "#e03131");
    await expectStrokePixels(tp, secondMid, "red");
    await kimUi.ctx.setOffline(false);
    await kp.locator('[data-testid="classroom"][data-phase="joined"]').waitFor({ timeout: 30_000 });
    await expectStrokePixels(kp, secondMid, "red");
    await expectStrokePixels(kp, redMid, "red");

    // Students cannot draw yet: no tools.
    expect(await sp.getByTestId("board").getAttribute("data-can-draw")).toBe("false");
    expect(await sp.getByTestId("toolbar-freedraw").count()).toBe(0);

    // The teacher lets Sam (only) draw.
    await tp.getByTestId("board-settings-toggle").click();
    await tp.getByTestId("board-draw-policy").selectOption("chosen");
    // The box shows the class's setting once the server has it (a controlled input), so click and wait.
    const samBox = tp.locator(".board-allowed-row", { hasText: "Sam Student" }).locator("input");
    await samBox.click();
    await expect.poll(() => samBox.isChecked(), { timeout: 30_000 }).toBe(true);
    await sp.locator('[data-testid="board"][data-can-draw="true"]').waitFor();
    await tp.getByRole("button", { name: "Close board settings" }).click();
    const blueMid = { x: 300, y: 180 };
    await drawStroke(sp, { x: 180, y: 170 }, { x: 420, y: 190 }, "#1971c2");
    await expectStrokePixels(sp, blueMid, "blue");
    await expectStrokePixels(tp, blueMid, "blue");
    await shot(tp, "board-teacher-sees-student-stroke");

    // Kim has no tools, and the server refuses a board-draw sent straight from Kim's socket.
    expect(await kp.getByTestId("board").getAttribute("data-can-draw")).toBe("false");
    expect(await kp.getByTestId("toolbar-freedraw").count()).toBe(0);
    const refused = await kp.evaluate(
      async ({ roomSurface }) => {
        const handle = (globalThis as unknown as { __vtpBoard: { connection: { current: { send(event: string, payload: unknown): Promise<unknown> } } } })
          .__vtpBoard;
        const roomId = location.pathname.split("/").pop()!;
        const element = {
          id: "kimsstroke1",
          type: "freedraw",
          version: 2,
          versionNonce: 7,
          isDeleted: false,
          x: 100,
          y: 100,
          width: 50,
          height: 10,
          strokeColor: "#000000",
          backgroundColor: "transparent",
          strokeWidth: 2,
          opacity: 100,
          points: [
            [0, 0],
            [50, 10],
          ],
        };
        try {
          await handle.connection.current.send("board-draw", { roomId, surfaceId: roomSurface, page: 2, elements: [element] });
          return "accepted";
        } catch (err) {
          return (err as { code?: string }).code ?? String(err);
        }
      },
      { roomSurface: materialId },
    );
    expect(refused).toBe("NOT_ALLOWED_TO_DRAW");
    await shot(kp, "board-student-view-only");

    await Promise.all([tctx.close(), samUi.ctx.close(), kimUi.ctx.close(), leeUi.ctx.close()]);
  }, 360_000);
});
