import { describe, expect, it, beforeAll, afterAll } from "vitest";
import type { VtpProcess } from "../../helpers/process.js";
import { Cluster } from "./cluster.js";

/**
 * Two real `vtp start` processes on two ports sharing one PostgreSQL database and one Redis
 * (Socket.IO Redis adapter + shared live state); see cluster.ts.
 */
const cluster = new Cluster();
let nodeA: VtpProcess, nodeB: VtpProcess;

beforeAll(async () => {
  await cluster.setUp();
  [nodeA, nodeB] = await Promise.all([cluster.node(), cluster.node()]);
}, 120_000);
afterAll(() => cluster.tearDown());

const api = cluster.api.bind(cluster);
const account = cluster.account.bind(cluster);

async function join(node: VtpProcess, token: string, roomId: string, name: string) {
  const c = await cluster.connect(node, token, name);
  const ack = await c.emit("join-room", { roomId });
  expect(ack.ok, `${name} joins: ${JSON.stringify(ack.error)}`).toBe(true);
  return { c, ack };
}

describe("two server processes with Redis", () => {
  it("clients on different nodes see each other's joins, chat, hands; the host removes a student on the other node", async () => {
    expect((await api(nodeA, "GET", "/api/v1/signalling/health")).body.adapter).toBe("redis");
    const teacher = await account(nodeA, "Teacher", "teacher");
    const ann = await account(nodeB, "Ann", "student");
    const ben = await account(nodeA, "Ben", "student");
    const cy = await account(nodeB, "Cy", "student");
    const room = (await api(nodeA, "POST", "/api/v1/rooms", { title: "Distributed" }, teacher.token)).body.room;

    const h = await join(nodeA, teacher.token, room.id, "host@A");
    const a = await join(nodeB, ann.token, room.id, "ann@B");
    expect(a.ack.participants.map((p) => p.name)).toEqual(["Teacher", "Ann"]);
    await h.c.waitFor("participant-joined", (e) => e.participant.name === "Ann");
    const b = await join(nodeA, ben.token, room.id, "ben@A");
    await a.c.waitFor("participant-joined", (e) => e.participant.name === "Ben");
    const c = await join(nodeB, cy.token, room.id, "cy@B");
    await h.c.waitFor("participant-joined", (e) => e.participant.name === "Cy");

    // Chat both ways, one sequence.
    const m1 = await a.c.emit("chat-send", { text: "hello from B" });
    const m2 = await h.c.emit("chat-send", { text: "hello from A" });
    expect([m1.message.seq, m2.message.seq]).toEqual([1, 2]);
    await h.c.waitFor("chat-message", (e) => e.message.text === "hello from B");
    await a.c.waitFor("chat-message", (e) => e.message.text === "hello from A");
    await c.c.waitFor("chat-message", (e) => e.message.seq === 2);

    // Hands: one queue across nodes, in raise order.
    expect((await a.c.emit("raise-hand", {})).position).toBe(1);
    expect((await b.c.emit("raise-hand", {})).position).toBe(2);
    expect((await c.c.emit("raise-hand", {})).position).toBe(3);
    const q = await h.c.waitFor("hand-queue", (e) => e.queue.length === 3);
    expect(q.queue.map((e) => e.name)).toEqual(["Ann", "Ben", "Cy"]);
    await a.c.waitFor("hand-queue", (e) => e.queue.length === 3);

    // Peer relay from a node-B participant to the node-A host.
    expect((await a.c.emit("webrtc-offer", { to: h.ack.participantId, description: { type: "offer", sdp: "v=0 cross" } })).ok).toBe(true);
    expect((await h.c.waitFor("webrtc-offer")).from).toBe(a.ack.participantId);

    // Stats on node B see everyone.
    const stats = (await api(nodeB, "GET", `/api/v1/signalling/room/stats?room_id=${room.id}`, undefined, teacher.token)).body.stats;
    expect(stats).toMatchObject({ status: "live", participantsOnline: 4, raisedHands: 3, messages: 2 });

    // The host on A removes Ann, connected to B.
    expect((await h.c.emit("remove-participant", { participantId: a.ack.participantId })).ok).toBe(true);
    await a.c.waitFor("removed", (e) => e.roomId === room.id);
    await c.c.waitFor("participant-left", (e) => e.participantId === a.ack.participantId && e.reason === "removed");
    await b.c.waitFor("hand-queue", (e) => e.queue.map((x) => x.name).join() === "Ben,Cy");
    expect((await a.c.emit("chat-send", { text: "am I in?" })).error.code).toBe("NOT_IN_ROOM");
    expect((await a.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
    await h.c.emit("chat-send", { text: "after removal" });
    await c.c.waitFor("chat-message", (e) => e.message.text === "after removal");
    expect(a.c.has("chat-message", (e) => e.message.text === "after removal")).toBe(false);

    // Cy drops from B and resumes on A within the grace period: same participant, no leave.
    c.c.close();
    await h.c.waitFor("participant-updated", (e) => e.participant.id === c.ack.participantId && !e.participant.connected);
    const c2 = await join(nodeA, cy.token, room.id, "cy@A");
    expect(c2.ack).toMatchObject({ resumed: true, participantId: c.ack.participantId });
    expect(h.c.has("participant-left", (e) => e.participantId === c.ack.participantId)).toBe(false);

    // End from node B's REST API: sockets on both nodes hear it.
    expect((await api(nodeB, "POST", `/api/v1/rooms/${room.id}/end`, undefined, teacher.token)).body.room.status).toBe("ended");
    for (const x of [h.c, b.c, c2.c]) await x.waitFor("room-ended", (e) => e.roomId === room.id);
  });
});
