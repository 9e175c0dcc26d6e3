import type { SKRSContext2D } from "@napi-rs/canvas";
import { getStroke } from "perfect-freehand";
import type { BoardElement } from "@vtp/protocol";

/**
 * Board elements (Excalidraw element JSON) drawn with Canvas 2D, in scene coordinates: the
 * caller sets the context's transform (scene → frame). Clean shapes rather than Excalidraw's
 * hand-drawn (rough.js) look; freedraw is perfect-freehand's outline with Excalidraw's own
 * options, so a stroke has the width and taper it had on the board.
 */

type Point = readonly [number, number];
const FONT_FAMILY = "DejaVu Sans, Liberation Sans, sans-serif";

const finite = (...values: unknown[]) => values.every((value) => typeof value === "number" && Number.isFinite(value));
const num = (value: unknown, fallback: number) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);

/** A CSS colour for the canvas; "transparent", empty or anything odd is none. */
function paint(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const colour = value.trim();
  if (!colour || colour === "transparent") return undefined;
  return /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9.,%\s]{5,40}\)|hsla?\([0-9.,%\sdeg]{5,40}\))$/.test(colour) ? colour : undefined;
}

function pointsOf(element: BoardElement): Point[] {
  const points = Array.isArray(element.points) ? element.points : [];
  return points.filter((point) => Array.isArray(point) && finite(point[0], point[1])) as Point[];
}

/** Excalidraw's freedraw outline (its `getFreeDrawSvgPath` options). */
export function freedrawOutline(element: BoardElement): number[][] {
  const points = pointsOf(element);
  const pressures = Array.isArray(element.pressures) ? (element.pressures as unknown[]) : [];
  const simulatePressure = element.simulatePressure !== false || pressures.length !== points.length;
  const input = simulatePressure ? points.map(([x, y]) => [x, y]) : points.map(([x, y], i) => [x, y, num(pressures[i], 0.5)]);
  if (input.length === 0) return [];
  return getStroke(input, {
    simulatePressure,
    size: num(element.strokeWidth, 1) * 4.25,
    thinning: 0.6,
    smoothing: 0.5,
    streamline: 0.5,
    easing: (t) => Math.sin((t * Math.PI) / 2),
    last: true,
  });
}

/** Fills a perfect-freehand outline the way Excalidraw does (quadratic curves through midpoints). */
function fillOutline(ctx: SKRSContext2D, outline: number[][]): void {
  if (outline.length < 2) return;
  ctx.beginPath();
  ctx.moveTo(outline[0][0], outline[0][1]);
  for (let i = 0; i < outline.length; i++) {
    const [x0, y0] = outline[i];
    const [x1, y1] = outline[(i + 1) % outline.length];
    ctx.quadraticCurveTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2);
  }
  ctx.closePath();
  ctx.fill();
}

function dash(ctx: SKRSContext2D, element: BoardElement, width: number): void {
  if (element.strokeStyle === "dashed") ctx.setLineDash([8 + width, 8 + width]);
  else if (element.strokeStyle === "dotted") ctx.setLineDash([1.5, 6 + width]);
  else ctx.setLineDash([]);
}

function arrowhead(ctx: SKRSContext2D, tip: Point, from: Point, width: number, kind: unknown): void {
  if (kind === null || kind === undefined || kind === false) return;
  const angle = Math.atan2(tip[1] - from[1], tip[0] - from[0]);
  const length = Math.min(30, Math.max(10, width * 5), Math.hypot(tip[0] - from[0], tip[1] - from[1]) || 10);
  const spread = Math.PI / 7;
  const left: Point = [tip[0] - length * Math.cos(angle - spread), tip[1] - length * Math.sin(angle - spread)];
  const right: Point = [tip[0] - length * Math.cos(angle + spread), tip[1] - length * Math.sin(angle + spread)];
  ctx.beginPath();
  if (kind === "triangle" || kind === "triangle_outline") {
    ctx.moveTo(tip[0], tip[1]);
    ctx.lineTo(left[0], left[1]);
    ctx.lineTo(right[0], right[1]);
    ctx.closePath();
    if (kind === "triangle") ctx.fill();
    ctx.stroke();
    return;
  }
  ctx.moveTo(left[0], left[1]);
  ctx.lineTo(tip[0], tip[1]);
  ctx.lineTo(right[0], right[1]);
  ctx.stroke();
}

function linear(ctx: SKRSContext2D, element: BoardElement, stroke: string | undefined, fill: string | undefined, width: number): void {
  const points = pointsOf(element);
  if (points.length < 2) return;
  ctx.beginPath();
  ctx.moveTo(points[0][0], points[0][1]);
  for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
  const first = points[0];
  const last = points[points.length - 1];
  if (fill && element.type === "line" && first[0] === last[0] && first[1] === last[1]) ctx.fill();
  if (!stroke) return;
  ctx.stroke();
  ctx.setLineDash([]);
  const startKind = element.startArrowhead;
  const endKind = element.type === "arrow" && element.endArrowhead === undefined ? "arrow" : element.endArrowhead;
  arrowhead(ctx, last, points[points.length - 2], width, endKind);
  arrowhead(ctx, first, points[1], width, startKind);
}

