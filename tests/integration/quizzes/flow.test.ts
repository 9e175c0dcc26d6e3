import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuizDraft } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * Quizzes over the socket, as the teacher and students of one live class see them: a quiz
 * opened, two students submit (one changes her answers), the correct options reach no student
 * before close, close → each student's score and the teacher's results; one submission per
 * student across two tabs; who may do what; bad answers.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
  ben = await person(testApp, "student", "Ben");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

/** Q1 single (2 points, correct: Jupiter), Q2 multiple (1 point, correct: 2 and 3), Q3 yes-no (3 points, correct: No). Max 6. */
const planets: QuizDraft = {
  title: "Planets",
  questions: [
    { text: "Largest planet?", kind: "single", options: ["Mars", " Jupiter "], correct: [1], points: 2 },
    { text: "Which are prime?", kind: "multiple", options: ["1", "2", "3", "4"], correct: [2, 1] },
    { text: "Is Pluto a planet?", kind: "yes-no", correct: [1], points: 3 },
  ],
};

async function classWithStudents() {
  const room = await createRoom(testApp, teacher);
  const host = (await joined(url, teacher, room.id)).c;
  const annClient = (await joined(url, ann, room.id)).c;
  const benClient = (await joined(url, ben, room.id)).c;
  clients.push(host, annClient, benClient);
  return { roomId: room.id, host, annClient, benClient };
}

/** Every `correct` field anywhere in a payload. */
const hasCorrect = (payload: unknown): boolean => JSON.stringify(payload ?? null).includes('"correct"');

