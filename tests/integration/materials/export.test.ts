import path from "node:path";
import pino from "pino";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { joined, listeningApp } from "../rooms/helpers.js";
import type { Services } from "../../../apps/server/src/compose.js";
import { SofficeConverter } from "../../../apps/server/src/materials/convert.js";
import { annotatePdf, type BoardDrawings, type BoardElementLike } from "../../../apps/server/src/materials/export.js";
import { MaterialService } from "../../../apps/server/src/materials/index.js";
import { MaterialsRepo } from "../../../apps/server/src/materials/repo.js";
import { LocalStorage } from "../../../apps/server/src/storage/index.js";
import { createRoom, person, type Person } from "../rooms/helpers.js";
import { isRed, makePdf, PDF_TYPE, rasterize, upload } from "./helpers.js";

/**
 * The annotated PDF: the class's drawings (Excalidraw elements in PDF points from the page's
 * top-left, y down) drawn on the material's pages with pdf-lib, checked on pdftoppm's pixels.
 */
let seq = 0;
const element = (fields: Partial<BoardElementLike> & Pick<BoardElementLike, "type">): BoardElementLike & { id: string } => ({
  id: `el-${++seq}`,
  x: 0,
  y: 0,
  width: 0,
  height: 0,
  strokeColor: "#e03131",
  backgroundColor: "transparent",
  strokeWidth: 4,
  opacity: 100,
  isDeleted: false,
  ...fields,
});

const white = ([red, green, blue]: [number, number, number]) => red > 235 && green > 235 && blue > 235;
const blue = ([red, green, blue]: [number, number, number]) => blue > 150 && red < 100 && green < 140;

describe("drawing elements on a PDF", () => {
  it("puts strokes, shapes and text where the board shows them (y flipped to PDF space), skips deleted ones", async () => {
    const pdf = await makePdf(2);
    const pages = new Map<number, BoardElementLike[]>([
      [
        1,
        [
          // A red freehand stroke along y = 150, from x = 100 to 300.
          element({
            type: "freedraw",
            x: 100,
            y: 150,
            width: 200,
            height: 0,
            points: [
              [0, 0],
              [100, 0],
              [200, 0],
            ],
          }),
          // A blue rectangle outline: (100, 300)–(300, 400).
          element({ type: "rectangle", x: 100, y: 300, width: 200, height: 100, strokeColor: "#1971c2" }),
          element({ type: "ellipse", x: 350, y: 300, width: 100, height: 60, strokeColor: "#1971c2" }),
          element({ type: "diamond", x: 350, y: 450, width: 100, height: 60 }),
          element({
            type: "arrow",
            x: 100,
            y: 500,
            width: 150,
            height: 0,
            points: [
              [0, 0],
              [150, 0],
            ],
          }),
          element({ type: "text", x: 100, y: 600, width: 200, height: 30, text: "Mitochondria ✓", fontSize: 28, strokeColor: "#000000" }),
          // Deleted: not drawn.
          element({
            type: "freedraw",
            x: 100,
            y: 700,
            points: [
              [0, 0],
              [200, 0],
            ],
            isDeleted: true,
          }),
        ],
      ],
      [
        2,
        [
          element({
            type: "line",
            x: 50,
            y: 50,
            width: 0,
            height: 300,
            points: [
              [0, 0],
              [0, 300],
            ],
          }),
        ],
      ],
      // Pages the document does not have are ignored.
      [
        9,
        [
          element({
            type: "line",
            x: 10,
            y: 10,
            points: [
              [0, 0],
              [5, 5],
            ],
          }),
        ],
      ],
    ]);
    const out = await annotatePdf(pdf, pages);
    expect((await PDFDocument.load(out)).getPageCount()).toBe(2);

    const page1 = await rasterize(out, 1);
    expect([page1.width, page1.height]).toEqual([612, 792]);
    for (const x of [110, 150, 200, 250, 290]) expect(isRed(page1.rgbAt(x, 150)), `stroke at (${x}, 150): ${page1.rgbAt(x, 150)}`).toBe(true);
    // Not mirrored: nothing at the flipped place, nor just off the stroke.
    expect(white(page1.rgbAt(200, 792 - 150))).toBe(true);
    expect(white(page1.rgbAt(200, 165))).toBe(true);
    // The rectangle is an outline: its edges are blue, its inside is paper.
    expect(blue(page1.rgbAt(100, 350)), `${page1.rgbAt(100, 350)}`).toBe(true);
    expect(blue(page1.rgbAt(200, 300)), `${page1.rgbAt(200, 300)}`).toBe(true);
    expect(white(page1.rgbAt(200, 350))).toBe(true);
    // The ellipse's left and right ends, the diamond's top corner, the arrow's shaft.
    expect(blue(page1.rgbAt(350, 330)), `${page1.rgbAt(350, 330)}`).toBe(true);
    expect(blue(page1.rgbAt(450, 330)), `${page1.rgbAt(450, 330)}`).toBe(true);
    expect(white(page1.rgbAt(400, 330))).toBe(true);
    expect(isRed(page1.rgbAt(400, 451))).toBe(true);
    expect(isRed(page1.rgbAt(175, 500))).toBe(true);
    // The text is dark somewhere along its first line; the deleted stroke left nothing.
    let dark = 0;
    for (let x = 100; x < 300; x++) for (let y = 600; y < 630; y++) if (page1.rgbAt(x, y)[0] < 80) dark++;
    expect(dark).toBeGreaterThan(50);
    for (const x of [120, 200, 280]) expect(white(page1.rgbAt(x, 700))).toBe(true);

    const page2 = await rasterize(out, 2);
    expect(isRed(page2.rgbAt(50, 200))).toBe(true);
    expect(white(page2.rgbAt(50, 792 - 200))).toBe(true);
  });
});

