import { describe, expect, it } from "vitest";
import type { QuizDto } from "@vtp/protocol";
import { cardQuiz, initialQuizzesState, isRight, quizzesReducer } from "./quizState";

const quiz = (patch: Partial<QuizDto> = {}): QuizDto => ({
  id: "q1",
  roomId: "r1",
  title: "Warm-up",
  questions: [{ text: "2 + 2?", kind: "single", options: ["3", "4"], points: 1, correct: [1] }],
  maxScore: 1,
  allowAfterClass: false,
  deadline: null,
  durationSeconds: null,
  status: "open",
  createdBy: "t",
  createdAt: "2030-01-01T00:00:00.000Z",
  openedAt: null,
  closesAt: null,
  closedAt: null,
  ...patch,
});
const studentView = (patch: Partial<QuizDto> = {}) => quiz({ questions: [{ text: "2 + 2?", kind: "single", options: ["3", "4"], points: 1 }], ...patch });

describe("quizzesReducer", () => {
  it("a manager's complete quiz keeps its correct marks when the class's copy (without them) arrives", () => {
    let state = quizzesReducer(initialQuizzesState, { type: "updated", quiz: quiz() });
    state = quizzesReducer(state, { type: "updated", quiz: studentView() });
    expect(state.views[0]!.quiz.questions[0]!.correct).toEqual([1]);
    state = quizzesReducer(state, { type: "updated", quiz: quiz({ status: "closed" }) });
    expect(state.views[0]!.quiz.status).toBe("closed");
  });

  it("a student's quiz gets its score, and the card shows it until hidden", () => {
    let state = quizzesReducer(initialQuizzesState, { type: "list", views: [{ quiz: studentView(), results: null, mySubmission: null }] });
    state = quizzesReducer(state, {
      type: "submitted",
      submission: { quizId: "q1", answers: [[1]], score: 1, maxScore: 1, submittedAt: "2030-01-01T00:01:00.000Z" },
    });
    expect(state.views[0]!.mySubmission?.score).toBe(1);
    expect(cardQuiz(state, new Set())?.quiz.id).toBe("q1");
    expect(cardQuiz(state, new Set(["q1:open"]))).toBeUndefined();
    expect(quizzesReducer(state, { type: "deleted", quizId: "q1" }).views).toEqual([]);
  });

  it("isRight: exactly the correct options", () => {
    expect(isRight([1, 2], [1, 2])).toBe(true);
    expect(isRight([1, 2], [2])).toBe(false);
    expect(isRight([1], [])).toBe(false);
    expect(isRight(undefined, [1])).toBe(false);
  });
});
