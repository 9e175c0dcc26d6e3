import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { boardE2E } from "./board-setup";
import { BLUE, colourPixels, dragOnBoard, HIGHLIGHT_ON_WHITE, HIGHLIGHT_OPAQUE, sceneToViewport, waitForColour, closeMaterials } from "./board-ui";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser } from "./harness";

const skip = chromiumMissing();

/** How many pixels of a screenshot of the board differ (by more than 60 in a channel sum) from `before`, measured by the browser itself. */
async function changedPixels(page: Page, before: Buffer, now: Buffer): Promise<number> {
  return page.evaluate(
    async ({ first, second }) => {
      const pixels = async (base64: string) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext("2d")!;
        context.drawImage(image, 0, 0);
        return context.getImageData(0, 0, image.width, image.height).data;
      };
      const [a, b] = [await pixels(first), await pixels(second)];
      let count = 0;
      for (let i = 0; i < Math.min(a.length, b.length); i += 4)
        if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 60) count++;
      return count;
    },
    { first: before.toString("base64"), second: now.toString("base64") },
  );
}

describe.skipIf(Boolean(skip))("web: the board's tools in real Chromium", () => {
  const { web, db, elementRows } = boardE2E();

  it("on a blank board: the highlighter is see-through for the student, and the laser is seen while held and leaves nothing", async () => {
    const [teacher, sam] = await Promise.all([verifiedUser(web.server, "teacher", "Tess Teacher"), verifiedUser(web.server, "student", "Sam Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Maths — the blank board" });
    const samUi = await joinClassUi(web.browser, web.server, sam, code);
    const sp = samUi.page;
    await sp.getByTestId("classroom").waitFor();

    // The teacher puts a blank board on the stage.
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("board-blank").click();
    await tp.locator('[data-testid="board"][data-surface-id="whiteboard"]').waitFor({ timeout: 30_000 });
    await closeMaterials(tp);
    await sp.locator('[data-testid="board"][data-surface-id="whiteboard"]').waitFor({ timeout: 30_000 });

    // The highlighter: Sam sees a pale, see-through yellow, not the opaque colour.
    const lineMid = { x: 250, y: 120 };
    await tp.getByTestId("board-highlighter").click();
    await dragOnBoard(tp, { x: 120, y: 120 }, { x: 380, y: 120 });
    await waitForColour(sp, lineMid, HIGHLIGHT_ON_WHITE, 15, 22);
    expect(await colourPixels(sp, lineMid, HIGHLIGHT_OPAQUE, 25)).toBe(0);
    await shot(sp, "board-tools-highlighter");

    // The laser: while the teacher holds it over the board Sam's board changes there; after, it is as before and nothing was kept.
    await expect.poll(() => elementRows(), { timeout: 30_000 }).toBe(1);
    const boardBox = (await sp.getByTestId("board-canvas").boundingBox())!;
    const before = await sp.screenshot({ clip: boardBox });
    await tp.getByTestId("board-laser").click();
    const start = await sceneToViewport(tp, 150, 250);
    await tp.mouse.move(start.x, start.y);
    await tp.mouse.down();
    let holding = true;
    const wiggle = (async () => {
      for (let step = 0; holding; step++) {
        await tp.mouse.move(start.x + 120 + Math.cos(step / 3) * 80, start.y + Math.sin(step / 3) * 40, { steps: 4 });
      }
    })();
    let seen = 0;
    const deadline = Date.now() + 30_000;
    while (seen < 40 && Date.now() < deadline) seen = await changedPixels(sp, before, await sp.screenshot({ clip: boardBox }));
    holding = false;
    await wiggle;
    await tp.mouse.up();
    expect(seen).toBeGreaterThanOrEqual(40);
    await expect.poll(async () => changedPixels(sp, before, await sp.screenshot({ clip: boardBox })), { timeout: 30_000 }).toBeLessThan(5);
    expect(await elementRows()).toBe(1);
    await tp.getByTestId("board-laser").click();

    await Promise.all([tctx.close(), samUi.ctx.close()]);
  }, 360_000);

  // 4,500 pointer moves, each one a round trip to Chromium that redraws the growing stroke: about
  // 3-4 min on a busy 2-core machine, more with both cores loaded; hence the long deadline. It
  // failed now and then with Kim seeing none of the stroke (not reproduced with diagnostics). Two
  // ways to lose a whole stroke were found and fixed: a pen chosen before the drawing surface was
  // up picked nothing (the drag made a selection), and the page's drawings arriving mid-stroke
  // wiped it. The pens now wait for the surface; what is drawn while a page loads is kept and sent
  // (sync.test.ts). A failure now says where the stroke was lost.
  it("a stroke of more than 4000 points is not lost: the student sees all of it, kept as consecutive strokes", { timeout: 600_000 }, async ({
    onTestFinished,
  }) => {
    const [teacher, kim] = await Promise.all([verifiedUser(web.server, "teacher", "Theo Teacher"), verifiedUser(web.server, "student", "Kim Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Art — a long line" });
    const kimUi = await joinClassUi(web.browser, web.server, kim, code);
    onTestFinished(() => Promise.all([tctx.close(), kimUi.ctx.close()]).then(() => undefined));
    const kp = kimUi.page;
    await kp.getByTestId("classroom").waitFor();
    await tp.getByTestId("control-materials").click();
    await tp.getByTestId("board-blank").click();
    await closeMaterials(tp);
    await kp.locator('[data-testid="board"][data-surface-id="whiteboard"]').waitFor({ timeout: 30_000 });
    const roomRows = async () => Number((await db.client.query("select count(*) from board_elements where surface_id = 'whiteboard'")).rows[0].count);
    const before = await roomRows();

    // A zigzag of 30 passes of 150 points (4,500 points, each 2 px from the last), drawn with the blue pen in one go.
    await tp.locator('[data-testid="board-pen"][data-color="#1971c2"]').click();
    const origin = await sceneToViewport(tp, 60, 60);
    const passes = 30;
    const perPass = 150;
    const pointAt = (pass: number, step: number) => ({ x: origin.x + pass * 10, y: origin.y + (pass % 2 === 0 ? step : perPass - step) * 2 });
    await tp.mouse.move(origin.x, origin.y);
    await tp.mouse.down();
    for (let pass = 0; pass < passes; pass++) {
      for (let step = 0; step < perPass; step++) {
        const point = pointAt(pass, step);
        await tp.mouse.move(point.x, point.y);
      }
    }
    await tp.mouse.up();

    // Kim sees the first pass and the last one (past point 4,000): nothing stayed on the teacher's screen only.
    await waitForColour(kp, { x: 60, y: 210 }, BLUE, 6).catch(async (err) => {
      // Where it was lost: on the teacher's own board, before the server, or on Kim's side.
      const drawn = await colourPixels(tp, { x: 60, y: 210 }, BLUE);
      throw new Error(`${(err as Error).message}; the teacher's board shows ${drawn} blue pixels there; rows stored: ${(await roomRows()) - before}`);
    });
    await waitForColour(kp, { x: 60 + (passes - 1) * 10, y: 210 }, BLUE, 6);
    await expect.poll(roomRows, { timeout: 30_000 }).toBe(before + 2);
    const points = await db.client.query<{ points: number }>(
      "select jsonb_array_length(element->'points') as points from board_elements where surface_id = 'whiteboard' and element->>'strokeColor' = '#1971c2'",
    );
    expect(points.rows.map((row) => row.points).every((count) => count <= 4000)).toBe(true);
    expect(points.rows.reduce((sum, row) => sum + row.points, 0)).toBeGreaterThan(4000);
    await shot(kp, "board-tools-long-stroke");
  });
});