describe("turned elements", () => {
  it("turns strokes and shapes by their angle about their centre, as Excalidraw shows them", async () => {
    const quarter = Math.PI / 2;
    const out = await annotatePdf(
      await makePdf(1),
      new Map([
        [
          1,
          [
            // A horizontal line (100, 400)–(300, 400) turned a quarter: vertical at x = 200, y 300–500.
            element({
              type: "line",
              x: 100,
              y: 400,
              width: 200,
              height: 0,
              points: [
                [0, 0],
                [200, 0],
              ],
              angle: quarter,
            }),
            // A 200 × 50 rectangle at (350, 100) turned a quarter: 50 × 200 about (450, 125), x 425–475, y 25–225.
            element({ type: "rectangle", x: 350, y: 100, width: 200, height: 50, strokeColor: "#1971c2", angle: quarter }),
          ],
        ],
      ]),
    );
    const page = await rasterize(out, 1);
    for (const y of [310, 400, 490]) expect(isRed(page.rgbAt(200, y)), `(200, ${y}): ${page.rgbAt(200, y)}`).toBe(true);
    for (const x of [120, 280]) expect(white(page.rgbAt(x, 400)), `(${x}, 400)`).toBe(true);
    expect(blue(page.rgbAt(425, 125)), `${page.rgbAt(425, 125)}`).toBe(true);
    expect(blue(page.rgbAt(450, 25)), `${page.rgbAt(450, 25)}`).toBe(true);
    expect(white(page.rgbAt(360, 100)), "the unturned corner").toBe(true);
    expect(white(page.rgbAt(450, 125)), "inside").toBe(true);
  });
});

describe("the annotated export of a stored material", () => {
  let testApp: TestApp;
  let teacher: Person;
  beforeAll(async () => {
    testApp = await createTestApp({ VTP_MEDIA: "off" });
    teacher = await person(testApp, "teacher", "Teacher");
  });
  afterAll(async () => testApp?.close());

  it("reads the drawings through the board's port and draws a red stroke on the right page", async () => {
    const room = await createRoom(testApp, teacher);
    const created = await upload(testApp, teacher, room.id, await makePdf(3, { size: [842, 595] }), PDF_TYPE);
    const materialId = created.json().material.id;

    const asked: string[] = [];
    const drawings: BoardDrawings = {
      async pageElementsOfSurface(roomId, surfaceId) {
        asked.push(`${roomId}/${surfaceId}`);
        return new Map([
          [
            2,
            [
              element({
                type: "freedraw",
                x: 400,
                y: 100,
                points: [
                  [0, 0],
                  [0, 200],
                ],
              }),
            ],
          ],
        ]);
      },
    };
    const services = testApp.app.ctx as Services;
    const service = new MaterialService({
      repo: new MaterialsRepo(services.db),
      storage: new LocalStorage(path.join(testApp.dataDir, "materials")),
      converter: new SofficeConverter(undefined, 1000, pino({ level: "silent" })),
      settings: testApp.config.materials,
      out: services.signalling.out,
      log: pino({ level: "silent" }),
      drawings: () => drawings,
    });
    const { bytes } = await service.annotated(room.id, materialId);
    expect(asked).toEqual([`${room.id}/${materialId}`]);
    const page2 = await rasterize(bytes, 2);
    expect([page2.width, page2.height]).toEqual([842, 595]);
    expect(isRed(page2.rgbAt(400, 200)), `${page2.rgbAt(400, 200)}`).toBe(true);
    expect(white(page2.rgbAt(400, 595 - 200))).toBe(true);
    const page1 = await rasterize(bytes, 1);
    expect(white(page1.rgbAt(400, 200))).toBe(true);

    // Through the route (the app's own port): a PDF of the same pages, as an attachment.
    const res = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/materials/${materialId}/annotated.pdf`, headers: teacher.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(String(res.headers["content-disposition"])).toMatch(/^attachment; filename=".*\(annotated\)\.pdf"/);
    expect((await PDFDocument.load(res.rawPayload)).getPageCount()).toBe(3);
  });
});

describe("the annotated export with the board", () => {
  it("a red stroke the host draws on page 2 over the socket is red in annotated.pdf, on page 2 only", async () => {
    const { t: app, url } = await listeningApp({ VTP_MEDIA: "off" });
    try {
      const teacher = await person(app, "teacher", "Teacher");
      const student = await person(app, "student", "Student");
      const room = await createRoom(app, teacher);
      const material = (await upload(app, teacher, room.id, await makePdf(2), PDF_TYPE)).json().material;
      const host = (await joined(url, teacher, room.id)).c;
      const studentClient = (await joined(url, student, room.id)).c;
      try {
        const stroke = {
          ...element({
            type: "freedraw",
            x: 300,
            y: 200,
            width: 0,
            height: 200,
            points: [
              [0, 0],
              [0, 100],
              [0, 200],
            ],
          }),
          id: "red-stroke",
          version: 3,
          versionNonce: 11,
        };
        const ack = await host.emit("board-draw", { roomId: room.id, surfaceId: material.id, page: 2, elements: [stroke] as never });
        expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
        const res = await app.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/materials/${material.id}/annotated.pdf`, headers: student.auth });
        expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
        const page2 = await rasterize(res.rawPayload, 2);
        for (const y of [210, 300, 390]) expect(isRed(page2.rgbAt(300, y)), `(300, ${y}): ${page2.rgbAt(300, y)}`).toBe(true);
        expect(white(page2.rgbAt(300, 792 - 250))).toBe(true);
        const page1 = await rasterize(res.rawPayload, 1);
        expect(white(page1.rgbAt(300, 300))).toBe(true);
      } finally {
        host.close();
        studentClient.close();
      }
    } finally {
      await app.close();
    }
  });
});
