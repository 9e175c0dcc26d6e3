import { describe, expect, it } from "vitest";
import { boardE2E } from "./board-setup";
import { BLUE, closeMaterials, drawStroke, RED, waitForColour, waitForNoColour } from "./board-ui";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: the blank board's pages and the stage's layout in real Chromium", () => {
  const { web, elementRows } = boardE2E();

  it("pages are added (everyone is taken to the new one), browsed by thumbnails and cleared one by one; the layout puts the camera beside the board or in a small tile", async () => {
    const [teacher, sam] = await Promise.all([verifiedUser(web.server, "teacher", "Tess Teacher"), verifiedUser(web.server, "student", "Sam Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Maths — pages" });
    const samUi = await joinClassUi(web.browser, web.server, sam, code);
    const sp = samUi.page;
    await sp.getByTestId("classroom").waitFor();

    // The teacher puts a blank board on the stage and draws a red line on page 1.
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("board-blank").click();
    await tp.locator('[data-testid="board"][data-surface-id="whiteboard"]').waitFor({ timeout: 30_000 });
    await closeMaterials(tp);
    await sp.locator('[data-testid="board"][data-surface-id="whiteboard"]').waitFor({ timeout: 30_000 });
    for (const page of [tp, sp]) await expect.poll(() => page.getByTestId("board-page-label").textContent(), { timeout: 30_000 }).toContain("Page 1 of 1");
    const redMid = { x: 250, y: 120 };
    await drawStroke(tp, { x: 120, y: 120 }, { x: 380, y: 120 }, "#e03131");
    await waitForColour(sp, redMid, RED);
    await expect.poll(() => elementRows(1), { timeout: 30_000 }).toBe(1);

    // A second page: the teacher is taken to it, and so is Sam ("Page 2 of 2", an empty page); the teacher draws blue there.
    await tp.getByTestId("board-add-page").click();
    for (const page of [tp, sp]) await expect.poll(() => page.getByTestId("board-page-label").textContent(), { timeout: 30_000 }).toContain("Page 2 of 2");
    await sp.locator('[data-testid="board"][data-page="2"]').waitFor();
    await waitForNoColour(sp, redMid, RED);
    const blueMid = { x: 250, y: 200 };
    await drawStroke(tp, { x: 120, y: 200 }, { x: 380, y: 200 }, "#1971c2");
    await waitForColour(sp, blueMid, BLUE);
    await expect.poll(() => elementRows(2), { timeout: 30_000 }).toBe(1);

    // Back to page 1 for everyone; Sam looks at page 2 by its thumbnail, sees the blue, and goes back to the teacher's page.
    await tp.getByTestId("board-prev").click();
    await sp.locator('[data-testid="board"][data-page="1"]').waitFor({ timeout: 30_000 });
    await waitForColour(sp, redMid, RED);
    await waitForNoColour(sp, blueMid, BLUE);
    await sp.getByTestId("board-pages").click();
    await sp.locator('[data-testid="board-thumb"][data-page="2"]').click();
    await sp.locator('[data-testid="board"][data-page="2"]').waitFor();
    await waitForColour(sp, blueMid, BLUE);
    expect(await tp.locator('[data-testid="board"]').getAttribute("data-page")).toBe("1");
    await sp.getByTestId("board-follow").click();
    await sp.locator('[data-testid="board"][data-page="1"]').waitFor();
    await waitForColour(sp, redMid, RED);

    // The teacher clears page 2: Sam's page 2 is empty, page 1 keeps its line, the database agrees.
    await tp.getByTestId("board-next").click();
    await sp.locator('[data-testid="board"][data-page="2"]').waitFor({ timeout: 30_000 });
    await waitForColour(sp, blueMid, BLUE);
    await tp.getByTestId("board-clear").click();
    await tp.getByTestId("board-clear-confirm").click();
    await waitForNoColour(sp, blueMid, BLUE);
    await waitForNoColour(tp, blueMid, BLUE);
    await expect.poll(() => elementRows(2), { timeout: 30_000 }).toBe(0);
    expect(await elementRows(1)).toBe(1);
    // The cleared page still takes strokes.
    await drawStroke(tp, { x: 120, y: 260 }, { x: 380, y: 260 }, "#e03131");
    await waitForColour(sp, { x: 250, y: 260 }, RED);
    await tp.getByTestId("board-prev").click();
    await sp.locator('[data-testid="board"][data-page="1"]').waitFor({ timeout: 30_000 });
    await waitForColour(sp, redMid, RED);

    // The layout: side by side, the camera sits right of the board; as a tile, it is small and over the board's corner.
    const boxes = async () => {
      const board = (await sp.locator(".stage-board-main").boundingBox())!;
      const camera = (await sp.locator(".stage-board-camera").boundingBox())!;
      return { board, camera };
    };
    await sp.locator(".stage-board.layout-side-by-side").waitFor();
    const side = await boxes();
    expect(side.camera.x).toBeGreaterThanOrEqual(side.board.x + side.board.width - 2);
    await tp.getByTestId("board-settings-toggle").click();
    await tp.getByTestId("board-layout").selectOption("camera-tile");
    await sp.locator(".stage-board.layout-camera-tile").waitFor({ timeout: 30_000 });
    const tile = await boxes();
    expect(tile.camera.width).toBeLessThan(tile.board.width * 0.35);
    expect(tile.camera.x).toBeGreaterThan(tile.board.x);
    expect(tile.camera.x + tile.camera.width).toBeLessThanOrEqual(tile.board.x + tile.board.width + 1);
    expect(tile.camera.y + tile.camera.height).toBeLessThanOrEqual(tile.board.y + tile.board.height + 1);
    expect(tile.board.width).toBeGreaterThan(side.board.width);
    // The board under the tile still shows the line (the tile sits in a corner, not over the drawing).
    await waitForColour(sp, redMid, RED);
    await shot(sp, "board-pages-camera-tile");
    await tp.getByTestId("board-layout").selectOption("side-by-side");
    await sp.locator(".stage-board.layout-side-by-side").waitFor({ timeout: 30_000 });

    await Promise.all([tctx.close(), samUi.ctx.close()]);
  }, 360_000);
});
