import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";
import { addMaterial, deleteMaterialRow, opsOf, storedElements, stroke } from "./helpers.js";

/**
 * The class board over real sockets, as the teacher and students of one live class see it:
 * presenting, strokes reaching everyone while drawn (with their author), a late joiner and a
 * reconnecting student reading the same page, who may draw under each policy, pages and
 * materials, clearing.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person, cara: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
  ben = await person(testApp, "student", "Ben");
  cara = await person(testApp, "student", "Cara");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

async function classWithStudents() {
  const room = await createRoom(testApp, teacher);
  const host = (await joined(url, teacher, room.id)).c;
  const annClient = (await joined(url, ann, room.id)).c;
  const benClient = (await joined(url, ben, room.id)).c;
  clients.push(host, annClient, benClient);
  return { roomId: room.id, host, annClient, benClient };
}

describe("the class board", () => {
  it("the teacher presents the whiteboard and draws; both students receive the stroke as it grows, with the teacher's name; a late joiner and a reconnecting student read the same page", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    const fresh = await annClient.emit("board-state", { roomId });
    expect(fresh.stage).toMatchObject({ roomId, surfaceId: null, page: 1, presenterId: null, drawPolicy: "host-only", whiteboardPages: 1, seq: 0 });

    const presented = await host.emit("board-present", { roomId, surfaceId: "whiteboard" });
    expect(presented.ok, JSON.stringify(presented.error)).toBe(true);
    expect((await annClient.waitFor("board-stage")).stage).toMatchObject({ surfaceId: "whiteboard", page: 1 });
    await benClient.waitFor("board-stage");

    // The stroke grows while drawn: three updates of the same element.
    let lastSeq = presented.stage.seq;
    for (const points of [3, 10, 25]) {
      const ack = await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("s1", points)] });
      expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
      expect(ack.accepted).toBe(1);
      expect(ack.seq).toBeGreaterThan(lastSeq);
      lastSeq = ack.seq;
      for (const student of [annClient, benClient]) {
        const got = await student.waitFor("board-elements", (event) => event.seq === ack.seq);
        expect(got).toMatchObject({ roomId, surfaceId: "whiteboard", page: 1, authorId: teacher.user.id });
        expect(got.elements[0]?.points).toHaveLength(points);
        expect(got.elements[0]?.customData).toEqual({ authorId: teacher.user.id, authorName: "Teacher" });
      }
    }
    // Not echoed to the sender's socket.
    expect(host.has("board-elements")).toBe(false);

    const late = (await joined(url, cara, roomId)).c;
    clients.push(late);
    expect((await late.emit("board-state", { roomId })).stage).toMatchObject({ surfaceId: "whiteboard", page: 1, seq: lastSeq });
    const page = await late.emit("board-page", { roomId, surfaceId: "whiteboard", page: 1 });
    expect(page.seq).toBe(lastSeq);
    expect(page.elements).toHaveLength(1);
    expect(page.elements[0]).toMatchObject({ id: "s1", version: 25, strokeColor: "#e03131", customData: { authorName: "Teacher" } });
    expect(page.elements[0]?.points).toHaveLength(25);

    // Ann's connection drops; she comes back on a new socket and reads the same page.
    annClient.close();
    const again = (await joined(url, ann, roomId)).c;
    clients.push(again);
    expect((await again.emit("board-page", { roomId, surfaceId: "whiteboard", page: 1 })).elements).toEqual(page.elements);

    // The history has the present, the stroke's first version and (once the history's interval
    // is over) its last one, in seq order; the middle one only if it came after the interval.
    const finalKept = async () => {
      for (;;) {
        const ops = await opsOf(testApp, roomId);
        const last = ops.at(-1)?.payload as { elements?: { points: unknown[] }[] } | undefined;
        if (last?.elements?.[0]?.points.length === 25) return ops;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const ops = await finalKept();
    // (On a slow machine the updates may come further apart than the interval: then each is kept.)
    expect(ops[0]?.kind).toBe("present");
    expect(ops.slice(1).map((op) => op.kind)).toEqual(ops.slice(1).map(() => "draw"));
    expect(ops.length).toBeGreaterThanOrEqual(3);
    expect(ops.length).toBeLessThanOrEqual(4);
    expect((ops[1]?.payload as { elements?: { points: unknown[] }[] } | undefined)?.elements?.[0]?.points).toHaveLength(3);
    expect(ops.at(-1)?.seq).toBe(lastSeq);
    expect(ops.map((op) => op.seq)).toEqual([...ops.map((op) => op.seq)].sort((a, b) => a - b));
  });

  it("who may draw: nobody but the teacher under host-only (nothing stored or sent), the chosen student under chosen, everyone under everyone; students cannot present, turn, clear or change settings", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    await host.emit("board-present", { roomId, surfaceId: "whiteboard" });

    const refused = await annClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("ann-1", 5)] });
    expect(refused.error.code).toBe("NOT_ALLOWED_TO_DRAW");
    expect((await annClient.emit("board-pointer", { roomId, surfaceId: "whiteboard", page: 1, x: 1, y: 2 })).error.code).toBe("NOT_ALLOWED_TO_DRAW");
    for (const [event, payload] of [
      ["board-present", { roomId, surfaceId: null }],
      ["board-turn", { roomId, page: 1 }],
      ["board-add-page", { roomId }],
      ["board-settings", { roomId, drawPolicy: "everyone" }],
    ] as const) {
      expect((await annClient.emitRaw(event, payload)).error.code, event).toBe("FORBIDDEN");
    }
    expect((await annClient.emit("board-clear", { roomId, surfaceId: "whiteboard", page: 1 })).error.code).toBe("NOT_ALLOWED_TO_DRAW");
    expect(await storedElements(testApp, roomId)).toEqual([]);

    // Chosen: Ann may draw, Ben may not.
    const chosen = await host.emit("board-settings", { roomId, drawPolicy: "chosen", allowedUserIds: [ann.user.id] });
    expect(chosen.stage).toMatchObject({ drawPolicy: "chosen", allowedUserIds: [ann.user.id] });
    await benClient.waitFor("board-stage", (event) => event.stage.drawPolicy === "chosen");
    const annDraws = await annClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("ann-1", 5, { color: "#1971c2" })] });
    expect(annDraws.accepted).toBe(1);
    const atTeacher = await host.waitFor("board-elements", (event) => event.seq === annDraws.seq);
    expect(atTeacher.authorId).toBe(ann.user.id);
    expect(atTeacher.elements[0]?.customData).toEqual({ authorId: ann.user.id, authorName: "Ann" });
    // Ben saw no refused stroke: the first board-elements he gets is Ann's.
    const atBen = await benClient.waitFor("board-elements");
    expect(atBen.seq).toBe(annDraws.seq);
    expect((await benClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("ben-1", 5)] })).error.code).toBe(
      "NOT_ALLOWED_TO_DRAW",
    );

    // The teacher edits Ann's stroke: the author stays Ann.
    const edit = await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("ann-1", 9, { version: 50 })] });
    expect(edit.accepted).toBe(1);
    expect((await annClient.waitFor("board-elements", (event) => event.seq === edit.seq)).elements[0]?.customData).toEqual({
      authorId: ann.user.id,
      authorName: "Ann",
    });

    // Everyone: Ben draws too.
    await host.emit("board-settings", { roomId, drawPolicy: "everyone" });
    expect((await benClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("ben-1", 5)] })).accepted).toBe(1);
    const rows = await storedElements(testApp, roomId);
    expect(rows.map((row) => [row.element_id, row.element.customData])).toEqual([
      ["ann-1", { authorId: ann.user.id, authorName: "Ann" }],
      ["ben-1", { authorId: ben.user.id, authorName: "Ben" }],
    ]);

    // Ben as presenter turns pages and clears; back to host-only he still may draw (the presenter always may).
    await host.emit("board-settings", { roomId, presenterId: ben.user.id, drawPolicy: "host-only" });
    expect((await benClient.emit("board-add-page", { roomId })).stage.whiteboardPages).toBe(2);
    expect((await benClient.emit("board-turn", { roomId, page: 2 })).stage.page).toBe(2);
    expect((await benClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 2, elements: [stroke("ben-2", 4)] })).accepted).toBe(1);
    const cleared = await benClient.emit("board-clear", { roomId, surfaceId: "whiteboard", page: 1 });
    expect(cleared.ok, JSON.stringify(cleared.error)).toBe(true);
    expect(await annClient.waitFor("board-cleared", (event) => event.seq === cleared.seq)).toMatchObject({ surfaceId: "whiteboard", page: 1 });
    expect(await storedElements(testApp, roomId)).toEqual([]);
    expect((await annClient.emit("board-page", { roomId, surfaceId: "whiteboard", page: 2 })).elements.map((element) => element.id)).toEqual(["ben-2"]);
    // Ann is no presenter.
    expect((await annClient.emit("board-turn", { roomId, page: 1 })).error.code).toBe("FORBIDDEN");
  });

  it("pages and surfaces: out-of-range pages are refused, a material's pages are its own, another class's or an unknown material is refused, a deleted material's drawings go with it", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    expect((await host.emit("board-turn", { roomId, page: 1 })).error.code).toBe("CONFLICT");
    await host.emit("board-present", { roomId, surfaceId: "whiteboard" });
    expect((await host.emit("board-turn", { roomId, page: 2 })).error.code).toBe("BOARD_PAGE_OUT_OF_RANGE");
    expect((await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 2, elements: [stroke("x", 2)] })).error.code).toBe(
      "BOARD_PAGE_OUT_OF_RANGE",
    );
    expect((await annClient.emit("board-page", { roomId, surfaceId: "whiteboard", page: 3 })).error.code).toBe("BOARD_PAGE_OUT_OF_RANGE");

    const materialId = await addMaterial(testApp, roomId, 3);
    const otherRoom = await createRoom(testApp, teacher);
    const foreign = await addMaterial(testApp, otherRoom.id, 5);
    expect((await host.emit("board-present", { roomId, surfaceId: foreign })).error.code).toBe("MATERIAL_NOT_FOUND");
    expect((await host.emit("board-present", { roomId, surfaceId: crypto.randomUUID() })).error.code).toBe("MATERIAL_NOT_FOUND");
    expect((await host.emit("board-present", { roomId, surfaceId: materialId, page: 4 })).error.code).toBe("BOARD_PAGE_OUT_OF_RANGE");
    const shown = await host.emit("board-present", { roomId, surfaceId: materialId, page: 2 });
    expect(shown.stage).toMatchObject({ surfaceId: materialId, page: 2 });
    expect((await annClient.waitFor("board-stage", (event) => event.stage.surfaceId === materialId)).stage.page).toBe(2);
    expect((await host.emit("board-turn", { roomId, page: 3 })).stage.page).toBe(3);
    expect((await host.emit("board-turn", { roomId, page: 4 })).error.code).toBe("BOARD_PAGE_OUT_OF_RANGE");

    expect((await host.emit("board-draw", { roomId, surfaceId: materialId, page: 2, elements: [stroke("on-slide", 6)] })).accepted).toBe(1);
    expect((await annClient.emit("board-page", { roomId, surfaceId: materialId, page: 2 })).elements.map((element) => element.id)).toEqual(["on-slide"]);
    expect((await host.emit("board-draw", { roomId, surfaceId: foreign, page: 1, elements: [stroke("x", 2)] })).error.code).toBe("MATERIAL_NOT_FOUND");

    await deleteMaterialRow(testApp, materialId);
    expect(await storedElements(testApp, roomId, materialId, 2)).toEqual([]);
    // The stage no longer shows a deleted material.
    expect((await annClient.emit("board-state", { roomId })).stage.surfaceId).toBeNull();
  });

  it("the host clears every drawing of the class over REST (students may not); everyone on the board sees the pages cleared", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    const materialId = await addMaterial(testApp, roomId, 2);
    await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [stroke("w", 3)] });
    await host.emit("board-draw", { roomId, surfaceId: materialId, page: 2, elements: [stroke("m", 3)] });

    const byStudent = await testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${roomId}/board/drawings`, headers: ann.auth });
    expect(byStudent.statusCode).toBe(403);
    expect(await storedElements(testApp, roomId)).toHaveLength(1);

    const byHost = await testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${roomId}/board/drawings`, headers: teacher.auth });
    expect(byHost.statusCode).toBe(204);
    const first = await annClient.waitFor("board-cleared");
    const second = await annClient.waitFor("board-cleared");
    expect([`${first.surfaceId}/${first.page}`, `${second.surfaceId}/${second.page}`].sort()).toEqual([`${materialId}/2`, "whiteboard/1"].sort());
    expect(await storedElements(testApp, roomId)).toEqual([]);
    expect(await storedElements(testApp, roomId, materialId, 2)).toEqual([]);
    expect((await host.emit("board-page", { roomId, surfaceId: materialId, page: 2 })).elements).toEqual([]);
    expect((await opsOf(testApp, roomId)).at(-1)).toMatchObject({ kind: "clear", payload: { all: true } });
  });

  it("the laser pointer reaches the others and is sampled into the history, not kept on the board", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    await host.emit("board-present", { roomId, surfaceId: "whiteboard" });
    for (let i = 0; i < 20; i++) expect((await host.emit("board-pointer", { roomId, surfaceId: "whiteboard", page: 1, x: i, y: i })).ok).toBe(true);
    const moved = await annClient.waitFor("board-pointer", (event) => "x" in event && event.x === 19);
    expect(moved).toMatchObject({ roomId, userId: teacher.user.id, name: "Teacher", surfaceId: "whiteboard", page: 1 });
    expect((await host.emit("board-pointer", { roomId, hidden: true })).ok).toBe(true);
    await annClient.waitFor("board-pointer", (event) => "hidden" in event);
    const pointers = (await opsOf(testApp, roomId)).filter((op) => op.kind === "pointer");
    expect(pointers.length).toBeGreaterThanOrEqual(2);
    expect(pointers.at(-1)?.payload).toEqual({ userId: teacher.user.id, hidden: true });
    expect(await storedElements(testApp, roomId)).toEqual([]);
  });
});
