import type { ExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import { BOARD_ELEMENT_JSON_MAX, BOARD_POINTS_MAX } from "@vtp/protocol";

export type PointsElement = ExcalidrawElement & { points: readonly (readonly [number, number])[]; pressures?: readonly number[] };

/** Whether an element has more points than the server takes in one element. */
export function tooManyPoints(element: ExcalidrawElement): element is PointsElement {
  return "points" in element && element.points.length > BOARD_POINTS_MAX;
}

const encoder = new TextEncoder();
const jsonBytes = (element: ExcalidrawElement) => encoder.encode(JSON.stringify(element)).length;

/**
 * A point costs at most ~60 bytes of JSON (two full-precision coordinates and a pressure), so a
 * stroke of fewer points than this fits BOARD_ELEMENT_JSON_MAX and is not measured.
 */
const POINTS_ALWAYS_FITTING = 1000;

/**
 * Whether a finished stroke must become several to reach the others: more points than the server
 * takes, or more bytes (on a zoomed board the points are fractions, ~40 bytes each, so a stroke of
 * 1,600 points can pass the element size limit long before the point limit).
 */
export function needsSplit(element: ExcalidrawElement, maxBytes = BOARD_ELEMENT_JSON_MAX): element is PointsElement {
  if (!("points" in element) || element.points.length <= POINTS_ALWAYS_FITTING) return false;
  if (element.points.length > BOARD_POINTS_MAX) return true;
  // Measured once per version (the scene is looked at on every change).
  const key = `${element.id}:${element.version}:${element.versionNonce}:${maxBytes}`;
  let over = measured.get(key);
  if (over === undefined) {
    over = jsonBytes(element) > maxBytes;
    if (measured.size > 500) measured.clear();
    measured.set(key, over);
  }
  return over;
}
const measured = new Map<string, boolean>();

/** `splitStroke` with pieces that fit both limits: points per piece from the stroke's bytes per point. */
export function splitToFit(element: PointsElement, maxBytes = BOARD_ELEMENT_JSON_MAX): ExcalidrawElement[] {
  const perPiece = Math.floor((element.points.length * maxBytes * 0.8) / jsonBytes(element));
  let max = Math.max(2, Math.min(BOARD_POINTS_MAX, perPiece));
  let pieces = splitStroke(element, max);
  while (max > 2 && pieces.some((piece) => jsonBytes(piece) > maxBytes)) {
    max = Math.max(2, Math.floor(max / 2));
    pieces = splitStroke(element, max);
  }
  return pieces;
}

const randomNonce = () => Math.floor(Math.random() * 2 ** 31);

/** A new element id the server accepts (`BOARD_ELEMENT_ID_PATTERN`). */
const newId = () => crypto.randomUUID().replaceAll("-", "");

/**
 * A finished stroke of more than BOARD_POINTS_MAX points as consecutive strokes of at most that
 * many (each starts where the previous ended, so they join): the first keeps the element's id,
 * the others get new ids; each piece's points are relative to its own x/y as Excalidraw's are.
 * The pieces replace the stroke in the scene, so what is here is what everyone gets.
 */
export function splitStroke(element: PointsElement, max = BOARD_POINTS_MAX): ExcalidrawElement[] {
  const pieces: ExcalidrawElement[] = [];
  const points = element.points;
  for (let start = 0; start < points.length - 1 || start === 0; start += max - 1) {
    const chunk = points.slice(start, start + max);
    const [originX, originY] = chunk[0] ?? [0, 0];
    const rebased = chunk.map(([px, py]) => [px - originX, py - originY] as [number, number]);
    const xs = rebased.map((point) => point[0]);
    const ys = rebased.map((point) => point[1]);
    const piece = {
      ...element,
      id: start === 0 ? element.id : newId(),
      x: element.x + originX,
      y: element.y + originY,
      points: rebased,
      width: Math.max(...xs) - Math.min(...xs),
      height: Math.max(...ys) - Math.min(...ys),
      version: element.version + 1,
      versionNonce: randomNonce(),
      updated: Date.now(),
      ...(element.pressures && element.pressures.length > 0 ? { pressures: element.pressures.slice(start, start + chunk.length) } : {}),
    };
    pieces.push(piece as unknown as ExcalidrawElement);
    if (start + max >= points.length) break;
  }
  return pieces;
}
