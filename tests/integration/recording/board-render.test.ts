import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import type { RecordingBoardResponse } from "@vtp/protocol";
import { BoardTimeline, PdfPages, drawBoard, boardSpans } from "../../../apps/server/src/recording/board/index.js";
import type { TestApp } from "../../helpers/app.js";
import { capturedFor } from "../../helpers/recording.js";
import { lumaStd, NON_UNIFORM_STD, tileRegion } from "../../helpers/media-content.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { colourDistance, element, isRed, meanOf, pdftoppm, redStroke, twoPagePdf, videoFrame, PAGE_COLOURS } from "./board-drawing.js";
import { SocketPublisher } from "./socket-publisher.js";
import { composedDuringClass, waitProcessed } from "./wait.js";

const hasPoppler = spawnSync("pdftoppm", ["-v"], { stdio: "ignore" }).status === 0;
if (!hasPoppler && process.env.CI === "true") throw new Error("pdftoppm (poppler-utils) is required for the board rendering tests in CI");
if (!hasPoppler) console.warn("SKIP board rendering test: pdftoppm is not installed (apt-get install poppler-utils)");

const dir = mkdtempSync(path.join(os.tmpdir(), "vtp-board-render-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stage = (surfaceId: string | null, page = 1) => ({
  roomId: "room",
  surfaceId,
  page,
  presenterId: null,
  drawPolicy: "host-only" as const,
  allowedUserIds: [],
  layout: "camera-tile" as const,
  whiteboardPages: 1,
  seq: 1,
});

/** Draws the board at `t` (ms) and gives the frame back as pixels read from its PNG encoding. */
async function frameAt(timeline: BoardTimeline, pdf: PdfPages, t: number) {
  timeline.advance(t);
  const canvas = createCanvas(1280, 720);
  await drawBoard(canvas.getContext("2d"), timeline, pdf, t);
  const png = await canvas.encode("png");
  const decoded = createCanvas(1280, 720);
  const ctx = decoded.getContext("2d");
  ctx.drawImage(await loadImage(png), 0, 0);
  return { width: 1280, rgb: Buffer.from(ctx.getImageData(0, 0, 1280, 720).data), channels: 4 };
}
const box = (x: number, y: number, w = 8, h = 8) => ({ x: x - w / 2, y: y - h / 2, w, h });

