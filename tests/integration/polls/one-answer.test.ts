import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";
import { pollService } from "./helpers.js";

/**
 * One answer per student and poll, kept by the database: a second tab, a reconnect, or many
 * answers at the same instant change the same answer and never count twice. Runs on
 * PostgreSQL when TEST_DATABASE_URL is set (CI), otherwise PGlite.
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

async function connectedJoin(who: Person, roomId: string, name: string) {
  const session = await joined(url, who, roomId, name);
  clients.push(session.c);
  return session.c;
}

async function answerRows(pollId: string) {
  return (await sql<{ voter: string }>`select voter from poll_answers where poll_id = ${pollId}`.execute(testApp.app.ctx.db)).rows;
}

describe.each([false, true])("one answer per student (anonymous: %s)", (anonymous) => {
  it("a second tab and a reconnect change the student's answer; the count stays one", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id, "host");
    const firstTab = await connectedJoin(ann, room.id, "ann tab 1");
    const ask = await host.emit("poll-create", {
      roomId: room.id,
      poll: { question: "Pick", kind: "single", options: ["a", "b", "c"], anonymous },
      open: true,
    });
    const pollId = ask.poll.id;
    expect((await firstTab.emit("poll-answer", { roomId: room.id, pollId, choices: [0] })).ok).toBe(true);

    // A second tab takes over Ann's place in the class and answers again.
    const secondTab = await connectedJoin(ann, room.id, "ann tab 2");
    expect((await secondTab.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);
    // The first tab rejoins and answers once more.
    expect((await firstTab.emit("join-room", { roomId: room.id })).ok).toBe(true);
    expect((await firstTab.emit("poll-answer", { roomId: room.id, pollId, choices: [2] })).ok).toBe(true);
    // A reconnect (a new socket after a dropped one).
    firstTab.close();
    secondTab.close();
    const reconnected = await connectedJoin(ann, room.id, "ann again");
    const list = (await reconnected.emit("poll-list", { roomId: room.id })).polls;
    expect(list[0]!.myAnswer?.choices).toEqual([2]);
    expect((await reconnected.emit("poll-answer", { roomId: room.id, pollId, choices: [1] })).ok).toBe(true);

    await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.counts.join() === "0,1,0");
    const closed = await host.emit("poll-close", { roomId: room.id, pollId });
    expect(closed.results).toMatchObject({ answered: 1, counts: [0, 1, 0] });
    expect(await answerRows(pollId)).toHaveLength(1);
  });

  it("many answers of two students at the same instant: each student counts once, with one of their answers", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id, "host");
    const ask = await host.emit("poll-create", { roomId: room.id, poll: { question: "Pick", kind: "multiple", options: ["a", "b"], anonymous }, open: true });
    const pollId = ask.poll.id;
    const polls = pollService(testApp);
    const attempts = [ann, ben].flatMap((who) =>
      Array.from({ length: 20 }, (_unused, i) => polls.answer(room.id, { userId: who.user.id, name: who.user.fullName }, { pollId, choices: [i % 2] })),
    );
    await Promise.all(attempts);
    expect(await answerRows(pollId)).toHaveLength(2);
    const closed = await host.emit("poll-close", { roomId: room.id, pollId });
    expect(closed.results.answered).toBe(2);
    expect(closed.results.counts[0]! + closed.results.counts[1]!).toBe(2);
  });
});

describe("a burst of answers", () => {
  it("500 answers within a moment: every one counted once, and the teacher's live results come a few times a second, not once per answer", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id, "host");
    // An anonymous poll: the voters need no accounts here (the answer rows hold no user id).
    const ask = await host.emit("poll-create", {
      roomId: room.id,
      poll: { question: "Pick", kind: "single", options: ["a", "b"], anonymous: true },
      open: true,
    });
    const pollId = ask.poll.id;
    const polls = pollService(testApp);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 500 }, (_unused, i) => polls.answer(room.id, { userId: randomUUID(), name: `Student ${i}` }, { pollId, choices: [i % 2] })),
    );
    const final = await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.answered === 500);
    const elapsedMs = Date.now() - started;
    expect(final.results.counts).toEqual([250, 250]);
    const sent = host.received.filter((entry) => entry.event === "poll-results").length;
    // One per RESULTS_INTERVAL_MS (250 ms) at most, plus the first.
    expect(sent).toBeLessThanOrEqual(Math.ceil(elapsedMs / 250) + 1);
    expect(await answerRows(pollId)).toHaveLength(500);
  });
});
