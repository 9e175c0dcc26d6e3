import { degrees, LineCapStyle, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts, type RGB } from "pdf-lib";

/**
 * What the export reads of a board element (the protocol's `BoardElement`: Excalidraw's element
 * JSON). On a document page, x/y are PDF points from the page's top-left corner, y downwards;
 * `points` are relative to (x, y).
 */
export interface BoardElementLike {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  strokeColor: string;
  backgroundColor?: string;
  strokeWidth: number;
  opacity: number;
  isDeleted?: boolean;
  points?: readonly (readonly [number, number])[];
  text?: string;
  fontSize?: number;
  /** Radians, clockwise on the screen, about the element's centre. */
  angle?: number;
}

type Point = readonly [number, number];

/** The board's drawings as the export needs them: the live elements of every page of a surface (a material). */
export interface BoardDrawings {
  pageElementsOfSurface(roomId: string, surfaceId: string): Promise<Map<number, BoardElementLike[]>>;
}

/** No board (yet): no drawings. */
export const NO_DRAWINGS: BoardDrawings = { pageElementsOfSurface: async () => new Map() };

/** The PDF with each page's elements drawn on it (pdf-lib; vector strokes, Helvetica text). */
export async function annotatePdf(pdf: Uint8Array, pages: Map<number, readonly BoardElementLike[]>): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  let font: PDFFont | undefined;
  const count = doc.getPageCount();
  for (const [pageNumber, elements] of pages) {
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > count) continue;
    const page = doc.getPage(pageNumber - 1);
    for (const element of elements) {
      if (element.isDeleted) continue;
      if (element.type === "text" && !font) font = await doc.embedFont(StandardFonts.Helvetica);
      drawElement(page, element, font);
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Scene (top-left origin, y down) → the page's PDF space (bottom-left origin, y up) over its crop box. */
function origin(page: PDFPage, sceneX: number, sceneY: number): { x: number; y: number } {
  const box = page.getCropBox();
  return { x: box.x + sceneX, y: box.y + box.height - sceneY };
}

export function drawElement(page: PDFPage, element: BoardElementLike, font?: PDFFont): void {
  const color = colorOf(element.strokeColor);
  const fill = element.backgroundColor ? colorOf(element.backgroundColor) : undefined;
  const opacity = clamp(Number.isFinite(element.opacity) ? element.opacity / 100 : 1, 0, 1);
  const width = clamp(Number.isFinite(element.strokeWidth) ? element.strokeWidth : 1, 0.1, 100);
  if (![element.x, element.y, element.width, element.height].every(Number.isFinite)) return;
  const at = origin(page, element.x, element.y);
  // pdf-lib draws a black outline when given no colour at all.
  if (!color && !fill) return;
  const shape = { x: at.x, y: at.y, borderColor: color, borderOpacity: opacity, borderLineCap: LineCapStyle.Round, color: fill, opacity };
  switch (element.type) {
    case "freedraw":
    case "line":
    case "arrow": {
      if (!color) return;
      const given = (element.points ?? []).filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
      const points = turn(given, element, boundsCentre(given));
      const first = points[0];
      if (!first) return;
      const path = points.length === 1 ? dot(first, width) : polyline(points);
      // Excalidraw draws freehand strokes wider than their strokeWidth (a pressure outline).
      const borderWidth = element.type === "freedraw" ? width * 2 : width;
      page.drawSvgPath(element.type === "arrow" ? `${path} ${arrowHead(points, width)}` : path, { ...shape, color: undefined, borderWidth });
      return;
    }
    case "rectangle": {
      const across = element.width;
      const down = element.height;
      page.drawSvgPath(
        polygon(
          turn(
            [
              [0, 0],
              [across, 0],
              [across, down],
              [0, down],
            ],
            element,
          ),
        ),
        { ...shape, borderWidth: width },
      );
      return;
    }
    case "diamond": {
      const across = element.width;
      const down = element.height;
      page.drawSvgPath(
        polygon(
          turn(
            [
              [across / 2, 0],
              [across, down / 2],
              [across / 2, down],
              [0, down / 2],
            ],
            element,
          ),
        ),
        { ...shape, borderWidth: width },
      );
      return;
    }
    case "ellipse": {
      if (element.angle) {
        const around = Array.from({ length: 72 }, (_unused, i): Point => {
          const step = (i / 72) * 2 * Math.PI;
          return [element.width / 2 + (element.width / 2) * Math.cos(step), element.height / 2 + (element.height / 2) * Math.sin(step)];
        });
        page.drawSvgPath(polygon(turn(around, element)), { ...shape, borderWidth: width });
        return;
      }
      const center = origin(page, element.x + element.width / 2, element.y + element.height / 2);
      page.drawEllipse({
        x: center.x,
        y: center.y,
        xScale: Math.abs(element.width) / 2,
        yScale: Math.abs(element.height) / 2,
        borderColor: color,
        borderOpacity: opacity,
        borderWidth: width,
        color: fill,
        opacity,
      });
      return;
    }
    case "text": {
      if (!font || !color || !element.text) return;
      const size = clamp(element.fontSize && Number.isFinite(element.fontSize) ? element.fontSize : 20, 1, 400);
      const lineHeight = size * 1.25;
      const angle = Number.isFinite(element.angle) ? (element.angle ?? 0) : 0;
      element.text.split("\n").forEach((line, i) => {
        const printable = encodable(font, line);
        if (!printable) return;
        // Each line's baseline start, turned with the text box about its centre; the glyphs turn with it.
        const [start] = turn([[0, i * lineHeight + size]], element);
        const baseline = origin(page, element.x + (start?.[0] ?? 0), element.y + (start?.[1] ?? 0));
        page.drawText(printable, { x: baseline.x, y: baseline.y, size, font, color, opacity, rotate: degrees((-angle * 180) / Math.PI) });
      });
      return;
    }
    default:
      return;
  }
}

/** Element-local points turned by the element's angle (clockwise on the screen) about `centre` (default: the element box's centre). */
function turn(points: readonly Point[], element: BoardElementLike, centre: Point = [element.width / 2, element.height / 2]): Point[] {
  const angle = element.angle;
  if (!angle || !Number.isFinite(angle)) return [...points];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const [cx, cy] = centre;
  return points.map(([px, py]): Point => [cx + (px - cx) * cos - (py - cy) * sin, cy + (px - cx) * sin + (py - cy) * cos]);
}

/** The middle of the points' bounds: where Excalidraw turns a line or a freehand stroke about. */
function boundsCentre(points: readonly Point[]): Point {
  if (points.length === 0) return [0, 0];
  const xs = points.map(([px]) => px);
  const ys = points.map(([, py]) => py);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

function polygon(points: readonly Point[]): string {
  return `${polyline(points)} Z`;
}

function polyline(points: readonly (readonly [number, number])[]): string {
  return points.map(([px, py], i) => `${i === 0 ? "M" : "L"} ${px} ${py}`).join(" ");
}

/** A one-point stroke: a tiny segment, which a round cap turns into a dot. */
function dot([px, py]: readonly [number, number], width: number): string {
  return `M ${px} ${py} L ${px + width / 10} ${py}`;
}

/** Two short strokes at the last point, back along the last segment. */
function arrowHead(points: readonly (readonly [number, number])[], width: number): string {
  const tip = points[points.length - 1] ?? [0, 0];
  const from = points[points.length - 2] ?? [tip[0] - 1, tip[1]];
  const angle = Math.atan2(tip[1] - from[1], tip[0] - from[0]);
  const length = Math.max(10, width * 6);
  const wing = (turn: number) => `M ${tip[0]} ${tip[1]} L ${tip[0] - length * Math.cos(angle + turn)} ${tip[1] - length * Math.sin(angle + turn)}`;
  return `${wing(Math.PI / 7)} ${wing(-Math.PI / 7)}`;
}

/** Helvetica (WinAnsi) cannot show every character: the others become "?". */
function encodable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return Array.from(text, (ch) => (supported.has(ch.codePointAt(0) ?? 0) ? ch : "?")).join("");
}

const NAMED: Record<string, string> = { black: "#000000", white: "#ffffff", red: "#ff0000", green: "#008000", blue: "#0000ff", yellow: "#ffff00" };

/** `#rgb`, `#rrggbb` (`#rrggbbaa`: alpha ignored) or a few names; transparent and anything else: undefined. */
export function colorOf(value: string | undefined): RGB | undefined {
  if (!value) return undefined;
  const hex = NAMED[value.toLowerCase()] ?? value;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(?:[0-9a-f]{2})?$/i.exec(hex);
  const parts = short ? short.slice(1).map((d) => d + d) : long?.slice(1, 4);
  if (!parts) return undefined;
  const [red, green, blue] = parts.map((part) => Number.parseInt(part, 16) / 255) as [number, number, number];
  return rgb(red, green, blue);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