describe.skipIf(!hasPoppler)("drawing the board for the recording (no browser)", () => {
  it("draws a whiteboard page's elements where they are in the scene, with their colours, and the laser pointer for a second", async () => {
    const board: RecordingBoardResponse = {
      materials: [],
      stage: stage("whiteboard"),
      pages: [
        {
          surfaceId: "whiteboard",
          page: 1,
          elements: [
            redStroke(100, 100, 300, 8),
            element("rectangle", { x: 500, y: 100, width: 200, height: 120, strokeColor: "#1971c2", backgroundColor: "#a5d8ff", strokeWidth: 4 }),
            element("ellipse", { x: 800, y: 100, width: 200, height: 120, strokeColor: "#2f9e44", backgroundColor: "#2f9e44" }),
            element("arrow", {
              x: 100,
              y: 400,
              width: 400,
              height: 0,
              points: [
                [0, 0],
                [400, 0],
              ],
              strokeColor: "#000000",
              strokeWidth: 4,
            }),
            element("text", { x: 700, y: 400, width: 300, height: 60, text: "Hello", fontSize: 48, strokeColor: "#000000" }),
            element("diamond", { x: 100, y: 500, width: 100, height: 100, strokeColor: "#000000", backgroundColor: "#f08c00", opacity: 100 }),
          ],
        },
      ],
      ops: [
        {
          seq: 2,
          at: "2026-01-01T00:00:00.500Z",
          offsetMs: 500,
          kind: "pointer",
          payload: { userId: "u", name: "T", surfaceId: "whiteboard", page: 1, x: 1100, y: 600 },
        },
      ],
    };
    const timeline = new BoardTimeline(board);
    const pdf = new PdfPages(async () => undefined, { width: 1280, height: 720 });
    const before = await frameAt(timeline, pdf, 0);
    // The stroke (a band along y≈100 from x=100 to 400), not above or below it.
    for (const x of [130, 250, 370]) expect(isRed(meanOf(before, box(x, 101, 4, 4))), `stroke at x=${x}`).toBe(true);
    expect(colourDistance(meanOf(before, box(250, 140)), [255, 255, 255])).toBeLessThan(10);
    // The rectangle's fill and outline, the ellipse's fill, the diamond's fill.
    expect(colourDistance(meanOf(before, box(600, 160)), [0xa5, 0xd8, 0xff])).toBeLessThan(10);
    expect(colourDistance(meanOf(before, box(500, 160, 2, 2)), [0x19, 0x71, 0xc2])).toBeLessThan(30);
    expect(colourDistance(meanOf(before, box(900, 160)), [0x2f, 0x9e, 0x44])).toBeLessThan(10);
    expect(colourDistance(meanOf(before, box(150, 550)), [0xf0, 0x8c, 0x00])).toBeLessThan(10);
    // The arrow's shaft is dark; the text draws dark pixels inside its box.
    expect(Math.max(...meanOf(before, box(250, 400, 4, 2)))).toBeLessThan(60);
    expect(Math.min(...meanOf(before, { x: 700, y: 400, w: 150, h: 60 }))).toBeLessThan(230);
    // No pointer yet; a red dot from its sample for about a second.
    expect(isRed(meanOf(before, box(1100, 600, 6, 6)))).toBe(false);
    expect(isRed(meanOf(await frameAt(timeline, pdf, 600), box(1100, 600, 6, 6)))).toBe(true);
    expect(isRed(meanOf(await frameAt(timeline, pdf, 1600), box(1100, 600, 6, 6)))).toBe(false);
    await pdf.close();
  });

  it("draws a document's page like poppler rasterizes it, fitted to the frame, with a stroke in PDF points over it", async () => {
    const bytes = await twoPagePdf();
    const pdfFile = path.join(dir, "slides.pdf");
    writeFileSync(pdfFile, bytes);
    const material = "6c1f2a5e-7a53-4a7e-9f0e-3d2d2b0f6a11";
    // 800×600 pt fitted to 720 px high: 1.2 px per point, 960 px wide, 160 px from the left.
    const stroke = redStroke(100, 300, 200, 6);
    const board: RecordingBoardResponse = {
      materials: [{ id: material, title: "Slides", pages: 1 }],
      stage: stage(material, 1),
      pages: [],
      ops: [
        { seq: 2, at: "2026-01-01T00:00:01Z", offsetMs: 1000, kind: "draw", payload: { surfaceId: material, page: 1, authorId: "u", elements: [stroke] } },
        { seq: 3, at: "2026-01-01T00:00:02Z", offsetMs: 2000, kind: "turn", payload: { stage: stage(material, 2) } },
        { seq: 4, at: "2026-01-01T00:00:03Z", offsetMs: 3000, kind: "present", payload: { stage: stage(null, 2) } },
      ],
    };
    expect(boardSpans(board, 5000)).toEqual([{ startMs: 0, endMs: 3000 }]);
    const timeline = new BoardTimeline(board);
    const pdf = new PdfPages(async (surfaceId) => (surfaceId === material ? bytes : undefined), { width: 1280, height: 720 });
    const page = { left: 160, scale: 1.2 };
    const reference = [await pdftoppm(pdfFile, 1, 960, dir), await pdftoppm(pdfFile, 2, 960, dir)];
    const regions = [
      { x: 20, y: 20, w: 200, h: 60 },
      { x: 700, y: 500, w: 200, h: 150 },
      { x: 80, y: 100, w: 400, h: 80 },
    ];
    const matches = (frame: Awaited<ReturnType<typeof frameAt>>, pageIndex: number) => {
      for (const region of regions) {
        const ours = meanOf(frame, { ...region, x: region.x + page.left });
        const theirs = meanOf(reference[pageIndex], region);
        expect(colourDistance(ours, theirs), `page ${pageIndex + 1} at ${JSON.stringify(region)}: ${ours} vs ${theirs}`).toBeLessThan(12);
      }
      // Outside the page: the backdrop, not the page's colour.
      expect(
        colourDistance(
          meanOf(frame, box(60, 360)),
          PAGE_COLOURS[pageIndex].map((value) => value * 255),
        ),
      ).toBeGreaterThan(50);
    };
    const strokeAt = { x: page.left + (100 + 100) * page.scale, y: 300 * page.scale };
    const first = await frameAt(timeline, pdf, 500);
    matches(first, 0);
    expect(isRed(meanOf(first, box(strokeAt.x, strokeAt.y, 4, 4))), "no stroke before it was drawn").toBe(false);
    const drawn = await frameAt(timeline, pdf, 1500);
    matches(drawn, 0);
    expect(isRed(meanOf(drawn, box(strokeAt.x, strokeAt.y, 4, 4))), "the stroke once drawn").toBe(true);
    const second = await frameAt(timeline, pdf, 2500);
    matches(second, 1);
    expect(isRed(meanOf(second, box(strokeAt.x, strokeAt.y, 4, 4))), "page 2 has no stroke").toBe(false);
    await pdf.close();
  });
});

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");

