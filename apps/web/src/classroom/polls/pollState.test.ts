import { describe, expect, it } from "vitest";
import type { PollDto, PollView } from "@vtp/protocol";
import {
  answerProblem,
  cardKey,
  cardPoll,
  draftFromForm,
  emptyPollForm,
  formatCountdown,
  initialPollsState,
  openPollCount,
  optionsFor,
  percentOf,
  pollsReducer,
  type PollsState,
} from "./pollState";

const poll = (id: string, extra: Partial<PollDto> = {}): PollDto => ({
  id,
  roomId: "r1",
  question: `Question ${id}?`,
  kind: "single",
  options: ["A", "B"],
  anonymous: false,
  showResultsLive: false,
  durationSeconds: null,
  status: "open",
  published: false,
  createdBy: "u1",
  createdAt: `2026-01-01T00:00:0${id}Z`,
  openedAt: null,
  closesAt: null,
  closedAt: null,
  rerunOf: null,
  ...extra,
});
const view = (id: string, extra: Partial<PollDto> = {}): PollView => ({ poll: poll(id, extra), results: null, myAnswer: null });
const listed = (...views: PollView[]): PollsState => pollsReducer(initialPollsState, { type: "list", views });

describe("polls reducer", () => {
  it("lists newest first and adds a poll that opens later at the top", () => {
    const state = listed(view("1"), view("3"), view("2"));
    expect(state.loaded).toBe(true);
    expect(state.views.map((v) => v.poll.id)).toEqual(["3", "2", "1"]);
    const next = pollsReducer(state, { type: "updated", poll: poll("4") });
    expect(next.views.map((v) => v.poll.id)).toEqual(["4", "3", "2", "1"]);
  });

  it("changes a known poll in place and keeps its results and answer", () => {
    let state = listed(view("1"));
    state = pollsReducer(state, { type: "results", results: { pollId: "1", answered: 2, counts: [1, 1], textAnswers: [] } });
    state = pollsReducer(state, { type: "answered", answer: { pollId: "1", choices: [0], text: null, updatedAt: "2026-01-01T00:00:05Z" } });
    state = pollsReducer(state, { type: "updated", poll: poll("1", { status: "closed" }) });
    expect(state.views).toHaveLength(1);
    expect(state.views[0]!.poll.status).toBe("closed");
    expect(state.views[0]!.results?.answered).toBe(2);
    expect(state.views[0]!.myAnswer?.choices).toEqual([0]);
  });

  it("ignores results and answers of unknown polls, and removes deleted drafts", () => {
    const state = listed(view("1", { status: "draft" }));
    expect(pollsReducer(state, { type: "results", results: { pollId: "9", answered: 1, counts: [1, 0], textAnswers: [] } })).toBe(state);
    expect(pollsReducer(state, { type: "deleted", pollId: "1" }).views).toEqual([]);
  });

  it("counts open polls for the badge", () => {
    expect(openPollCount(listed(view("1"), view("2", { status: "closed" }), view("3", { status: "draft" })))).toBe(1);
  });
});

describe("the student's card", () => {
  it("shows the newest open poll first, else the newest closed one, never a draft", () => {
    const state = listed(view("1"), view("2", { status: "closed" }), view("3", { status: "draft" }));
    expect(cardPoll(state, new Set())?.poll.id).toBe("1");
    expect(cardPoll(listed(view("2", { status: "closed" }), view("3", { status: "draft" })), new Set())?.poll.id).toBe("2");
  });

  it("stays hidden for the state it was hidden in and comes back when the results are published", () => {
    const closed = poll("1", { status: "closed" });
    const state = listed({ poll: closed, results: null, myAnswer: null });
    expect(cardPoll(state, new Set([cardKey(closed)]))).toBeNull();
    const published = pollsReducer(state, { type: "updated", poll: { ...closed, published: true } });
    expect(cardPoll(published, new Set([cardKey(closed)]))?.poll.published).toBe(true);
  });
});

describe("the new-poll form", () => {
  it("asks for a question and two distinct options", () => {
    expect(draftFromForm(emptyPollForm())).toEqual({ problem: "Write the question." });
    const form = { ...emptyPollForm(), question: "  Which? ", options: ["Red", " "] };
    expect(draftFromForm(form)).toEqual({ problem: "Give at least 2 options." });
    expect(draftFromForm({ ...form, options: ["Red", "red"] })).toEqual({ problem: "Two options are the same." });
  });

  it("trims and drops empty options; fixed kinds send none", () => {
    const form = { ...emptyPollForm(), question: " Which? ", options: [" Red ", "", "Blue"], anonymous: true, durationSeconds: 60 };
    expect(draftFromForm(form)).toEqual({
      draft: { question: "Which?", kind: "single", options: ["Red", "Blue"], anonymous: true, showResultsLive: false, durationSeconds: 60 },
    });
    const rating = draftFromForm({ ...form, kind: "rating" });
    expect("draft" in rating && rating.draft.options).toBeUndefined();
    expect(optionsFor("yes-no", ["x"])).toEqual(["Yes", "No"]);
    expect(optionsFor("text", ["x"])).toEqual([]);
  });
});

describe("answers, bars and the timer", () => {
  it("asks for a choice or a text", () => {
    expect(answerProblem("single", [], "")).toBe("Choose an option.");
    expect(answerProblem("multiple", [], "")).toBe("Choose at least one option.");
    expect(answerProblem("multiple", [0, 2], "")).toBeNull();
    expect(answerProblem("text", [], "   ")).toBe("Write your answer.");
    expect(answerProblem("text", [], "x".repeat(501))).toBe("Answers can be at most 500 characters.");
  });

  it("computes whole percents of those who answered", () => {
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(2, 3)).toBe(67);
    expect(percentOf(0, 0)).toBe(0);
  });

  it("formats the time left", () => {
    expect(formatCountdown(65_000)).toBe("1:05");
    expect(formatCountdown(8_200)).toBe("0:09");
    expect(formatCountdown(-5)).toBe("0:00");
  });
});