function text(ctx: SKRSContext2D, element: BoardElement, stroke: string | undefined): void {
  if (!stroke || typeof element.text !== "string" || !element.text) return;
  const size = Math.max(1, num(element.fontSize, 20));
  const lineHeight = size * Math.max(0.5, num(element.lineHeight, 1.25));
  const align = element.textAlign === "center" || element.textAlign === "right" ? element.textAlign : "left";
  const left = align === "center" ? element.x + element.width / 2 : align === "right" ? element.x + element.width : element.x;
  ctx.font = `${size}px ${FONT_FAMILY}`;
  ctx.textAlign = align;
  ctx.textBaseline = "middle";
  element.text.split("\n").forEach((line, i) => {
    ctx.fillText(line, left, element.y + lineHeight * i + lineHeight / 2);
  });
}

/** Draws one element (deleted ones and ones with odd numbers are skipped). */
export function drawElement(ctx: SKRSContext2D, element: BoardElement): void {
  if (element.isDeleted || !finite(element.x, element.y, element.width, element.height)) return;
  const stroke = paint(element.strokeColor);
  const fill = paint(element.backgroundColor);
  const width = Math.min(1000, Math.max(0, num(element.strokeWidth, 1)));
  const opacity = Math.min(1, Math.max(0, num(element.opacity, 100) / 100));
  if (opacity === 0) return;
  ctx.save();
  try {
    ctx.globalAlpha = opacity;
    const angle = num(element.angle, 0);
    if (angle && element.type !== "freedraw") {
      const cx = element.x + element.width / 2;
      const cy = element.y + element.height / 2;
      ctx.translate(cx, cy);
      ctx.rotate(angle);
      ctx.translate(-cx, -cy);
    }
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = stroke ?? "#000000";
    ctx.fillStyle = (element.type === "freedraw" || element.type === "text" || element.type === "arrow" ? stroke : fill) ?? "#000000";
    if (element.type === "text") {
      text(ctx, element, stroke);
      return;
    }
    if (element.type === "freedraw") {
      if (!stroke) return;
      ctx.translate(element.x, element.y);
      if (angle) {
        ctx.translate(element.width / 2, element.height / 2);
        ctx.rotate(angle);
        ctx.translate(-element.width / 2, -element.height / 2);
      }
      fillOutline(ctx, freedrawOutline(element));
      return;
    }
    dash(ctx, element, width);
    if (element.type === "line" || element.type === "arrow") {
      ctx.translate(element.x, element.y);
      if (element.type === "line" && fill) ctx.fillStyle = fill;
      linear(ctx, element, stroke, fill, width);
      return;
    }
    const { x, y, width: w, height: h } = element;
    ctx.beginPath();
    if (element.type === "rectangle") {
      const rounded = element.roundness !== null && element.roundness !== undefined;
      ctx.roundRect(x, y, w, h, rounded ? Math.min(Math.abs(w), Math.abs(h)) * 0.25 : 0);
    } else if (element.type === "ellipse") {
      ctx.ellipse(x + w / 2, y + h / 2, Math.abs(w / 2), Math.abs(h / 2), 0, 0, Math.PI * 2);
    } else if (element.type === "diamond") {
      ctx.moveTo(x + w / 2, y);
      ctx.lineTo(x + w, y + h / 2);
      ctx.lineTo(x + w / 2, y + h);
      ctx.lineTo(x, y + h / 2);
      ctx.closePath();
    } else return;
    if (fill) ctx.fill();
    if (stroke && width > 0) ctx.stroke();
  } finally {
    ctx.restore();
  }
}

/** The scene box an element covers (for the whiteboard's view). */
export function elementBounds(element: BoardElement): { minX: number; minY: number; maxX: number; maxY: number } | undefined {
  if (element.isDeleted || !finite(element.x, element.y, element.width, element.height)) return undefined;
  const pad = num(element.strokeWidth, 1) * 3;
  let minX = Math.min(element.x, element.x + element.width);
  let minY = Math.min(element.y, element.y + element.height);
  let maxX = Math.max(element.x, element.x + element.width);
  let maxY = Math.max(element.y, element.y + element.height);
  for (const [px, py] of pointsOf(element)) {
    minX = Math.min(minX, element.x + px);
    minY = Math.min(minY, element.y + py);
    maxX = Math.max(maxX, element.x + px);
    maxY = Math.max(maxY, element.y + py);
  }
  return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad };
}
