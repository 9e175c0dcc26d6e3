import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { RecordingPollsResponse } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * The polls and quizzes of a class in its recording's replay: each at the moment it was opened
 * and closed on the recording's timeline; poll results for the host always, for students and
 * share-link viewers only when they were published in class; an anonymous poll's answers
 * without names; a quiz's submissions and average for the host only.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Tina Teacher");
  ann = await person(testApp, "student", "Ann Answerer");
  ben = await person(testApp, "student", "Ben Bystander");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

describe("polls in a recording's replay", () => {
  it("shows the polls asked while it ran, at their offsets, with results only for those who may see them", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const annClient = (await joined(url, ann, room.id)).c;
    const benClient = (await joined(url, ben, room.id)).c;
    clients.push(host, annClient, benClient);
    const db = testApp.app.ctx.db;

    // Asked before the recording: not in its replay.
    const before = await host.emit("poll-create", { roomId: room.id, poll: { question: "Warm-up?", kind: "yes-no" }, open: true });
    expect(before.ok, JSON.stringify(before.error)).toBe(true);
    await host.emit("poll-close", { roomId: room.id, pollId: before.poll.id });
    // The recording starts after the warm-up closed (a later millisecond).
    const recordingStart = new Date(Date.now() + 1);
    await expect.poll(() => Date.now() > recordingStart.getTime()).toBe(true);

    const published = await host.emit("poll-create", {
      roomId: room.id,
      poll: { question: "Largest planet?", kind: "single", options: ["Mars", "Jupiter"] },
      open: true,
    });
    const pollId = published.poll.id;
    expect((await annClient.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);
    expect((await benClient.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);
    await host.emit("poll-close", { roomId: room.id, pollId });
    await host.emit("poll-publish", { roomId: room.id, pollId });

    const anonymous = await host.emit("poll-create", {
      roomId: room.id,
      poll: { question: "One word for today?", kind: "text", anonymous: true },
      open: true,
    });
    const textId = anonymous.poll.id;
    expect((await annClient.emit("poll-answer", { roomId: room.id, pollId: textId, text: "Gravity" })).ok).toBe(true);
    const textClosed = await host.emit("poll-close", { roomId: room.id, pollId: textId });
    expect(textClosed.results.textAnswers).toEqual([{ text: "Gravity", authorName: null }]);

    // A quiz: Ann gets 2 of 3 points.
    const quiz = await host.emit("quiz-create", {
      roomId: room.id,
      quiz: {
        title: "Moons",
        questions: [
          { text: "Moons of Mars?", kind: "single", options: ["1", "2"], correct: [1], points: 2 },
          { text: "Is the Moon a planet?", kind: "yes-no", correct: [1] },
        ],
      },
      open: true,
    });
    expect(quiz.ok, JSON.stringify(quiz.error)).toBe(true);
    expect((await annClient.emit("quiz-submit", { roomId: room.id, quizId: quiz.quiz.id, answers: [[1], [0]] })).ok).toBe(true);
    expect((await host.emit("quiz-close", { roomId: room.id, quizId: quiz.quiz.id })).ok).toBe(true);

    // Still open when the recording stops.
    const stillOpen = await host.emit("poll-create", { roomId: room.id, poll: { question: "Rate the class", kind: "rating" }, open: true });

    const recordingId = randomUUID();
    await sql`insert into recordings (id, room_id, started_by, title, status, visibility, started_at, stopped_at, duration_seconds)
              values (${recordingId}, ${room.id}, ${teacher.user.id}, 'Planets', 'ready', 'participants', ${recordingStart}, now(), 60)`.execute(db);

    const asHost = await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/polls`, headers: teacher.auth });
    expect(asHost.statusCode, asHost.body).toBe(200);
    const hostView = asHost.json() as RecordingPollsResponse;
    expect(hostView.polls.map((item) => item.poll.question)).toEqual(["Largest planet?", "One word for today?", "Rate the class"]);
    const [planets, word, rating] = hostView.polls;
    expect(planets.openedOffsetMs).toBeGreaterThan(0);
    expect(planets.closedOffsetMs).toBeGreaterThanOrEqual(planets.openedOffsetMs);
    expect(planets.results).toMatchObject({ answered: 2, counts: [0, 2] });
    expect(word.results).toMatchObject({ answered: 1, textAnswers: [{ text: "Gravity", authorName: null }] });
    expect(rating).toMatchObject({ closedOffsetMs: null, poll: { id: stillOpen.poll.id, status: "open" } });
    expect(hostView.quizzes).toEqual([
      expect.objectContaining({
        quizId: quiz.quiz.id,
        title: "Moons",
        questions: 2,
        maxScore: 3,
        submitted: 1,
        averageScore: 2,
        closedOffsetMs: expect.any(Number),
      }),
    ]);
    expect(hostView.quizzes[0]!.openedOffsetMs).toBeGreaterThanOrEqual(word.openedOffsetMs);
    // Nobody's name or id in an anonymous poll's replay.
    expect(JSON.stringify(word)).not.toContain("Ann");
    expect(JSON.stringify(word)).not.toContain(ann.user.id);

    // A student who attended (Ann joined the class): only the published results.
    const asStudent = await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/polls`, headers: ann.auth });
    expect(asStudent.statusCode, asStudent.body).toBe(200);
    const studentView = asStudent.json() as RecordingPollsResponse;
    expect(studentView.polls.map((item) => item.results === null)).toEqual([false, true, true]);
    // The quiz is on the student's timeline too, without the class's submissions and average.
    expect(studentView.quizzes).toEqual([expect.objectContaining({ title: "Moons", submitted: null, averageScore: null })]);

    // A share link's viewer: the same as a student.
    const share = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth, payload: {} });
    expect(share.statusCode, share.body).toBe(201);
    const shared = await testApp.app.inject({ method: "GET", url: `/api/v1/shared/recordings/${share.json().token}` });
    expect(shared.statusCode, shared.body).toBe(200);
    expect((shared.json().polls as RecordingPollsResponse).polls.map((item) => item.results?.counts ?? null)).toEqual([[0, 2], null, null]);

    // Someone who cannot watch the recording does not learn it exists.
    const outsider = await person(testApp, "student", "Olly Outsider");
    const refused = await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${recordingId}/polls`, headers: outsider.auth });
    expect(refused.statusCode).toBe(404);
  });
});
