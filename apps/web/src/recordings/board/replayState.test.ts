import { describe, expect, it } from "vitest";
import type { BoardElement, BoardStageDto, RecordingBoardOpDto, RecordingBoardResponse } from "@vtp/protocol";
import { BoardReplayState, POINTER_SHOWN_MS, slideMoments, wins } from "./replayState";

const DOC = "7b0c3f2e-1111-4222-8333-444455556666";

const stage = (surfaceId: string | null, page: number): BoardStageDto => ({
  roomId: "r1",
  surfaceId,
  page,
  presenterId: null,
  drawPolicy: "host-only",
  allowedUserIds: [],
  layout: "side-by-side",
  whiteboardPages: 1,
  seq: 0,
});

const element = (id: string, version: number, versionNonce: number, extra: Partial<BoardElement> = {}): BoardElement => ({
  id,
  type: "freedraw",
  version,
  versionNonce,
  isDeleted: false,
  x: 0,
  y: 0,
  width: 10,
  height: 10,
  strokeColor: "#e03131",
  backgroundColor: "transparent",
  strokeWidth: 2,
  opacity: 100,
  points: [
    [0, 0],
    [10, 10],
  ],
  ...extra,
});

let seq = 0;
const op = (offsetMs: number, kind: RecordingBoardOpDto["kind"], payload: Record<string, unknown>): RecordingBoardOpDto => ({
  seq: ++seq,
  at: new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString(),
  offsetMs,
  kind,
  payload,
});
const draw = (offsetMs: number, page: number, ...elements: BoardElement[]) => op(offsetMs, "draw", { surfaceId: DOC, page, elements, authorId: "u1" });

/** A class: slide 1 shown at 1 s, a stroke growing at 2 s and 3 s, a pointer at 3.2 s, page 2 at 5 s, slide 1 cleared at 6 s, board off at 8 s. */
function lesson(): RecordingBoardResponse {
  seq = 0;
  return {
    materials: [],
    stage: null,
    pages: [{ surfaceId: "whiteboard", page: 1, elements: [element("old", 3, 5)] }],
    ops: [
      // Listed out of order on purpose: the replay sorts by offset.
      op(5000, "turn", { stage: stage(DOC, 2) }),
      op(1000, "present", { stage: stage(DOC, 1) }),
      draw(2000, 1, element("s1", 1, 10)),
      draw(3000, 1, element("s1", 2, 10, { width: 40 })),
      op(3200, "pointer", { userId: "u1", name: "Tina", surfaceId: DOC, page: 1, x: 50, y: 60 }),
      op(6000, "clear", { surfaceId: DOC, page: 1 }),
      op(8000, "present", { stage: stage(null, 2) }),
    ],
  };
}

