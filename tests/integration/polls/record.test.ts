import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/wait.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { pollService } from "./helpers.js";

/**
 * Anonymity in every output, polls prepared ahead over REST and the class's record of them,
 * and timed polls that close by themselves.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, outsider: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Annabel Quist");
  outsider = await person(testApp, "student", "Outsider");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

async function connectedJoin(who: Person, roomId: string) {
  const session = await joined(url, who, roomId);
  clients.push(session.c);
  return session.c;
}

const restList = (roomId: string, who: Person) => testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/polls`, headers: who.auth });

describe("anonymous polls", () => {
  it("an anonymous text poll's results, lists, REST record, replay record and database rows never hold the student's id or name", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id);
    const student = await connectedJoin(ann, room.id);
    const from = new Date().toISOString();
    const pollId = (await host.emit("poll-create", { roomId: room.id, poll: { question: "What was unclear?", kind: "text", anonymous: true }, open: true }))
      .poll.id;
    const answer = await student.emit("poll-answer", { roomId: room.id, pollId, text: "the second law" });
    expect(answer.answer).toMatchObject({ pollId, text: "the second law", choices: [] });

    const secrets = [ann.user.id, ann.user.fullName, "Annabel", ann.user.email];
    const leaks = (what: string, value: unknown) => {
      const json = JSON.stringify(value);
      for (const secret of secrets) expect(json, `${what} holds ${secret}`).not.toContain(secret);
    };
    const live = await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.answered === 1);
    expect(live.results.textAnswers).toEqual([{ text: "the second law", authorName: null }]);
    leaks("live results", live);
    const hostList = await host.emit("poll-list", { roomId: room.id });
    expect(hostList.polls[0]!.results?.textAnswers).toEqual([{ text: "the second law", authorName: null }]);
    leaks("the host's poll-list", hostList);
    const closed = await host.emit("poll-close", { roomId: room.id, pollId });
    leaks("the close", closed);
    await host.emit("poll-publish", { roomId: room.id, pollId });
    leaks("the published results", await student.waitFor("poll-results", (event) => event.results.pollId === pollId));
    // The student still sees their own answer (found by the keyed voter, not by a stored id).
    const studentList = await student.emit("poll-list", { roomId: room.id });
    expect(studentList.polls[0]!.myAnswer?.text).toBe("the second law");
    const rest = await restList(room.id, teacher);
    expect(rest.statusCode).toBe(200);
    expect(rest.json().polls[0].results.textAnswers).toEqual([{ text: "the second law", authorName: null }]);
    leaks("the REST record", rest.json());
    const replay = await pollService(testApp).pollsBetween(room.id, from, new Date().toISOString());
    expect(replay.map((record) => record.results.textAnswers)).toEqual([[{ text: "the second law", authorName: null }]]);
    leaks("the replay record", replay);

    const rows = (await sql`select * from poll_answers where poll_id = ${pollId}`.execute(testApp.app.ctx.db)).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: null, author_name: null, text: "the second law" });
    leaks("the poll_answers rows", rows);
  });

  it("a named text poll shows who wrote what to the teacher", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id);
    const student = await connectedJoin(ann, room.id);
    const pollId = (await host.emit("poll-create", { roomId: room.id, poll: { question: "Your name?", kind: "text" }, open: true })).poll.id;
    await student.emit("poll-answer", { roomId: room.id, pollId, text: "here" });
    const closed = await host.emit("poll-close", { roomId: room.id, pollId });
    expect(closed.results.textAnswers).toEqual([{ text: "here", authorName: "Annabel Quist" }]);
  });
});

describe("prepared ahead over REST, and the class's record", () => {
  it("the host prepares a draft, opens it in class, students answer; the record lists it for the host and for students who joined", async () => {
    const room = await createRoom(testApp, teacher);
    const create = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${room.id}/polls`,
      headers: teacher.auth,
      payload: { question: "Homework done?", kind: "yes-no", durationSeconds: null },
    });
    expect(create.statusCode, create.body).toBe(201);
    const draft = create.json().poll;
    expect(draft).toMatchObject({ status: "draft", options: ["Yes", "No"], roomId: room.id, createdBy: teacher.user.id });
    const spare = (
      await testApp.app.inject({ method: "POST", url: `/api/v1/rooms/${room.id}/polls`, headers: teacher.auth, payload: { question: "Spare", kind: "text" } })
    ).json().poll;
    const bad = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${room.id}/polls`,
      headers: teacher.auth,
      payload: { question: "One option", kind: "single", options: ["a"] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("VALIDATION_FAILED");
    expect((await restList(room.id, ann)).statusCode).toBe(403);

    const host = await connectedJoin(teacher, room.id);
    const student = await connectedJoin(ann, room.id);
    expect((await host.emit("poll-list", { roomId: room.id })).polls.map((view) => view.poll.question)).toEqual(["Homework done?", "Spare"]);
    expect((await host.emit("poll-open", { roomId: room.id, pollId: draft.id })).poll.status).toBe("open");
    await student.waitFor("poll-updated", (event) => event.poll.id === draft.id && event.poll.status === "open");
    await student.emit("poll-answer", { roomId: room.id, pollId: draft.id, choices: [0] });

    const del = (pollId: string) => testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${room.id}/polls/${pollId}`, headers: teacher.auth });
    const refused = await del(draft.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("POLL_NOT_DRAFT");
    expect((await del(spare.id)).statusCode).toBe(200);
    await host.waitFor("poll-deleted", (event) => event.pollId === spare.id);
    expect((await del(spare.id)).json().error.code).toBe("POLL_NOT_FOUND");

    const forHost = (await restList(room.id, teacher)).json().polls;
    expect(forHost).toHaveLength(1);
    expect(forHost[0]).toMatchObject({ poll: { id: draft.id, status: "open" }, results: { answered: 1, counts: [1, 0] }, myAnswer: null });
    const forStudent = (await restList(room.id, ann)).json().polls;
    expect(forStudent[0]).toMatchObject({ results: null, myAnswer: { choices: [0] } });
    expect((await restList(room.id, outsider)).statusCode).toBe(403);

    // Deleting the class deletes its polls.
    expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${room.id}`, headers: teacher.auth })).statusCode).toBe(200);
    const left = await sql<{ count: number }>`select count(*)::int as count from polls where room_id = ${room.id}`.execute(testApp.app.ctx.db);
    expect(left.rows[0]!.count).toBe(0);
  });
});

describe("timed polls", () => {
  it("a timed poll closes by itself when its time is up, tells the class, and refuses later answers", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id);
    const student = await connectedJoin(ann, room.id);
    const poll = (await host.emit("poll-create", { roomId: room.id, poll: { question: "Quick!", kind: "yes-no", durationSeconds: 10 }, open: true })).poll;
    expect(Date.parse(poll.closesAt!) - Date.parse(poll.openedAt!)).toBe(10_000);
    expect((await student.emit("poll-answer", { roomId: room.id, pollId: poll.id, choices: [1] })).ok).toBe(true);
    const closed = await student.waitFor("poll-updated", (event) => event.poll.id === poll.id && event.poll.status === "closed", 20_000);
    expect(closed.poll.closedAt).toBe(poll.closesAt);
    const results = await host.waitFor("poll-results", (event) => event.results.pollId === poll.id && event.results.answered === 1);
    expect(results.results.counts).toEqual([0, 1]);
    expect((await student.emit("poll-answer", { roomId: room.id, pollId: poll.id, choices: [0] })).error.code).toBe("POLL_NOT_OPEN");
  }, 30_000);

  it("when no server's timer closed it (the server that opened it is gone), the database refuses answers after closes_at and the poll is closed", async () => {
    const room = await createRoom(testApp, teacher);
    const host = await connectedJoin(teacher, room.id);
    const student = await connectedJoin(ann, room.id);
    const poll = (await host.emit("poll-create", { roomId: room.id, poll: { question: "Long", kind: "yes-no", durationSeconds: 3600 }, open: true })).poll;
    // As if the hour had passed while the opening server was down.
    await sql`update polls set closes_at = now() - interval '1 second' where id = ${poll.id}`.execute(testApp.app.ctx.db);
    expect((await student.emit("poll-answer", { roomId: room.id, pollId: poll.id, choices: [0] })).error.code).toBe("POLL_NOT_OPEN");
    await student.waitFor("poll-updated", (event) => event.poll.id === poll.id && event.poll.status === "closed");

    // Another overdue poll is closed when the class lists its polls, or by the periodic sweep.
    const other = (await host.emit("poll-create", { roomId: room.id, poll: { question: "Other", kind: "yes-no", durationSeconds: 3600 }, open: true })).poll;
    await sql`update polls set closes_at = now() - interval '1 second' where id = ${other.id}`.execute(testApp.app.ctx.db);
    await waitFor("the overdue poll closed", async () => {
      const views = (await student.emit("poll-list", { roomId: room.id })).polls;
      return views.find((view) => view.poll.id === other.id)?.poll.status === "closed";
    });
    await host.waitFor("poll-updated", (event) => event.poll.id === other.id && event.poll.status === "closed");
  });
});
