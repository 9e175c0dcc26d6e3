import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";
import { opsOf, storedElements, stroke } from "./helpers.js";

/**
 * What a stroke costs the server: rapid updates of one element from one drawer are merged into
 * fewer writes (each caller's ack still comes after its version is stored), the others get the
 * newest version, and the history keeps a few versions of a growing stroke and always its last.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

type DrawOp = { seq: number; kind: string; payload: { elements?: { id: string; points: unknown[] }[] } };

describe("the cost of a stroke", () => {
  it("40 rapid updates of one stroke: every ack is ok, fewer writes than updates, the student ends with the last version, the history holds its first and last versions but not all 40", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const student = (await joined(url, ann, room.id)).c;
    clients.push(host, student);
    const roomId = room.id;
    expect((await host.emit("board-present", { roomId, surfaceId: "whiteboard" })).ok).toBe(true);
    await student.waitFor("board-stage");

    const updates = Array.from({ length: 40 }, (_unused, index) => stroke("long", index + 1));
    const acks = await Promise.all(updates.map((element) => host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [element] })));
    for (const ack of acks) expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
    // Every ack counts its element as kept (its version or a newer one of it is stored).
    expect(acks.every((ack) => ack.accepted === 1)).toBe(true);
    const writes = new Set(acks.map((ack) => ack.seq));
    expect(writes.size).toBeLessThan(updates.length);
    const lastSeq = Math.max(...writes);

    const got = await student.waitFor("board-elements", (event) => event.seq === lastSeq);
    expect(got.elements[0]).toMatchObject({ id: "long", version: 40 });
    expect(got.elements[0]?.points).toHaveLength(40);
    const rows = await storedElements(testApp, roomId);
    expect(rows.map((row) => [row.element_id, Number(row.version)])).toEqual([["long", 40]]);

    // The history: draws in seq order, the first version first, the last version (40 points) last, fewer than the writes.
    let draws: DrawOp[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      draws = ((await opsOf(testApp, roomId)) as DrawOp[]).filter((op) => op.kind === "draw");
      if (draws.at(-1)?.payload.elements?.[0]?.points.length === 40) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(draws.at(-1)?.payload.elements?.[0]?.points).toHaveLength(40);
    expect(draws[0]?.payload.elements?.[0]?.points).toHaveLength(1);
    expect(draws.length).toBeLessThanOrEqual(writes.size);
    expect(draws.length).toBeLessThan(updates.length);
    expect(draws.map((op) => op.seq)).toEqual([...draws.map((op) => op.seq)].sort((a, b) => a - b));

    // A page cleared after the stroke: the history's clear comes after the stroke's last version.
    const cleared = await host.emit("board-clear", { roomId, surfaceId: "whiteboard", page: 1 });
    expect(cleared.ok).toBe(true);
    const ops = await opsOf(testApp, roomId);
    expect(ops.at(-1)).toMatchObject({ kind: "clear", seq: cleared.seq });
    expect(cleared.seq).toBeGreaterThan(draws.at(-1)?.seq ?? Number.POSITIVE_INFINITY);
  });
});