describe("quizzes in class", () => {
  it("opened, two students submit (one changes), no correct option reaches a student before close, close → scores and results", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    const created = await host.emit("quiz-create", { roomId, quiz: planets, open: true });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);
    expect(created.quiz).toMatchObject({ status: "open", maxScore: 6, title: "Planets" });
    expect(created.quiz.questions.map((question) => question.correct)).toEqual([[1], [1, 2], [1]]);
    expect(created.quiz.questions[0]!.options).toEqual(["Mars", "Jupiter"]);
    expect(created.quiz.questions[2]!.options).toEqual(["Yes", "No"]);
    const quizId = created.quiz.id;

    const shown = await annClient.waitFor("quiz-updated", (event) => event.quiz.id === quizId);
    expect(shown.quiz.questions).toHaveLength(3);
    expect(shown.quiz.questions.every((question) => question.correct === undefined)).toBe(true);
    await benClient.waitFor("quiz-updated", (event) => event.quiz.id === quizId);

    // Ann: all right (6). Ben: Q1 right, Q2 half right (0), Q3 skipped → 2.
    const annFirst = await annClient.emit("quiz-submit", { roomId, quizId, answers: [[0], [1, 2], [0]] });
    expect(annFirst.ok, JSON.stringify(annFirst.error)).toBe(true);
    expect(annFirst.submission).toMatchObject({ quizId, score: null, maxScore: 6, answers: [[0], [1, 2], [0]] });
    expect((await benClient.emit("quiz-submit", { roomId, quizId, answers: [[1], [2], []] })).ok).toBe(true);
    const annChanged = await annClient.emit("quiz-submit", { roomId, quizId, answers: [[1], [2, 1], [1]] });
    expect(annChanged.submission).toMatchObject({ score: null, answers: [[1], [1, 2], [1]] });

    const live = await host.waitFor("quiz-results", (event) => event.results.quizId === quizId && event.results.submitted === 2);
    expect(live.results.students.map((student) => student.name)).toEqual(["Ann", "Ben"]);
    const annList = await annClient.emit("quiz-list", { roomId });
    expect(annList.quizzes).toHaveLength(1);
    expect(annList.quizzes[0]).toMatchObject({ results: null, mySubmission: { score: null } });
    const restView = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/quizzes/${quizId}`, headers: ann.auth });
    expect(restView.statusCode).toBe(200);
    const restList = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/quizzes`, headers: ben.auth });
    // Before close: not in any event, list or REST answer a student got.
    for (const client of [annClient, benClient]) for (const received of client.received) expect(hasCorrect(received.payload), received.event).toBe(false);
    for (const payload of [annFirst, annChanged, annList, restView.json(), restList.json()]) expect(hasCorrect(payload)).toBe(false);
    expect(annClient.has("quiz-results")).toBe(false);

    const closed = await host.emit("quiz-close", { roomId, quizId });
    expect(closed.quiz.status).toBe("closed");
    expect(closed.results).toMatchObject({ submitted: 2, maxScore: 6, average: 4, correctPercent: [100, 50, 50] });
    expect(closed.results.students.map((student) => [student.name, student.score])).toEqual([
      ["Ann", 6],
      ["Ben", 2],
    ]);
    const annScore = await annClient.waitFor("quiz-score", (event) => event.submission.quizId === quizId);
    expect(annScore.submission).toMatchObject({ score: 6, maxScore: 6 });
    const benScore = await benClient.waitFor("quiz-score", (event) => event.submission.quizId === quizId);
    expect(benScore.submission).toMatchObject({ score: 2, maxScore: 6, answers: [[1], [2], []] });
    const revealed = await benClient.waitFor("quiz-updated", (event) => event.quiz.id === quizId && event.quiz.status === "closed");
    expect(revealed.quiz.questions.map((question) => question.correct)).toEqual([[1], [1, 2], [1]]);
    await host.waitFor("quiz-results", (event) => event.results.quizId === quizId && event.results.average === 4);

    expect((await benClient.emit("quiz-submit", { roomId, quizId, answers: [[1], [1, 2], [1]] })).error.code).toBe("QUIZ_NOT_OPEN");
    expect((await benClient.emit("quiz-list", { roomId })).quizzes[0]).toMatchObject({ mySubmission: { score: 2 }, quiz: { status: "closed" } });
    const hostList = await host.emit("quiz-list", { roomId });
    expect(hostList.quizzes[0]!.results).toMatchObject({ submitted: 2, average: 4 });
  });

  it("one submission per student across two tabs; drafts stay with the managers; delete", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    const draft = await host.emit("quiz-create", { roomId, quiz: planets });
    expect(draft.quiz.status).toBe("draft");
    expect((await annClient.emit("quiz-list", { roomId })).quizzes).toEqual([]);
    expect((await annClient.emit("quiz-submit", { roomId, quizId: draft.quiz.id, answers: [[1], [1], [1]] })).error.code).toBe("QUIZ_NOT_FOUND");
    const opened = await host.emit("quiz-open", { roomId, quizId: draft.quiz.id });
    expect(opened.quiz.status).toBe("open");
    expect((await host.emit("quiz-open", { roomId, quizId: draft.quiz.id })).error.code).toBe("QUIZ_NOT_DRAFT");
    const quizId = draft.quiz.id;

    // Ann's second tab (replaces the first in the class) and the first submit at once.
    const secondTab = (await joined(url, ann, roomId)).c;
    clients.push(secondTab);
    const both = await Promise.all([
      secondTab.emit("quiz-submit", { roomId, quizId, answers: [[1], [], []] }),
      secondTab.emit("quiz-submit", { roomId, quizId, answers: [[1], [1, 2], []] }),
    ]);
    expect(both.every((ack) => ack.ok)).toBe(true);
    const rows = await testApp.app.ctx.db.selectFrom("quiz_submissions").selectAll().where("quiz_id", "=", quizId).execute();
    expect(rows).toHaveLength(1);
    const closed = await host.emit("quiz-close", { roomId, quizId });
    expect(closed.results.submitted).toBe(1);
    void annClient;

    expect((await benClient.emit("quiz-delete", { roomId, quizId })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_QUIZZES");
    expect((await host.emit("quiz-delete", { roomId, quizId })).ok).toBe(true);
    await benClient.waitFor("quiz-deleted", (event) => event.quizId === quizId);
    expect(await testApp.app.ctx.db.selectFrom("quiz_submissions").selectAll().where("quiz_id", "=", quizId).execute()).toEqual([]);
  });

  it("roles and bad input: students cannot manage, the teacher cannot submit, answers must fit the questions, drafts must be sound", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    expect((await annClient.emit("quiz-create", { roomId, quiz: planets, open: true })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_QUIZZES");
    const quizId = (await host.emit("quiz-create", { roomId, quiz: planets, open: true })).quiz.id;
    expect((await host.emit("quiz-submit", { roomId, quizId, answers: [[1], [1], [1]] })).error.code).toBe("FORBIDDEN");
    for (const answers of [[[1]], [[2], [1], [1]], [[0, 1], [1], [1]], [[1], [1, 1], [1]], [[1], [1], [0, 1]]])
      expect((await annClient.emit("quiz-submit", { roomId, quizId, answers })).error?.code, JSON.stringify(answers)).toBe("INVALID_ANSWER");
    const badDrafts: QuizDraft[] = [
      { title: "No questions", questions: [] },
      { title: "Wrong mark", questions: [{ text: "Q", kind: "single", options: ["a", "b"], correct: [2] }] },
      { title: "Two marks", questions: [{ text: "Q", kind: "single", options: ["a", "b"], correct: [0, 1] }] },
      { title: "No mark", questions: [{ text: "Q", kind: "multiple", options: ["a", "b"], correct: [] }] },
      { title: "Same options", questions: [{ text: "Q", kind: "single", options: ["a", "a "], correct: [0] }] },
      { title: "Options for yes-no", questions: [{ text: "Q", kind: "yes-no", options: ["y", "n"], correct: [0] }] },
      { title: "Points", questions: [{ text: "Q", kind: "yes-no", correct: [0], points: 101 }] },
      { title: "No deadline", allowAfterClass: true, questions: [{ text: "Q", kind: "yes-no", correct: [0] }] },
      { title: "Past deadline", allowAfterClass: true, deadline: "2020-01-01T00:00:00Z", questions: [{ text: "Q", kind: "yes-no", correct: [0] }] },
    ];
    for (const quiz of badDrafts) {
      const ack = await host.emit("quiz-create", { roomId, quiz });
      expect(ack.ok, quiz.title).toBe(false);
      expect(ack.error.code, quiz.title).toBe("VALIDATION_FAILED");
    }
    const textKind = await host.emitRaw("quiz-create", { roomId, quiz: { title: "T", questions: [{ text: "Q", kind: "text", correct: [] }] } });
    expect(textKind.ok ? "ok" : textKind.error.code).toBe("VALIDATION_FAILED");
  });
});
