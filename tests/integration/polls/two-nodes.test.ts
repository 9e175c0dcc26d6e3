import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VtpProcess } from "../../helpers/process.js";
import { Cluster } from "../signalling/cluster.js";

/**
 * Polls on two real `vtp start` processes sharing one PostgreSQL database and one Redis
 * (see ../signalling/cluster.ts): answers through either server count once per student, live
 * results reach the teacher whichever server took the answer, and a timed poll opened on a
 * server that dies is closed by the other.
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

describe("polls across two app servers", () => {
  it("students on both servers answer; a student's tabs on both servers count once; the teacher's live results count everyone", async () => {
    const teacher = await cluster.account(nodeA, "Teacher", "teacher");
    const room = (await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Two servers" }, teacher.token)).body.room;
    const host = await join(nodeA, teacher.token, room.id, "host@A");
    const students = await Promise.all(Array.from({ length: 6 }, (_unused, i) => cluster.account(i % 2 ? nodeB : nodeA, `Student${i}`, "student")));
    const clients = await Promise.all(students.map((student, i) => join(i % 2 ? nodeB : nodeA, student.token, room.id, `s${i}`)));

    for (const anonymous of [false, true]) {
      const ask = await host.emit("poll-create", { roomId: room.id, poll: { question: "Pick", kind: "single", options: ["a", "b"], anonymous }, open: true });
      const pollId = ask.poll.id;
      await Promise.all(clients.map((client) => client.waitFor("poll-updated", (event) => event.poll.id === pollId)));
      // Everyone at once, through both servers.
      const acks = await Promise.all(clients.map((client, i) => client.emit("poll-answer", { roomId: room.id, pollId, choices: [i % 2] })));
      expect(acks.every((ack) => ack.ok)).toBe(true);
      await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.counts.join() === "3,3");

      // Student 0 (on A) opens a second tab on B, answers there, then rejoins on A and answers again.
      const secondTab = await join(nodeB, students[0]!.token, room.id, "s0@B");
      expect((await secondTab.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);
      expect((await clients[0]!.emit("join-room", { roomId: room.id })).ok).toBe(true);
      expect((await clients[0]!.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);
      secondTab.close();
      const live = await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.counts.join() === "2,4");
      expect(live.results.answered).toBe(6);

      const closed = await host.emit("poll-close", { roomId: room.id, pollId });
      expect(closed.results).toMatchObject({ answered: 6, counts: [2, 4] });
      const rows = await cluster.query("select voter, user_id from poll_answers where poll_id = $1", [pollId]);
      expect(rows).toHaveLength(6);
      if (anonymous) for (const student of students) expect(JSON.stringify(rows)).not.toContain(student.id);
    }
  }, 60_000);

  it("a timed poll opened on a server that dies is closed by the other server, and the class is told", async () => {
    const teacher = await cluster.account(nodeB, "Teacher2", "teacher");
    const student = await cluster.account(nodeB, "Late", "student");
    const room = (await cluster.api(nodeB, "POST", "/api/v1/rooms", { title: "Timer" }, teacher.token)).body.room;
    const host = await join(nodeA, teacher.token, room.id, "host@A");
    const onB = await join(nodeB, student.token, room.id, "student@B");
    const poll = (await host.emit("poll-create", { roomId: room.id, poll: { question: "Quick", kind: "yes-no", durationSeconds: 10 }, open: true })).poll;
    await onB.waitFor("poll-updated", (event) => event.poll.id === poll.id);
    await nodeA.stop("SIGKILL");
    const closed = await onB.waitFor("poll-updated", (event) => event.poll.id === poll.id && event.poll.status === "closed", 30_000);
    expect(closed.poll.closedAt).toBe(poll.closesAt);
    expect((await onB.emit("poll-answer", { roomId: room.id, pollId: poll.id, choices: [0] })).error.code).toBe("POLL_NOT_OPEN");
  }, 60_000);
});
