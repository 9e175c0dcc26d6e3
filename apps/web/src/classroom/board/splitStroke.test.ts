import { describe, expect, it } from "vitest";
import type { ExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import { BOARD_ELEMENT_ID_PATTERN, BOARD_ELEMENT_JSON_MAX } from "@vtp/protocol";
import { needsSplit, splitStroke, splitToFit, tooManyPoints } from "./splitStroke";

type Piece = ExcalidrawElement & { points: [number, number][]; pressures: number[] };

const stroke = (count: number) =>
  ({
    id: "stroke1",
    type: "freedraw",
    x: 100,
    y: 50,
    version: 7,
    versionNonce: 1,
    isDeleted: false,
    points: Array.from({ length: count }, (_unused, i) => [i, (i % 10) * 2] as [number, number]),
    pressures: Array.from({ length: count }, (_unused, i) => (i % 5) / 5),
  }) as unknown as Piece;

/** A piece's points in scene coordinates. */
const absolute = (piece: Piece) => piece.points.map(([px, py]) => [piece.x + px, piece.y + py]);

describe("a stroke longer than the server takes", () => {
  it("becomes consecutive strokes within the limit that draw exactly the same points, the first keeping the id", () => {
    const long = stroke(9000);
    expect(tooManyPoints(long)).toBe(true);
    const pieces = splitStroke(long, 4000) as Piece[];
    expect(pieces.map((piece) => piece.points.length)).toEqual([4000, 4000, 1002]);
    expect(pieces.every((piece) => !tooManyPoints(piece))).toBe(true);
    expect(pieces[0]?.id).toBe("stroke1");
    expect(new Set(pieces.map((piece) => piece.id)).size).toBe(3);
    for (const piece of pieces) {
      expect(piece.id).toMatch(new RegExp(BOARD_ELEMENT_ID_PATTERN));
      expect(piece.points[0]).toEqual([0, 0]);
      expect(piece.version).toBeGreaterThan(long.version);
      expect(piece.pressures).toHaveLength(piece.points.length);
    }
    // Together (each piece starts where the previous ended) they are the original points, in scene coordinates.
    const joined = pieces.flatMap((piece, index) => absolute(piece).slice(index === 0 ? 0 : 1));
    expect(joined).toEqual(absolute(long));
    expect(pieces[1]?.width).toBe(3999);
  });

  it("a stroke within the limit is left alone", () => {
    expect(tooManyPoints(stroke(4000))).toBe(false);
  });
});

describe("a stroke with more bytes than the server takes (a zoomed board: fractional points)", () => {
  const fractional = (count: number) => {
    const long = stroke(count);
    const points = long.points.map(([px, py]) => [px / 0.8734 + 0.123456789, py / 0.8734 + 0.987654321]);
    return { ...long, id: `zoomed${count}`, points } as unknown as Piece;
  };
  const bytes = (element: unknown) => new TextEncoder().encode(JSON.stringify(element)).length;

  it("is split into pieces that each fit BOARD_ELEMENT_JSON_MAX, drawing the same points", () => {
    const long = fractional(3000);
    expect(tooManyPoints(long)).toBe(false);
    expect(bytes(long)).toBeGreaterThan(BOARD_ELEMENT_JSON_MAX);
    expect(needsSplit(long)).toBe(true);
    const pieces = splitToFit(long) as Piece[];
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(BOARD_ELEMENT_JSON_MAX);
    const joined = pieces.flatMap((piece, index) => absolute(piece).slice(index === 0 ? 0 : 1));
    const original = absolute(long);
    expect(joined).toHaveLength(original.length);
    joined.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(original[i]?.[0] ?? Number.NaN, 6);
      expect(y).toBeCloseTo(original[i]?.[1] ?? Number.NaN, 6);
    });
  });

  it("a stroke that fits in points and bytes is left alone", () => {
    expect(needsSplit(stroke(3000))).toBe(false);
    expect(needsSplit(fractional(800))).toBe(false);
  });
});
