import type { ExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import { BOARD_POINTS_MAX } from "@vtp/protocol";

type PointsElement = ExcalidrawElement & { points: readonly (readonly [number, number])[]; pressures?: readonly number[] };

/** Whether an element has more points than the server takes in one element. */
export function tooManyPoints(element: ExcalidrawElement): element is PointsElement {
  return "points" in element && element.points.length > BOARD_POINTS_MAX;
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
