import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * Polls over the socket, as the teacher and students of one live class see them: launching,
 * answering (and changing an answer), live results for the teacher, closing, publishing,
 * re-running, and who may do what.
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

async function classWithStudents() {
  const room = await createRoom(testApp, teacher);
  const host = (await joined(url, teacher, room.id)).c;
  const annSession = await joined(url, ann, room.id);
  const benSession = await joined(url, ben, room.id);
  clients.push(host, annSession.c, benSession.c);
  return { roomId: room.id, host, annClient: annSession.c, benClient: benSession.c, annPid: annSession.ack.participantId };
}

describe("polls in class", () => {
  it("the teacher launches a poll, two students answer, the teacher sees live results, a student changes her answer, close, publish", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    const created = await host.emit("poll-create", {
      roomId,
      poll: { question: "Which planet is largest?", kind: "single", options: [" Mars ", "Jupiter", "Venus"] },
      open: true,
    });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);
    expect(created.poll).toMatchObject({ status: "open", options: ["Mars", "Jupiter", "Venus"], anonymous: false, showResultsLive: false, published: false });
    const pollId = created.poll.id;
    await annClient.waitFor("poll-updated", (event) => event.poll.id === pollId && event.poll.status === "open");
    await benClient.waitFor("poll-updated", (event) => event.poll.id === pollId);

    expect((await annClient.emit("poll-answer", { roomId, pollId, choices: [0] })).answer).toMatchObject({ pollId, choices: [0], text: null });
    expect((await benClient.emit("poll-answer", { roomId, pollId, choices: [1] })).ok).toBe(true);
    await host.waitFor("poll-results", (event) => event.results.pollId === pollId && event.results.counts.join() === "1,1,0");
    // Ann changes her mind: still two answers.
    expect((await annClient.emit("poll-answer", { roomId, pollId, choices: [1] })).ok).toBe(true);
    const live = await host.waitFor("poll-results", (event) => event.results.counts.join() === "0,2,0");
    expect(live.results.answered).toBe(2);
    // Students do not see results of a poll without live results.
    expect(annClient.has("poll-results")).toBe(false);
    const annView = (await annClient.emit("poll-list", { roomId })).polls.find((view) => view.poll.id === pollId);
    expect(annView).toMatchObject({ results: null, myAnswer: { choices: [1] } });

    const closed = await host.emit("poll-close", { roomId, pollId });
    expect(closed.poll.status).toBe("closed");
    expect(closed.results).toMatchObject({ answered: 2, counts: [0, 2, 0] });
    await benClient.waitFor("poll-updated", (event) => event.poll.id === pollId && event.poll.status === "closed");
    expect((await benClient.emit("poll-answer", { roomId, pollId, choices: [2] })).error.code).toBe("POLL_NOT_OPEN");
    expect((await annClient.emit("poll-list", { roomId })).polls[0]!.results).toBeNull();

    expect((await host.emit("poll-publish", { roomId, pollId })).poll.published).toBe(true);
    const shown = await annClient.waitFor("poll-results", (event) => event.results.pollId === pollId);
    expect(shown.results).toMatchObject({ answered: 2, counts: [0, 2, 0], textAnswers: [] });
    await benClient.waitFor("poll-results", (event) => event.results.pollId === pollId);
    expect((await benClient.emit("poll-list", { roomId })).polls[0]).toMatchObject({ results: { counts: [0, 2, 0] }, myAnswer: { choices: [1] } });

    // Re-run: a new open poll with the same question, no answers yet.
    const rerun = await host.emit("poll-rerun", { roomId, pollId });
    expect(rerun.poll).toMatchObject({
      status: "open",
      question: "Which planet is largest?",
      options: ["Mars", "Jupiter", "Venus"],
      rerunOf: pollId,
      published: false,
    });
    await annClient.waitFor("poll-updated", (event) => event.poll.id === rerun.poll.id);
    const hostList = (await host.emit("poll-list", { roomId })).polls;
    expect(hostList.map((view) => [view.poll.id, view.results?.answered])).toEqual([
      [pollId, 2],
      [rerun.poll.id, 0],
    ]);
  });

  it("live results reach students when the poll shows them live; drafts and their deletion only reach the managers", async () => {
    const { roomId, host, annClient, benClient } = await classWithStudents();
    const draft = await host.emit("poll-create", { roomId, poll: { question: "How was today?", kind: "rating", showResultsLive: true } });
    expect(draft.poll).toMatchObject({ status: "draft", options: ["1", "2", "3", "4", "5"] });
    await host.waitFor("poll-updated", (event) => event.poll.id === draft.poll.id && event.poll.status === "draft");
    expect((await annClient.emit("poll-list", { roomId })).polls).toEqual([]);
    expect((await annClient.emit("poll-answer", { roomId, pollId: draft.poll.id, choices: [4] })).error.code).toBe("POLL_NOT_OPEN");

    expect((await host.emit("poll-open", { roomId, pollId: draft.poll.id })).poll.status).toBe("open");
    expect((await host.emit("poll-open", { roomId, pollId: draft.poll.id })).error.code).toBe("POLL_NOT_DRAFT");
    expect((await host.emit("poll-delete", { roomId, pollId: draft.poll.id })).error.code).toBe("POLL_NOT_DRAFT");
    expect((await annClient.emit("poll-answer", { roomId, pollId: draft.poll.id, choices: [4] })).ok).toBe(true);
    await benClient.waitFor("poll-results", (event) => event.results.pollId === draft.poll.id && event.results.counts.join() === "0,0,0,0,1");
    expect((await benClient.emit("poll-list", { roomId })).polls[0]).toMatchObject({ results: { answered: 1 }, myAnswer: null });

    const other = await host.emit("poll-create", { roomId, poll: { question: "Drop me", kind: "yes-no" } });
    expect((await host.emit("poll-delete", { roomId, pollId: other.poll.id })).ok).toBe(true);
    await host.waitFor("poll-deleted", (event) => event.pollId === other.poll.id);
    expect(annClient.has("poll-updated", (event) => event.poll.id === other.poll.id)).toBe(false);
    expect(annClient.has("poll-deleted")).toBe(false);
    expect((await host.emit("poll-open", { roomId, pollId: other.poll.id })).error.code).toBe("POLL_NOT_FOUND");
  });

  it("a presenter runs polls and gets the managers' events; a student cannot run one; the host and a presenter do not answer", async () => {
    const { roomId, host, annClient, benClient, annPid } = await classWithStudents();
    expect((await benClient.emit("poll-create", { roomId, poll: { question: "Mine?", kind: "yes-no" }, open: true })).error.code).toBe(
      "NOT_ALLOWED_TO_MANAGE_POLLS",
    );
    const poll = (await host.emit("poll-create", { roomId, poll: { question: "Ready?", kind: "yes-no" }, open: true })).poll;
    for (const event of ["poll-close", "poll-publish", "poll-rerun", "poll-delete", "poll-open"] as const)
      expect((await benClient.emit(event, { roomId, pollId: poll.id })).error.code, event).toBe("NOT_ALLOWED_TO_MANAGE_POLLS");
    expect((await host.emit("poll-answer", { roomId, pollId: poll.id, choices: [0] })).error.code).toBe("FORBIDDEN");

    expect((await host.emit("promote", { roomId, participantId: annPid })).ok).toBe(true);
    await annClient.waitFor("participant-updated", (event) => event.participant.id === annPid && event.participant.role === "presenter");
    expect((await annClient.emit("poll-answer", { roomId, pollId: poll.id, choices: [0] })).error.code).toBe("FORBIDDEN");
    const draft = await annClient.emit("poll-create", { roomId, poll: { question: "Speaker's question", kind: "text" } });
    expect(draft.ok, JSON.stringify(draft.error)).toBe(true);
    await host.waitFor("poll-updated", (event) => event.poll.id === draft.poll.id);
    expect((await benClient.emit("poll-answer", { roomId, pollId: poll.id, choices: [1] })).ok).toBe(true);
    await annClient.waitFor("poll-results", (event) => event.results.pollId === poll.id && event.results.answered === 1);
    expect(benClient.has("poll-results")).toBe(false);
    expect((await annClient.emit("poll-list", { roomId })).polls.map((view) => view.poll.status)).toEqual(["open", "draft"]);
  });

  it("refuses answers that do not fit the poll (INVALID_ANSWER) and polls that do not exist here (POLL_NOT_FOUND)", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    const open = async (poll: Record<string, unknown>) => (await host.emit("poll-create", { roomId, poll: poll as never, open: true })).poll.id;
    const single = await open({ question: "One", kind: "single", options: ["a", "b"] });
    const multiple = await open({ question: "Many", kind: "multiple", options: ["a", "b", "c"] });
    const text = await open({ question: "Say", kind: "text" });
    const yesNo = await open({ question: "Yes?", kind: "yes-no" });
    for (const [pollId, answer] of [
      [single, { choices: [] }],
      [single, { choices: [0, 1] }],
      [single, { choices: [2] }],
      [single, { text: "a" }],
      [single, {}],
      [multiple, { choices: [] }],
      [multiple, { choices: [1, 1] }],
      [multiple, { choices: [3] }],
      [text, { choices: [0] }],
      [text, { text: "   " }],
      [text, { text: "x".repeat(501) }],
      [text, {}],
      [yesNo, { choices: [2] }],
    ] as Array<[string, { choices?: number[]; text?: string }]>) {
      const ack = await annClient.emit("poll-answer", { roomId, pollId, ...answer });
      expect(ack.error?.code, `${JSON.stringify(answer)}`).toBe("INVALID_ANSWER");
    }
    expect((await annClient.emit("poll-answer", { roomId, pollId: multiple, choices: [2, 0] })).answer.choices).toEqual([0, 2]);
    expect((await annClient.emit("poll-answer", { roomId, pollId: text, text: "  a thought  " })).answer.text).toBe("a thought");

    for (const [poll, field] of [
      [{ question: "Few", kind: "single", options: ["only"] }, "poll.options"],
      [{ question: "Same", kind: "multiple", options: ["a", " a"] }, "poll.options"],
      [{ question: "Fixed", kind: "yes-no", options: ["Maybe", "No"] }, "poll.options"],
      [{ question: "Text", kind: "text", options: ["a", "b"] }, "poll.options"],
      [{ question: "   ", kind: "rating" }, "poll.question"],
    ] as const) {
      const ack = await host.emit("poll-create", { roomId, poll: poll as never });
      expect(ack.error?.code, JSON.stringify(poll)).toBe("VALIDATION_FAILED");
      expect(ack.error.details).toEqual([expect.objectContaining({ field })]);
    }
    expect((await host.emit("poll-create", { roomId, poll: { question: "Empty ok", kind: "yes-no", options: [] } })).ok).toBe(true);

    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await annClient.emit("poll-answer", { roomId, pollId: unknown, choices: [0] })).error.code).toBe("POLL_NOT_FOUND");
    // A poll of another class is not found from this one.
    const otherRoom = await createRoom(testApp, teacher, { title: "Other" });
    const otherHost = (await joined(url, teacher, otherRoom.id)).c;
    clients.push(otherHost);
    const foreign = (await otherHost.emit("poll-create", { roomId: otherRoom.id, poll: { question: "There", kind: "yes-no" }, open: true })).poll.id;
    expect((await annClient.emit("poll-answer", { roomId, pollId: foreign, choices: [0] })).error.code).toBe("POLL_NOT_FOUND");
    expect((await host.emit("poll-close", { roomId, pollId: foreign })).error.code).toBe("POLL_NOT_FOUND");
    expect((await annClient.emit("poll-list", { roomId: otherRoom.id })).error.code).toBe("NOT_IN_ROOM");
  });

  it("ending the class closes its open polls; they stay on the class's record", async () => {
    const { roomId, host, annClient } = await classWithStudents();
    const pollId = (await host.emit("poll-create", { roomId, poll: { question: "Still there?", kind: "yes-no" }, open: true })).poll.id;
    expect((await annClient.emit("poll-answer", { roomId, pollId, choices: [0] })).ok).toBe(true);
    expect((await host.emit("end-room", { roomId })).ok).toBe(true);
    const record = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${roomId}/polls`, headers: teacher.auth });
    expect(record.json().polls).toMatchObject([{ poll: { id: pollId, status: "closed" }, results: { answered: 1, counts: [1, 0] } }]);
  });
});
