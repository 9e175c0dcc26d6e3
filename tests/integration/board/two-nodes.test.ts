import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VtpProcess } from "../../helpers/process.js";
import { Cluster } from "../signalling/cluster.js";
import { stroke } from "./helpers.js";

/**
 * The board on two real `vtp start` processes sharing one PostgreSQL database and one Redis
 * (see ../signalling/cluster.ts): a stroke from a student on one server reaches a student on the
 * other, the stage set on one is what the other reads, and strokes sent through both servers at
 * once get distinct, ordered sequence numbers from the database.
 */
const cluster = new Cluster();
let nodeA: VtpProcess, nodeB: VtpProcess;

beforeAll(async () => {
  await cluster.setUp();
  [nodeA, nodeB] = await Promise.all([cluster.node(), cluster.node()]);
}, 120_000);
afterAll(() => cluster.tearDown());

async function join(node: VtpProcess, token: string, roomId: string, name: string) {
  const client = await cluster.connect(node, token, name);
  const ack = await client.emit("join-room", { roomId });
  expect(ack.ok, `${name} joins: ${JSON.stringify(ack.error)}`).toBe(true);
  return client;
}

describe("the board across two app servers", () => {
  it("a student's stroke on one server reaches a student and the teacher on the other; the stage and the page read the same on both", async () => {
    const teacher = await cluster.account(nodeA, "Teacher", "teacher");
    const ann = await cluster.account(nodeA, "Ann", "student");
    const ben = await cluster.account(nodeB, "Ben", "student");
    const room = (await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Two servers" }, teacher.token)).body.room;
    const host = await join(nodeB, teacher.token, room.id, "host@B");
    const annOnA = await join(nodeA, ann.token, room.id, "ann@A");
    const benOnB = await join(nodeB, ben.token, room.id, "ben@B");

    const settings = await host.emit("board-settings", { roomId: room.id, drawPolicy: "everyone" });
    expect(settings.ok, JSON.stringify(settings.error)).toBe(true);
    await host.emit("board-present", { roomId: room.id, surfaceId: "whiteboard" });
    expect((await annOnA.waitFor("board-stage", (event) => event.stage.surfaceId === "whiteboard")).stage.drawPolicy).toBe("everyone");

    for (const points of [4, 12, 30]) {
      const ack = await annOnA.emit("board-draw", {
        roomId: room.id,
        surfaceId: "whiteboard",
        page: 1,
        elements: [stroke("ann-stroke", points, { color: "#2f9e44" })],
      });
      expect(ack.accepted, JSON.stringify(ack.error)).toBe(1);
      for (const client of [benOnB, host]) {
        const got = await client.waitFor("board-elements", (event) => event.seq === ack.seq);
        expect(got.authorId).toBe(ann.id);
        expect(got.elements[0]).toMatchObject({ id: "ann-stroke", strokeColor: "#2f9e44", customData: { authorId: ann.id, authorName: "Ann" } });
        expect(got.elements[0]?.points).toHaveLength(points);
      }
    }
    // The pointer is volatile but reaches the other server too.
    expect((await annOnA.emit("board-pointer", { roomId: room.id, surfaceId: "whiteboard", page: 1, x: 5, y: 6 })).ok).toBe(true);
    await benOnB.waitFor("board-pointer", (event) => event.userId === ann.id);

    // Both students at once, through both servers: distinct, increasing seqs; each gets the other's.
    const [fromA, fromB] = await Promise.all([
      annOnA.emit("board-draw", { roomId: room.id, surfaceId: "whiteboard", page: 1, elements: [stroke("a2", 5)] }),
      benOnB.emit("board-draw", { roomId: room.id, surfaceId: "whiteboard", page: 1, elements: [stroke("b2", 5)] }),
    ]);
    expect(fromA.seq).not.toBe(fromB.seq);
    await annOnA.waitFor("board-elements", (event) => event.seq === fromB.seq);
    await benOnB.waitFor("board-elements", (event) => event.seq === fromA.seq);

    const onA = await annOnA.emit("board-page", { roomId: room.id, surfaceId: "whiteboard", page: 1 });
    const onB = await benOnB.emit("board-page", { roomId: room.id, surfaceId: "whiteboard", page: 1 });
    expect(onA.elements).toEqual(onB.elements);
    expect(onA.elements.map((element) => element.id).sort()).toEqual(["a2", "ann-stroke", "b2"]);
    const rows = await cluster.query("select seq from board_ops where room_id = $1 and kind = 'draw' order by seq", [room.id]);
    expect(rows.map((row: { seq: string }) => Number(row.seq))).toEqual([...new Set(rows.map((row: { seq: string }) => Number(row.seq)))]);
  }, 90_000);
});
