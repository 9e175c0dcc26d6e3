import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import type { BoardElement } from "@vtp/protocol";

/** Helpers of the board-in-the-recording tests: a two-page PDF, elements, pixel reading. */

const run = promisify(execFile);

/** Page colours of the test PDF (0..1 RGB): page 1 teal, page 2 orange, with a big black title each. */
export const PAGE_COLOURS: [number, number, number][] = [
  [0.1, 0.55, 0.55],
  [0.95, 0.6, 0.1],
];

/** A 4:3 (800×600 pt) two-page PDF, each page a distinct fill with a title. */
export async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  PAGE_COLOURS.forEach(([red, green, blue], i) => {
    const page = doc.addPage([800, 600]);
    page.drawRectangle({ x: 0, y: 0, width: 800, height: 600, color: rgb(red, green, blue) });
    page.drawText(`Slide ${i + 1}`, { x: 60, y: 480, size: 72, font, color: rgb(0, 0, 0) });
  });
  return doc.save();
}

/** A page of the PDF rasterized by poppler's pdftoppm (independently of pdf.js) at `width` pixels, as RGB. */
export async function pdftoppm(pdfFile: string, page: number, width: number, outDir: string): Promise<{ width: number; height: number; rgb: Buffer }> {
  const prefix = path.join(outDir, `page${page}`);
  await run("pdftoppm", ["-f", String(page), "-l", String(page), "-scale-to-x", String(width), "-scale-to-y", "-1", "-singlefile", pdfFile, prefix]);
  const ppm = readFileSync(`${prefix}.ppm`);
  // P6\n<w> <h>\n255\n<pixels>
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString("latin1"));
  if (!header) throw new Error("not a binary PPM");
  return { width: Number(header[1]), height: Number(header[2]), rgb: ppm.subarray(header[0].length) };
}

/** Mean RGB (0..255) of a region of an RGB image. */
export function meanOf(
  image: { width: number; rgb: Buffer; channels?: number },
  region: { x: number; y: number; w: number; h: number },
): [number, number, number] {
  const channels = image.channels ?? 3;
  const sum = [0, 0, 0];
  let count = 0;
  for (let y = Math.round(region.y); y < Math.round(region.y + region.h); y++) {
    for (let x = Math.round(region.x); x < Math.round(region.x + region.w); x++) {
      const at = (y * image.width + x) * channels;
      sum[0] += image.rgb[at];
      sum[1] += image.rgb[at + 1];
      sum[2] += image.rgb[at + 2];
      count++;
    }
  }
  return sum.map((value) => value / Math.max(1, count)) as [number, number, number];
}

export const isRed = ([red, green, blue]: readonly number[]) => red > 170 && green < 90 && blue < 90;
export const colourDistance = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((value, i) => Math.abs(value - b[i])));

let counter = 0;
/** An Excalidraw element with the defaults the web's board sends. */
export function element(type: BoardElement["type"], props: Partial<BoardElement>): BoardElement {
  counter++;
  return {
    id: `el-${counter}-${type}`,
    type,
    version: 1,
    versionNonce: counter,
    isDeleted: false,
    x: 0,
    y: 0,
    width: 0,
    height: 0,
    strokeColor: "#1e1e1e",
    backgroundColor: "transparent",
    strokeWidth: 2,
    opacity: 100,
    ...props,
  } as BoardElement;
}

/** A freedraw stroke along a horizontal line from (x, y), `length` scene units long. */
export function redStroke(x: number, y: number, length: number, strokeWidth = 8): BoardElement {
  const points: [number, number][] = [];
  for (let i = 0; i <= 40; i++) points.push([(length * i) / 40, Math.sin(i / 6) * 2]);
  return element("freedraw", { x, y, width: length, height: 4, points, strokeColor: "#e03131", strokeWidth, simulatePressure: true, pressures: [] });
}

/** The composed video's frame at `seconds`, full size (1280×720 RGB). */
export async function videoFrame(input: string, seconds: number): Promise<{ width: number; height: number; rgb: Buffer }> {
  const { stdout } = await run(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-ss", seconds.toFixed(3), "-i", input, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    { encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
  );
  return { width: 1280, height: 720, rgb: stdout };
}
