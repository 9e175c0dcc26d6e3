import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PDFDocument, PDFName, PDFString, rgb, StandardFonts } from "pdf-lib";
import type { TestApp } from "../../helpers/app.js";
import type { Person } from "../rooms/helpers.js";

const run = promisify(execFile);

export const PDF_TYPE = "application/pdf";
export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
export const ODP_TYPE = "application/vnd.oasis.opendocument.presentation";

/** A PDF of `pages` US-letter pages, each with its number written on it. */
export async function makePdf(pages: number, opts: { size?: [number, number] } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage(opts.size ?? [612, 792]);
    page.drawText(`Page ${i}`, { x: 72, y: 700, size: 24, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save());
}

/** A PDF whose catalog runs JavaScript on open (/OpenAction, /Names /JavaScript, /AA) and whose page and a link annotation have actions too. */
export async function makeScriptedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText("Scripted", { x: 72, y: 700, size: 24 });
  const context = doc.context;
  const js = (code: string) => context.register(context.obj({ Type: "Action", S: "JavaScript", JS: PDFString.of(code) }));
  doc.catalog.set(PDFName.of("OpenAction"), js("app.alert('open')"));
  doc.catalog.set(PDFName.of("AA"), context.obj({ WC: js("app.alert('close')") }));
  const names = context.obj({ Names: [PDFString.of("hello"), js("app.alert('names')")] });
  doc.catalog.set(PDFName.of("Names"), context.obj({ JavaScript: context.register(names) }));
  page.node.set(PDFName.of("AA"), context.obj({ O: js("app.alert('page')") }));
  const link = context.register(
    context.obj({ Type: "Annot", Subtype: "Link", Rect: [72, 600, 300, 640], Border: [0, 0, 0], A: js("app.launchURL('http://evil.test')") }),
  );
  page.node.set(PDFName.of("Annots"), context.obj([link]));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A PDF whose trailer says it is encrypted (the standard security handler). */
export async function makeEncryptedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([612, 792]);
  const context = doc.context;
  context.trailerInfo.Encrypt = context.register(
    context.obj({ Filter: "Standard", V: 1, R: 2, O: PDFString.of("x".repeat(32)), U: PDFString.of("y".repeat(32)), P: -4 }),
  );
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export async function upload(
  testApp: TestApp,
  who: Person | undefined,
  roomId: string,
  body: Buffer | string,
  contentType: string,
  fileName = "slides.pdf",
  query = "",
) {
  return testApp.app.inject({
    method: "POST",
    url: `/api/v1/rooms/${roomId}/materials${query}`,
    headers: { ...(who?.auth ?? {}), "content-type": contentType, "x-file-name": encodeURIComponent(fileName) },
    payload: body,
  });
}

/** Renders one page with pdftoppm (PPM, 72 dpi: one pixel per PDF point) and reads its pixels. */
export async function rasterize(
  pdf: Buffer,
  page = 1,
  dpi = 72,
): Promise<{ width: number; height: number; rgbAt(x: number, y: number): [number, number, number] }> {
  const dir = await mkdtemp(path.join(tmpdir(), "vtp-raster-"));
  try {
    const input = path.join(dir, "in.pdf");
    await writeFile(input, pdf);
    await run("pdftoppm", ["-r", String(dpi), "-f", String(page), "-l", String(page), "-singlefile", input, path.join(dir, "page")]);
    return parsePpm(await readFile(path.join(dir, "page.ppm")));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parsePpm(bytes: Buffer) {
  // "P6\n<width> <height>\n255\n" then RGB triplets.
  const header = bytes.subarray(0, 64).toString("latin1");
  const match = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(header);
  if (!match) throw new Error("not a binary PPM");
  const width = Number(match[1]);
  const height = Number(match[2]);
  const offset = match[0].length;
  return {
    width,
    height,
    rgbAt(x: number, y: number): [number, number, number] {
      const at = offset + (Math.round(y) * width + Math.round(x)) * 3;
      return [bytes[at] ?? -1, bytes[at + 1] ?? -1, bytes[at + 2] ?? -1];
    },
  };
}

/** Whether a pixel is clearly red (a red stroke on white paper). */
export const isRed = ([red, green, blue]: [number, number, number]) => red > 180 && green < 90 && blue < 90;
