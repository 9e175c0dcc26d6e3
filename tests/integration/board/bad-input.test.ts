import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { opsOf, storedElements, stroke } from "./helpers.js";

/**
 * Bad input that the schema lets through and the board refuses itself (the schema's own refusals
 * are covered for every event by security/bad-input-events and signalling/bad-input): an element
 * over 64 KB, a NUL or deep nesting in a passed-through property, too many elements, unknown
 * surfaces. Each is VALIDATION_FAILED (or the surface's code), nothing is stored or sent, and the
 * board still works.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off", VTP_SOCKET_EVENT_RATE: "10000/10000" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

describe("board-draw bad input beyond the schema", () => {
  it("refuses oversized, NUL-carrying and deeply nested elements, 51 elements and unknown surfaces; nothing is stored or sent; the board still works", async () => {
    const roomId = (await createRoom(testApp, teacher)).id;
    const host = (await joined(url, teacher, roomId)).c;
    const annClient = (await joined(url, ann, roomId)).c;
    clients.push(host, annClient);
    const draw = (elements: unknown, surfaceId = "whiteboard", page = 1) => host.emitRaw("board-draw", { roomId, surfaceId, page, elements });

    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const cases: [string, unknown, string][] = [
      ["over 64 KB", [{ ...stroke("big", 4), note: "x".repeat(70_000) }], "VALIDATION_FAILED"],
      ["4001 points", [{ ...stroke("many", 4), points: Array.from({ length: 4001 }, () => [0, 0]) }], "VALIDATION_FAILED"],
      ["NUL in a passed-through property", [{ ...stroke("nul", 4), fontFamily: "a\u0000b" }], "VALIDATION_FAILED"],
      ["NUL in a passed-through key", [{ ...stroke("nulkey", 4), "a\u0000b": 1 }], "VALIDATION_FAILED"],
      ["deep nesting", [{ ...stroke("deep", 4), extra: deep }], "VALIDATION_FAILED"],
      ["51 elements", Array.from({ length: 51 }, (_unused, i) => stroke(`e${i}`, 2)), "VALIDATION_FAILED"],
      ["NaN-ish coordinate", [{ ...stroke("far", 4), x: 1e300 }], "VALIDATION_FAILED"],
      ["unknown type", [{ ...stroke("img", 4), type: "image" }], "VALIDATION_FAILED"],
      ["bad id", [{ ...stroke("x", 4), id: "../../etc" }], "VALIDATION_FAILED"],
      ["huge version", [{ ...stroke("v", 4), version: 1e308 }], "VALIDATION_FAILED"],
    ];
    for (const [label, elements, code] of cases) {
      const ack = await draw(elements);
      expect(ack.ok, label).toBe(false);
      expect(ack.error.code, label).toBe(code);
    }
    expect((await draw([stroke("s", 3)], "00000000-0000-4000-8000-000000000000")).error.code).toBe("MATERIAL_NOT_FOUND");
    expect((await draw([stroke("s", 3)], "whiteboard", 2)).error.code).toBe("BOARD_PAGE_OUT_OF_RANGE");
    expect(await storedElements(testApp, roomId)).toEqual([]);
    expect(await opsOf(testApp, roomId)).toEqual([]);
    expect(annClient.has("board-elements")).toBe(false);

    // Duplicates of one id in one message: the winner is kept, once.
    const twice = await host.emit("board-draw", {
      roomId,
      surfaceId: "whiteboard",
      page: 1,
      elements: [stroke("dup", 3, { version: 4, nonce: 9 }), stroke("dup", 5, { version: 4, nonce: 2 }), stroke("dup", 2, { version: 3 })],
    });
    expect(twice.accepted).toBe(1);
    const got = await annClient.waitFor("board-elements", (event) => event.seq === twice.seq);
    expect(got.elements.map((element) => [element.id, element.versionNonce])).toEqual([["dup", 2]]);
    // An older copy later changes nothing and sends nothing.
    const stale = await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("dup", 9, { version: 3 })] });
    expect(stale).toMatchObject({ ok: true, accepted: 0, seq: twice.seq });
    expect((await annClient.emit("board-page", { roomId, surfaceId: "whiteboard", page: 1 })).elements.map((element) => element.versionNonce)).toEqual([2]);
  });
});
