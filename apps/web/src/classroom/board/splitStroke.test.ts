import { describe, expect, it } from "vitest";
import type { ExcalidrawElement } from "@excalidraw/excalidraw/element/types";
import { BOARD_ELEMENT_ID_PATTERN } from "@vtp/protocol";
import { splitStroke, tooManyPoints } from "./splitStroke";

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
