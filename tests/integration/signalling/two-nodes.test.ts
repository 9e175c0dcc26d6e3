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
  const client = await cluster.connect(node, token, name);
  const ack = await client.emit("join-room", { roomId });
  expect(ack.ok, `${name} joins: ${JSON.stringify(ack.error)}`).toBe(true);
  return { c: client, ack };
}

describe("two server processes with Redis", () => {
  it("clients on different nodes see each other's joins, chat, hands; the host removes a student on the other node", async () => {
    expect((await api(nodeA, "GET", "/api/v1/signalling/health")).body.adapter).toBe("redis");
    const teacher = await account(nodeA, "Teacher", "teacher");
    const ann = await account(nodeB, "Ann", "student");
    const ben = await account(nodeA, "Ben", "student");
    const cy = await account(nodeB, "Cy", "student");
    const room = (await api(nodeA, "POST", "/api/v1/rooms", { title: "Distributed" }, teacher.token)).body.room;

    const host = await join(nodeA, teacher.token, room.id, "host@A");
    const annOnB = await join(nodeB, ann.token, room.id, "ann@B");
    expect(annOnB.ack.participants.map((p) => p.name)).toEqual(["Teacher", "Ann"]);
    await host.c.waitFor("participant-joined", (event) => event.participant.name === "Ann");
    const benOnA = await join(nodeA, ben.token, room.id, "ben@A");
    await annOnB.c.waitFor("participant-joined", (event) => event.participant.name === "Ben");
    const cyOnB = await join(nodeB, cy.token, room.id, "cy@B");
    await host.c.waitFor("participant-joined", (event) => event.participant.name === "Cy");

    // Chat both ways, one sequence.
    const m1 = await annOnB.c.emit("chat-send", { text: "hello from B" });
    const m2 = await host.c.emit("chat-send", { text: "hello from A" });
    expect([m1.message.seq, m2.message.seq]).toEqual([1, 2]);
    await host.c.waitFor("chat-message", (event) => event.message.text === "hello from B");
    await annOnB.c.waitFor("chat-message", (event) => event.message.text === "hello from A");
    await cyOnB.c.waitFor("chat-message", (event) => event.message.seq === 2);

    // Hands: one queue across nodes, in raise order.
    expect((await annOnB.c.emit("raise-hand", {})).position).toBe(1);
    expect((await benOnA.c.emit("raise-hand", {})).position).toBe(2);
    expect((await cyOnB.c.emit("raise-hand", {})).position).toBe(3);
    const queue = await host.c.waitFor("hand-queue", (event) => event.queue.length === 3);
    expect(queue.queue.map((e) => e.name)).toEqual(["Ann", "Ben", "Cy"]);
    await annOnB.c.waitFor("hand-queue", (event) => event.queue.length === 3);

    // Peer relay from a node-B participant to the node-A host.
    expect((await annOnB.c.emit("webrtc-offer", { to: host.ack.participantId, description: { type: "offer", sdp: "v=0 cross" } })).ok).toBe(true);
    expect((await host.c.waitFor("webrtc-offer")).from).toBe(annOnB.ack.participantId);

    // Stats on node B see everyone.
    const stats = (await api(nodeB, "GET", `/api/v1/signalling/room/stats?room_id=${room.id}`, undefined, teacher.token)).body.stats;
    expect(stats).toMatchObject({ status: "live", participantsOnline: 4, raisedHands: 3, messages: 2 });

    // The host on A removes Ann, connected to B.
    expect((await host.c.emit("remove-participant", { participantId: annOnB.ack.participantId })).ok).toBe(true);
    await annOnB.c.waitFor("removed", (event) => event.roomId === room.id);
    await cyOnB.c.waitFor("participant-left", (event) => event.participantId === annOnB.ack.participantId && event.reason === "removed");
    await benOnA.c.waitFor("hand-queue", (event) => event.queue.map((x) => x.name).join() === "Ben,Cy");
    expect((await annOnB.c.emit("chat-send", { text: "am I in?" })).error.code).toBe("NOT_IN_ROOM");
    expect((await annOnB.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
    await host.c.emit("chat-send", { text: "after removal" });
    await cyOnB.c.waitFor("chat-message", (event) => event.message.text === "after removal");
    expect(annOnB.c.has("chat-message", (event) => event.message.text === "after removal")).toBe(false);

    // Cy drops from B and resumes on A within the grace period: same participant, no leave.
    cyOnB.c.close();
    await host.c.waitFor("participant-updated", (event) => event.participant.id === cyOnB.ack.participantId && !event.participant.connected);
    const c2 = await join(nodeA, cy.token, room.id, "cy@A");
    expect(c2.ack).toMatchObject({ resumed: true, participantId: cyOnB.ack.participantId });
    expect(host.c.has("participant-left", (event) => event.participantId === cyOnB.ack.participantId)).toBe(false);

    // End from node B's REST API: sockets on both nodes hear it.
    expect((await api(nodeB, "POST", `/api/v1/rooms/${room.id}/end`, undefined, teacher.token)).body.room.status).toBe("ended");
    for (const x of [host.c, benOnA.c, c2.c]) await x.waitFor("room-ended", (event) => event.roomId === room.id);
  });
});
