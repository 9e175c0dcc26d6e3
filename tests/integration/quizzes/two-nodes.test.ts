import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VtpProcess } from "../../helpers/process.js";
import { Cluster } from "../signalling/cluster.js";

/**
 * Quizzes on two real `vtp start` processes sharing one PostgreSQL database and one Redis: a
 * student's submissions through both servers count once, every student gets their score
 * whichever server they are on, and the teacher's results count everyone.
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

describe("quizzes across two app servers", () => {
  it("students on both servers submit; a student's tabs on both servers count once; scores reach every student", async () => {
    const teacher = await cluster.account(nodeA, "Teacher", "teacher");
    const room = (await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Two servers" }, teacher.token)).body.room;
    const host = await join(nodeA, teacher.token, room.id, "host@A");
    const students = await Promise.all(Array.from({ length: 4 }, (_unused, i) => cluster.account(i % 2 ? nodeB : nodeA, `Student${i}`, "student")));
    const clients = await Promise.all(students.map((student, i) => join(i % 2 ? nodeB : nodeA, student.token, room.id, `s${i}`)));

    const quiz = { title: "Check", questions: [{ text: "Right?", kind: "yes-no" as const, correct: [0], points: 2 }] };
    const quizId = (await host.emit("quiz-create", { roomId: room.id, quiz, open: true })).quiz.id;
    await Promise.all(clients.map((client) => client.waitFor("quiz-updated", (event) => event.quiz.id === quizId)));
    // Even students right, odd ones wrong; all at once through both servers.
    const acks = await Promise.all(clients.map((client, i) => client.emit("quiz-submit", { roomId: room.id, quizId, answers: [[i % 2]] })));
    expect(acks.every((ack) => ack.ok)).toBe(true);

    // Student 1 (on B) opens a second tab on A and corrects the answer there.
    const secondTab = await join(nodeA, students[1]!.token, room.id, "s1@A");
    expect((await secondTab.emit("quiz-submit", { roomId: room.id, quizId, answers: [[0]] })).ok).toBe(true);
    await host.waitFor("quiz-results", (event) => event.results.quizId === quizId && event.results.submitted === 4);

    const closed = await host.emit("quiz-close", { roomId: room.id, quizId });
    expect(closed.results).toMatchObject({ submitted: 4, average: 1.5, correctPercent: [75] });
    expect((await cluster.query("select user_id from quiz_submissions where quiz_id = $1", [quizId])).length).toBe(4);
    const score = await secondTab.waitFor("quiz-score", (event) => event.submission.quizId === quizId);
    expect(score.submission.score).toBe(2);
    for (const [i, client] of clients.entries()) {
      if (i === 1) continue; // replaced by its second tab
      const own = await client.waitFor("quiz-score", (event) => event.submission.quizId === quizId);
      expect(own.submission.score, `s${i}`).toBe(i % 2 ? 0 : 2);
    }
  }, 60_000);
});
