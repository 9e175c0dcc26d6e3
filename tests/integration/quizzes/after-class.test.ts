import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuizDraft } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import type { Services } from "../../../apps/server/src/compose.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * After class: a quiz with `allowAfterClass` stays open when the class ends; a student who
 * attended submits over REST until the deadline (QUIZ_DEADLINE_PASSED after), someone who did not
 * attend cannot; the deadline closes it without a live class (on read and by the sweep);
 * prepare-ahead over REST; scoresOf for the class record; the quiz goes with its class.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, stranger: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
  stranger = await person(testApp, "student", "Stranger");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

const homework = (deadline: string): QuizDraft => ({
  title: "Homework",
  allowAfterClass: true,
  deadline,
  questions: [
    { text: "2 + 2?", kind: "single", options: ["3", "4"], correct: [1], points: 2 },
    { text: "Is the sky blue?", kind: "yes-no", correct: [0] },
  ],
});
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const quizzesOf = () => (testApp.app.ctx as Services).quizzes;

const rest = (who: Person, method: "GET" | "POST" | "PUT" | "DELETE", path: string, payload?: object) =>
  testApp.app.inject({ method, url: `/api/v1/rooms/${path}`, headers: who.auth, ...(payload ? { payload } : {}) });

/** A class the host prepared a quiz for over REST, opened it in class with Ann there, then ended. */
async function endedClassWithQuiz(draft: QuizDraft) {
  const room = await createRoom(testApp, teacher);
  const prepared = await rest(teacher, "POST", `${room.id}/quizzes`, draft);
  expect(prepared.statusCode, prepared.body).toBe(201);
  const quizId: string = prepared.json().quiz.id;
  expect((await rest(ann, "POST", `${room.id}/quizzes`, draft)).statusCode).toBe(403);
  const host = (await joined(url, teacher, room.id)).c;
  const annClient = (await joined(url, ann, room.id)).c;
  clients.push(host, annClient);
  expect((await host.emit("quiz-open", { roomId: room.id, quizId })).ok).toBe(true);
  expect((await host.emit("end-room", { roomId: room.id })).ok).toBe(true);
  annClient.close();
  host.close();
  return { roomId: room.id, quizId };
}

describe("quizzes after class", () => {
  it("an attendee submits over REST until the deadline, then QUIZ_DEADLINE_PASSED; the deadline closes it on read; scores", async () => {
    const { roomId, quizId } = await endedClassWithQuiz(homework(inAnHour()));
    const view = await rest(ann, "GET", `${roomId}/quizzes/${quizId}`);
    expect(view.statusCode).toBe(200);
    expect(view.json().view.quiz).toMatchObject({ status: "open", allowAfterClass: true });
    expect(view.body).not.toContain('"correct"');

    const submitted = await rest(ann, "PUT", `${roomId}/quizzes/${quizId}/submission`, { answers: [[1], [1]] });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().submission).toMatchObject({ score: null, maxScore: 3 });
    expect(submitted.body).not.toContain('"correct"');
    expect((await rest(stranger, "PUT", `${roomId}/quizzes/${quizId}/submission`, { answers: [[1], [0]] })).statusCode).toBe(403);
    expect((await rest(stranger, "GET", `${roomId}/quizzes`)).statusCode).toBe(403);
    expect((await rest(teacher, "PUT", `${roomId}/quizzes/${quizId}/submission`, { answers: [[1], [0]] })).statusCode).toBe(403);
    const bad = await rest(ann, "PUT", `${roomId}/quizzes/${quizId}/submission`, { answers: [[5], [0]] });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, "INVALID_ANSWER"]);

    // The deadline passes (moved back in the database rather than waited for).
    await sql`update quizzes set deadline = now() - interval '1 second', closes_at = now() - interval '1 second' where id = ${quizId}`.execute(
      testApp.app.ctx.db,
    );
    const late = await rest(ann, "PUT", `${roomId}/quizzes/${quizId}/submission`, { answers: [[1], [0]] });
    expect([late.statusCode, late.json().error.code]).toEqual([409, "QUIZ_DEADLINE_PASSED"]);
    const after = (await rest(ann, "GET", `${roomId}/quizzes`)).json().quizzes[0];
    expect(after.quiz.status).toBe("closed");
    expect(after.quiz.questions.map((question: { correct?: number[] }) => question.correct)).toEqual([[1], [0]]);
    expect(after.mySubmission).toMatchObject({ score: 2, maxScore: 3, answers: [[1], [1]] });
    const hostView = (await rest(teacher, "GET", `${roomId}/quizzes/${quizId}`)).json().view;
    expect(hostView.results).toMatchObject({ submitted: 1, average: 2, correctPercent: [100, 0] });

    const scores = await quizzesOf().scoresOf(roomId);
    expect(scores).toEqual([
      {
        quizId,
        title: "Homework",
        maxScore: 3,
        status: "closed",
        questions: 2,
        openedAt: expect.any(Date),
        closedAt: expect.any(Date),
        scores: [{ userId: ann.user.id, score: 2, maxScore: 3 }],
      },
    ]);
  });

  it("the sweep closes a quiz at its deadline without any read; ending a class closes its in-class quizzes only", async () => {
    const { roomId, quizId } = await endedClassWithQuiz(homework(inAnHour()));
    await sql`update quizzes set closes_at = now() - interval '1 second', deadline = now() - interval '1 second' where id = ${quizId}`.execute(
      testApp.app.ctx.db,
    );
    await quizzesOf().closeOverdue();
    const row = await testApp.app.ctx.db.selectFrom("quizzes").select(["status"]).where("id", "=", quizId).executeTakeFirstOrThrow();
    expect(row.status).toBe("closed");

    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    clients.push(host);
    const inClass = await host.emit("quiz-create", {
      roomId: room.id,
      quiz: { title: "Now", questions: [{ text: "Q", kind: "yes-no", correct: [0] }] },
      open: true,
    });
    const later = await host.emit("quiz-create", { roomId: room.id, quiz: homework(inAnHour()), open: true });
    expect((await host.emit("end-room", { roomId: room.id })).ok).toBe(true);
    const statuses = await testApp.app.ctx.db.selectFrom("quizzes").select(["id", "status"]).where("room_id", "=", room.id).execute();
    expect(Object.fromEntries(statuses.map((quiz) => [quiz.id, quiz.status]))).toEqual({ [inClass.quiz.id]: "closed", [later.quiz.id]: "open" });
    void roomId;
  });

  it("a timed quiz closes by itself; deleting the class deletes its quizzes", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const annClient = (await joined(url, ann, room.id)).c;
    clients.push(host, annClient);
    const timed = await host.emit("quiz-create", {
      roomId: room.id,
      quiz: { title: "Quick", durationSeconds: 10, questions: [{ text: "Q", kind: "yes-no", correct: [1] }] },
      open: true,
    });
    expect(timed.quiz.closesAt).not.toBeNull();
    expect((await annClient.emit("quiz-submit", { roomId: room.id, quizId: timed.quiz.id, answers: [[1]] })).ok).toBe(true);
    const score = await annClient.waitFor("quiz-score", (event) => event.submission.quizId === timed.quiz.id, 20_000);
    expect(score.submission).toMatchObject({ score: 1, maxScore: 1 });

    const deleted = await rest(teacher, "DELETE", room.id);
    expect(deleted.statusCode, deleted.body).toBeLessThan(300);
    expect(await testApp.app.ctx.db.selectFrom("quizzes").select("id").where("room_id", "=", room.id).execute()).toEqual([]);
  }, 30_000);
});
