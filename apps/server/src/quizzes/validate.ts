import { POLL_FIXED_OPTIONS, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, type QuizDraft, type QuizQuestionDraft } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { StoredQuestion } from "./tables.js";

const invalid = (field: string, problem: string) => new AppError("VALIDATION_FAILED", `${field}: ${problem}`, [{ field, problem }]);
const wrong = (message: string) => new AppError("INVALID_ANSWER", message);

/** A quiz as stored: trimmed texts, the kinds' options (the poll rules), checked correct marks, defaults. */
export interface NormalizedQuiz {
  title: string;
  questions: StoredQuestion[];
  allowAfterClass: boolean;
  deadline: Date | null;
  durationSeconds: number | null;
}

function normalizeQuestion(question: QuizQuestionDraft, index: number): StoredQuestion {
  const field = `quiz.questions.${index}`;
  const text = question.text.trim();
  if (!text) throw invalid(`${field}.text`, "must not be blank");
  const given = (question.options ?? []).map((option) => option.trim());
  let options: string[];
  const fixed = POLL_FIXED_OPTIONS[question.kind];
  if (fixed) {
    if (given.length > 0) throw invalid(`${field}.options`, `a ${question.kind} question has fixed options: leave them out`);
    options = [...fixed];
  } else {
    if (given.some((option) => !option)) throw invalid(`${field}.options`, "an option must not be blank");
    if (new Set(given).size !== given.length) throw invalid(`${field}.options`, "options must be different from each other");
    if (given.length < POLL_OPTIONS_MIN || given.length > POLL_OPTIONS_MAX)
      throw invalid(`${field}.options`, `must have ${POLL_OPTIONS_MIN} to ${POLL_OPTIONS_MAX} options`);
    options = given;
  }
  const correct = question.correct;
  if (correct.some((choice) => choice >= options.length)) throw invalid(`${field}.correct`, "a correct mark names no option of the question");
  if (new Set(correct).size !== correct.length) throw invalid(`${field}.correct`, "an option is marked at most once");
  if (question.kind === "multiple" ? correct.length === 0 : correct.length !== 1)
    throw invalid(`${field}.correct`, question.kind === "multiple" ? "mark at least one correct option" : "mark exactly one correct option");
  return { text, kind: question.kind, options, correct: [...correct].sort((first, second) => first - second), points: question.points ?? 1 };
}

export function normalizeQuiz(draft: QuizDraft, now = new Date()): NormalizedQuiz {
  const title = draft.title.trim();
  if (!title) throw invalid("quiz.title", "must not be blank");
  const allowAfterClass = draft.allowAfterClass ?? false;
  const durationSeconds = draft.durationSeconds ?? null;
  let deadline: Date | null = null;
  if (allowAfterClass) {
    if (!draft.deadline) throw invalid("quiz.deadline", "a quiz answered after class needs a deadline");
    if (durationSeconds !== null) throw invalid("quiz.durationSeconds", "a quiz answered after class closes at its deadline, not by a timer");
    deadline = new Date(draft.deadline);
    if (Number.isNaN(deadline.getTime()) || deadline <= now) throw invalid("quiz.deadline", "must be in the future");
  } else if (draft.deadline) throw invalid("quiz.deadline", "only a quiz answered after class has a deadline");
  return { title, questions: draft.questions.map(normalizeQuestion), allowAfterClass, deadline, durationSeconds };
}

/** The answers as stored (per question sorted choices; empty: not answered), or INVALID_ANSWER. */
export function checkAnswers(questions: StoredQuestion[], answers: number[][]): number[][] {
  if (answers.length !== questions.length) throw wrong(`Give one answer per question (${questions.length}), an empty one to skip it`);
  return questions.map((question, index) => {
    const choices = answers[index] ?? [];
    if (choices.some((choice) => choice < 0 || choice >= question.options.length))
      throw wrong(`Question ${index + 1}: that option is not one of the question's`);
    if (new Set(choices).size !== choices.length) throw wrong(`Question ${index + 1}: an option is chosen at most once`);
    if (question.kind !== "multiple" && choices.length > 1) throw wrong(`Question ${index + 1}: choose one option`);
    return [...choices].sort((first, second) => first - second);
  });
}

/** Whether the chosen options are exactly the correct ones. */
export const isCorrect = (question: StoredQuestion, choices: number[] | undefined) =>
  choices !== undefined && choices.length === question.correct.length && choices.every((choice, index) => choice === question.correct[index]);

export const maxScoreOf = (questions: StoredQuestion[]) => questions.reduce((sum, question) => sum + question.points, 0);

/** The points of the questions answered exactly right (answers are stored sorted). */
export const scoreOf = (questions: StoredQuestion[], answers: number[][]) =>
  questions.reduce((sum, question, index) => sum + (isCorrect(question, answers[index]) ? question.points : 0), 0);