describe.skipIf(!hasFfmpeg || !hasPoppler)("a recorded class that used the board", () => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  const clients: TestClient[] = [];
  let pub: SocketPublisher | undefined;

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "54000", RTC_MAX_PORT: "54999", RECORDING_COMPOSE_LIVE: "true" }));
    teacher = await person(testApp, "teacher", "Tina Teacher");
  });
  afterAll(async () => {
    await pub?.close();
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("shows the slide, the stroke from when it was drawn, the next page, and the teacher's camera as a tile", async () => {
    const room = await createRoom(testApp, teacher, { title: "Geometry" });
    const host = (await joined(url, teacher, room.id)).c;
    clients.push(host);
    pub = new SocketPublisher(host);
    await pub.publish(["camera", "microphone"]);
    const bytes = await twoPagePdf();
    const pdfFile = path.join(dir, "class.pdf");
    writeFileSync(pdfFile, bytes);

    const start = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId: room.id } });
    expect(start.statusCode, start.body).toBe(201);
    const recordingId: string = start.json().recording.id;
    const service = testApp.app.recording.service;
    await capturedFor(service, recordingId, 3000);

    // The teacher uploads the slides during the class, shows page 1, draws, turns to page 2.
    const upload = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${room.id}/materials`,
      headers: { ...teacher.auth, "content-type": "application/pdf", "x-file-name": "class.pdf" },
      payload: Buffer.from(bytes),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const materialId: string = upload.json().material.id;
    const shown = await host.emit("board-present", { roomId: room.id, surfaceId: materialId, page: 1 });
    expect(shown.ok, JSON.stringify(shown.error)).toBe(true);
    await capturedFor(service, recordingId, 7000);
    const stroke = redStroke(100, 300, 200, 6);
    const drawn = await host.emit("board-draw", { roomId: room.id, surfaceId: materialId, page: 1, elements: [stroke] });
    expect(drawn, JSON.stringify(drawn)).toMatchObject({ ok: true, accepted: 1 });
    await capturedFor(service, recordingId, 11_000);
    expect((await host.emit("board-turn", { roomId: room.id, page: 2 })).ok).toBe(true);
    await capturedFor(service, recordingId, 15_000);
    const stop = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/stop`, headers: teacher.auth });
    expect(stop.statusCode, stop.body).toBe(200);

    const rec = await waitProcessed(testApp, recordingId, teacher.auth);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("ready");
    // The board was drawn window by window while the class ran (recording/progressive/).
    expect(await composedDuringClass(testApp, recordingId)).toBe(true);
    // When each thing happened on the recording's clock: the replay route's own offsets.
    const history = (await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/board`, headers: teacher.auth })).json();
    const offset = (kind: string) => history.ops.find((op: { kind: string }) => op.kind === kind).offsetMs / 1000;
    const [presentAt, drawAt, turnAt] = [offset("present"), offset("draw"), offset("turn")];
    const duration = (Date.parse(rec.stoppedAt) - Date.parse(rec.startedAt)) / 1000;
    expect(presentAt).toBeGreaterThan(1);
    expect(drawAt - presentAt).toBeGreaterThan(1.5);
    expect(turnAt - drawAt).toBeGreaterThan(1.5);
    expect(duration - turnAt).toBeGreaterThan(1.5);

    const mp4 = path.join(dir, "recording.mp4");
    writeFileSync(mp4, (await testApp.app.inject({ method: "GET", url: rec.urls.download })).rawPayload);
    const reference = [await pdftoppm(pdfFile, 1, 960, dir), await pdftoppm(pdfFile, 2, 960, dir)];
    const left = 160;
    const scale = 1.2;
    const strokeAt = box(left + 200 * scale, 300 * scale, 6, 6);
    const regions = [
      { x: 20, y: 20, w: 200, h: 60 },
      { x: 600, y: 420, w: 200, h: 120 },
      { x: 80, y: 100, w: 400, h: 80 },
    ];
    const showsPage = (frame: { width: number; rgb: Buffer }, index: number) =>
      regions
        .map((region) => ({ ours: meanOf(frame, { ...region, x: region.x + left }), theirs: meanOf(reference[index], region), region }))
        .filter((sample) => colourDistance(sample.ours, sample.theirs) >= 25)
        .map((sample) => `page ${index + 1} ${JSON.stringify(sample.region)}: ${sample.ours.map(Math.round)} vs ${sample.theirs.map(Math.round)}`);
    const tile = tileRegion(0);

    const beforeBoard = await videoFrame(mp4, presentAt / 2);
    expect(showsPage(beforeBoard, 0).length, "before the board: the teacher's camera, not the slide").toBeGreaterThan(0);
    const slide = await videoFrame(mp4, (presentAt + drawAt) / 2);
    expect(showsPage(slide, 0)).toEqual([]);
    expect(isRed(meanOf(slide, strokeAt)), "no stroke before it was drawn").toBe(false);
    const annotated = await videoFrame(mp4, (drawAt + turnAt) / 2);
    expect(showsPage(annotated, 0)).toEqual([]);
    expect(isRed(meanOf(annotated, strokeAt)), `the stroke where it was drawn: ${meanOf(annotated, strokeAt)}`).toBe(true);
    const next = await videoFrame(mp4, (turnAt + duration) / 2);
    expect(showsPage(next, 1)).toEqual([]);
    expect(isRed(meanOf(next, strokeAt)), "page 2 has no stroke").toBe(false);
    // The teacher's camera as a tile while the board is on the stage (the test pattern, not a flat frame).
    for (const frame of [slide, annotated, next]) expect(lumaStd({ ...frame, t: 0 }, tile)).toBeGreaterThan(NON_UNIFORM_STD);
  });
});
