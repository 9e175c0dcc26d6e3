import { describe, expect, it, vi } from "vitest";
import type { BoardElement } from "@vtp/protocol";

// Excalidraw's merge helpers need a DOM; here they are stand-ins (restore keeps the elements as
// they are, reconcile keeps the higher version): the engine's own rules are what is tested.
vi.mock("@excalidraw/excalidraw", () => ({
  CaptureUpdateAction: { NEVER: "NEVER" },
  restoreElements: (elements: unknown[]) => elements,
  reconcileElements: (local: { id: string; version: number }[], remote: { id: string; version: number }[]) => {
    const byId = new Map(local.map((element) => [element.id, element]));
    for (const element of remote) if ((byId.get(element.id)?.version ?? -1) < element.version) byId.set(element.id, element);
    return [...byId.values()];
  },
}));

const { BoardSync, DRAW_THROTTLE_MS } = await import("./sync");

type Element = { id: string; type: string; version: number; isDeleted: boolean; points?: [number, number][] };
const stroke = (id: string, version = 1): Element => ({
  id,
  type: "freedraw",
  version,
  isDeleted: false,
  points: [
    [0, 0],
    [5, 5],
  ],
});

function board() {
  let scene: Element[] = [];
  const api = {
    getSceneElementsIncludingDeleted: () => scene,
    getAppState: () => ({ newElement: null }),
    updateScene: ({ elements }: { elements?: Element[] }) => {
      if (elements) scene = [...elements];
    },
    history: { clear: () => {} },
  };
  const sent: { key: { surfaceId: string; page: number }; ids: string[] }[] = [];
  const sync = new BoardSync(
    api as never,
    async (key, elements) => void sent.push({ key, ids: elements.map((element) => element.id) }),
    (err) => {
      throw err;
    },
  );
  sync.canDraw = true;
  return {
    sync,
    sent,
    draw: (element: Element) => {
      scene = [...scene, element];
    },
    ids: () => scene.map((element) => element.id),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, DRAW_THROTTLE_MS * 3));
const page1 = { surfaceId: "whiteboard", page: 1 };
const page2 = { surfaceId: "whiteboard", page: 2 };

describe("BoardSync: what is drawn while a page loads", () => {
  it("a stroke begun before the first page arrived stays on the board and is sent", async () => {
    const { sync, sent, draw, ids } = board();
    sync.loading();
    draw(stroke("mine"));
    sync.changed(); // nothing goes out while loading (no page yet)
    sync.replace(page1, [stroke("theirs", 3) as unknown as BoardElement], 7);
    expect(ids().sort()).toEqual(["mine", "theirs"]);
    await settle();
    expect(sent).toEqual([{ key: page1, ids: ["mine"] }]);
  });

  it("on another page, the page left is gone and what was drawn meanwhile is kept for the new page", async () => {
    const { sync, sent, draw, ids } = board();
    sync.loading();
    sync.replace(page1, [stroke("old", 2) as unknown as BoardElement], 1);
    draw(stroke("on-page-1"));
    sync.changed();
    await settle();
    sync.loading();
    draw(stroke("on-page-2"));
    sync.replace(page2, [], 4);
    expect(ids()).toEqual(["on-page-2"]);
    await settle();
    expect(sent).toEqual([
      { key: page1, ids: ["on-page-1"] },
      { key: page2, ids: ["on-page-2"] },
    ]);
  });
});