describe("the board replay's state", () => {
  it("applies last-writer-wins like the server: a higher version, or the same version with a lower nonce", () => {
    expect(wins(element("a", 2, 9), element("a", 1, 1))).toBe(true);
    expect(wins(element("a", 1, 9), element("a", 2, 1))).toBe(false);
    expect(wins(element("a", 2, 3), element("a", 2, 7))).toBe(true);
    expect(wins(element("a", 2, 7), element("a", 2, 3))).toBe(false);
    expect(wins(element("a", 1, 1), undefined)).toBe(true);
  });

  it("shows the board at the recording's start, then each op at its offset while playing forward", () => {
    const replay = new BoardReplayState(lesson());
    expect(replay.used).toBe(true);
    replay.seek(0);
    expect(replay.shown).toBeNull();
    expect(replay.elementsOf("whiteboard", 1).map((e) => e.id)).toEqual(["old"]);
    expect(replay.seek(1000)).toBe(true);
    expect(replay.shown).toEqual({ surfaceId: DOC, page: 1 });
    expect(replay.elementsOf(DOC, 1)).toEqual([]);
    replay.seek(2500);
    expect(replay.elementsOf(DOC, 1).map((e) => [e.id, e.version])).toEqual([["s1", 1]]);
    replay.seek(3600);
    expect(replay.elementsOf(DOC, 1).map((e) => [e.id, e.version, e.width])).toEqual([["s1", 2, 40]]);
    expect(replay.pointersShown()).toEqual([{ userId: "u1", name: "Tina", surfaceId: DOC, page: 1, x: 50, y: 60 }]);
    // The pointer is transient.
    expect(replay.seek(3200 + POINTER_SHOWN_MS + 1)).toBe(false);
    expect(replay.pointersShown()).toEqual([]);
    replay.seek(5000);
    expect(replay.shown).toEqual({ surfaceId: DOC, page: 2 });
    expect(replay.elementsOf(DOC, 1)).toHaveLength(1);
    replay.seek(6000);
    expect(replay.elementsOf(DOC, 1)).toEqual([]);
    replay.seek(9000);
    expect(replay.shown).toBeNull();
  });

  it("recomputes from the start on a backwards seek", () => {
    const replay = new BoardReplayState(lesson());
    replay.seek(9000);
    expect(replay.elementsOf(DOC, 1)).toEqual([]);
    expect(replay.seek(2500)).toBe(true);
    expect(replay.shown).toEqual({ surfaceId: DOC, page: 1 });
    expect(replay.elementsOf(DOC, 1).map((e) => e.version)).toEqual([1]);
    expect(replay.seek(500)).toBe(true);
    expect(replay.shown).toBeNull();
    expect(replay.elementsOf(DOC, 1)).toEqual([]);
  });

  it("keeps the winner when an older change arrives later, hides deleted elements, and clears every page on clear-all", () => {
    seq = 0;
    const replay = new BoardReplayState({
      materials: [],
      stage: stage("whiteboard", 1),
      pages: [{ surfaceId: DOC, page: 3, elements: [element("x", 1, 1)] }],
      ops: [
        op(100, "draw", { surfaceId: "whiteboard", page: 1, elements: [element("a", 3, 5), element("b", 1, 1)] }),
        op(200, "draw", { surfaceId: "whiteboard", page: 1, elements: [element("a", 2, 1), element("a", 3, 9)] }),
        op(300, "draw", { surfaceId: "whiteboard", page: 1, elements: [element("b", 2, 1, { isDeleted: true })] }),
        op(400, "clear", { all: true }),
      ],
    });
    replay.seek(250);
    expect(replay.elementsOf("whiteboard", 1).map((e) => [e.id, e.version, e.versionNonce])).toEqual([
      ["a", 3, 5],
      ["b", 1, 1],
    ]);
    replay.seek(300);
    expect(replay.elementsOf("whiteboard", 1).map((e) => e.id)).toEqual(["a"]);
    expect(replay.elementsOf(DOC, 3)).toHaveLength(1);
    replay.seek(400);
    expect(replay.elementsOf("whiteboard", 1)).toEqual([]);
    expect(replay.elementsOf(DOC, 3)).toEqual([]);
  });

  it("puts slide changes on the timeline with the page and the document's title", () => {
    const titles = new Map([[DOC, "Photosynthesis"]]);
    const moments = slideMoments(lesson(), "2026-01-01T00:00:00.000Z", titles);
    expect(moments.map((m) => [m.kind, m.offsetMs, m.label])).toEqual([
      ["slide", 1000, "Slide 1 — Photosynthesis"],
      ["slide", 5000, "Slide 2 — Photosynthesis"],
    ]);
    expect(moments[0]?.createdAt).toBe("2026-01-01T00:00:01.000Z");
    expect(slideMoments(lesson(), "2026-01-01T00:00:00.000Z", new Map())[0]?.label).toBe("Slide 1 — Document");
  });

  it("has nothing to show for a class that never used the board", () => {
    const replay = new BoardReplayState({ stage: null, pages: [], ops: [], materials: [] });
    expect(replay.used).toBe(false);
    expect(replay.seek(1000)).toBe(false);
    expect(replay.shown).toBeNull();
  });
});
