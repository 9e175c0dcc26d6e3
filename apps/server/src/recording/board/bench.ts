/**
 * `npm run bench:board-render` (apps/server/bin/vtp-bench-board-render.js): not a test. How fast
 * the processing job draws the class board into a recording (`renderBoardVideo`: replay, pdf.js
 * pages, Canvas 2D elements, raw frames into FFmpeg's x264), as a multiple of realtime, for a
 * board-heavy class: `--minutes` (10) of a teacher drawing all the time — a freedraw stroke
 * every 3 s sent as Excalidraw sends it while drawing (an update every 50 ms, the element with
 * its points so far, 40 updates), the laser pointer 5 times a second between strokes, a page
 * turn every minute through a 12-page PDF, the last fifth on the whiteboard with rectangles,
 * ellipses, arrows and text besides the strokes.
 * Reported: wall time, × realtime, frames sent and redrawn, this process's CPU and FFmpeg's
 * (its children, from getrusage after it exits), the board video's size.
 * Flags: --minutes 10  --fps 10
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import type { BoardElement, RecordingBoardOpDto, RecordingBoardResponse } from "@vtp/protocol";
import { renderBoardVideo } from "./render.js";

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const MINUTES = flag("minutes", 10);
const FPS = flag("fps", 10);
const MATERIAL = "0b6f8f3e-3f1c-4a3b-9d55-4f1d2a6b7c80";
const PAGES = 12;

async function slides(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let i = 0; i < PAGES; i++) {
    const page = doc.addPage([960, 540]);
    page.drawRectangle({ x: 0, y: 460, width: 960, height: 80, color: rgb(0.1, 0.3, 0.6) });
    page.drawText(`Lesson part ${i + 1}`, { x: 40, y: 480, size: 40, font: bold, color: rgb(1, 1, 1) });
    for (let line = 0; line < 10; line++)
      page.drawText(`• Point ${line + 1} of part ${i + 1}: a sentence of ordinary slide text to render`, { x: 50, y: 410 - line * 38, size: 22, font });
    page.drawCircle({ x: 800, y: 200, size: 90, borderColor: rgb(0.8, 0.2, 0.2), borderWidth: 6 });
  }
  return doc.save();
}

const base = (id: string, type: BoardElement["type"], props: Partial<BoardElement>): BoardElement =>
  ({
    id,
    type,
    version: 1,
    versionNonce: 1,
    isDeleted: false,
    x: 0,
    y: 0,
    width: 0,
    height: 0,
    strokeColor: "#e03131",
    backgroundColor: "transparent",
    strokeWidth: 2,
    opacity: 100,
    ...props,
  }) as BoardElement;

/** The history of a board-heavy class of `minutes`. */
function heavyClass(minutes: number): RecordingBoardResponse {
  const ops: RecordingBoardOpDto[] = [];
  let seq = 0;
  const op = (offsetMs: number, kind: RecordingBoardOpDto["kind"], payload: Record<string, unknown>) =>
    ops.push({ seq: ++seq, at: new Date(offsetMs).toISOString(), offsetMs: Math.round(offsetMs), kind, payload });
  const stage = (surfaceId: string | null, page: number) => ({ stage: { surfaceId, page } });
  const totalMs = minutes * 60_000;
  const whiteboardFrom = Math.round(totalMs * 0.8);
  op(0, "present", stage(MATERIAL, 1));
  let page = 1;
  let surface = MATERIAL;
  for (let strokeNo = 0, at = 500; at < totalMs - 3000; strokeNo++, at += 3000) {
    if (surface === MATERIAL && at >= whiteboardFrom) {
      surface = "whiteboard";
      page = 1;
      op(at, "present", stage("whiteboard", 1));
    } else if (surface === MATERIAL && Math.floor(at / 60_000) + 1 > page && page < PAGES) {
      page++;
      op(at, "turn", stage(MATERIAL, page));
    }
    const originX = 80 + ((strokeNo * 137) % 700);
    const originY = 80 + ((strokeNo * 89) % 380);
    const points: [number, number][] = [];
    for (let update = 1; update <= 40; update++) {
      for (let k = 0; k < 2; k++) {
        const i = points.length;
        points.push([i * 4, Math.round(Math.sin(i / 7) * 25)]);
      }
      const element = base(`s${strokeNo}`, "freedraw", {
        x: originX,
        y: originY,
        width: points.length * 4,
        height: 50,
        points: [...points],
        strokeWidth: 2 + (strokeNo % 3),
        version: update,
        strokeColor: ["#e03131", "#1971c2", "#2f9e44"][strokeNo % 3] as string,
      });
      op(at + update * 50, "draw", { surfaceId: surface, page, authorId: "t", elements: [element] });
    }
    if (surface === "whiteboard" && strokeNo % 2 === 0) {
      const shapes = [
        base(`r${strokeNo}`, "rectangle", { x: originX, y: originY + 60, width: 160, height: 90, backgroundColor: "#a5d8ff", strokeColor: "#1971c2" }),
        base(`e${strokeNo}`, "ellipse", { x: originX + 200, y: originY + 60, width: 120, height: 90, strokeColor: "#2f9e44" }),
        base(`a${strokeNo}`, "arrow", {
          x: originX,
          y: originY + 180,
          width: 200,
          height: 0,
          points: [
            [0, 0],
            [200, 20],
          ],
          strokeColor: "#1e1e1e",
        }),
        base(`t${strokeNo}`, "text", { x: originX, y: originY + 220, width: 300, height: 30, text: `Note ${strokeNo}`, fontSize: 24, strokeColor: "#1e1e1e" }),
      ];
      op(at + 2100, "draw", { surfaceId: surface, page, authorId: "t", elements: shapes });
    }
    for (let sample = 0; sample < 4; sample++)
      op(at + 2200 + sample * 200, "pointer", { userId: "t", name: "T", surfaceId: surface, page, x: originX + sample * 30, y: originY + 40 });
  }
  return { stage: null, pages: [], ops, materials: [] };
}

const pdf = await slides();
const board = heavyClass(MINUTES);
const dir = mkdtempSync(path.join(tmpdir(), "vtp-bench-board-render-"));
const output = path.join(dir, "board.mp4");
try {
  const cpu0 = process.cpuUsage();
  const children0 = process.resourceUsage();
  const started = performance.now();
  const video = await renderBoardVideo({
    board,
    durationMs: MINUTES * 60_000,
    pdfOf: async () => pdf,
    ffmpeg: process.env.FFMPEG_PATH || "ffmpeg",
    output,
    fps: FPS,
  });
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const usage = process.resourceUsage();
  void children0;
  const draws = board.ops.filter((entry) => entry.kind === "draw").length;
  const result = {
    classMinutes: MINUTES,
    fps: FPS,
    ops: board.ops.length,
    drawOps: draws,
    frames: video?.frames,
    redrawn: video?.redrawn,
    wallSeconds: Math.round(wallS * 10) / 10,
    realtimeMultiple: Math.round(((MINUTES * 60) / wallS) * 10) / 10,
    nodeCpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
    maxRssMb: Math.round(usage.maxRSS / 1024),
    videoMb: Math.round((statSync(output).size / 1e6) * 10) / 10,
    cores: cpus().length,
    load: loadavg().map((value) => Math.round(value * 100) / 100),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
