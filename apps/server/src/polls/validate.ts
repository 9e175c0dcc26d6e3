import { POLL_FIXED_OPTIONS, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, POLL_TEXT_ANSWER_MAX, type PollAnswerPayload, type PollDraft } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { NewPoll } from "./repo.js";

const invalid = (field: string, problem: string) => new AppError("VALIDATION_FAILED", `${field}: ${problem}`, [{ field, problem }]);

/** A draft as stored: trimmed question, the kind's options (fixed ones, or 2–10 distinct trimmed ones), defaults. */
export function normalizeDraft(draft: PollDraft): Omit<NewPoll, "roomId" | "createdBy" | "open" | "rerunOf"> {
  const question = draft.question.trim();
  if (!question) throw invalid("poll.question", "must not be blank");
  const given = (draft.options ?? []).map((option) => option.trim());
  let options: string[];
  const fixed = POLL_FIXED_OPTIONS[draft.kind];
  if (fixed) {
    if (given.length > 0) throw invalid("poll.options", `a ${draft.kind} poll has fixed options: leave them out`);
    options = [...fixed];
  } else if (draft.kind === "text") {
    if (given.length > 0) throw invalid("poll.options", "a text poll has no options");
    options = [];
  } else {
    if (given.some((option) => !option)) throw invalid("poll.options", "an option must not be blank");
    if (new Set(given).size !== given.length) throw invalid("poll.options", "options must be different from each other");
    if (given.length < POLL_OPTIONS_MIN || given.length > POLL_OPTIONS_MAX)
      throw invalid("poll.options", `must have ${POLL_OPTIONS_MIN} to ${POLL_OPTIONS_MAX} options`);
    options = given;
  }
  return {
    question,
    kind: draft.kind,
    options,
    anonymous: draft.anonymous ?? false,
    showResultsLive: draft.showResultsLive ?? false,
    durationSeconds: draft.durationSeconds ?? null,
  };
}

const wrong = (message: string) => new AppError("INVALID_ANSWER", message);

/** The answer as stored (choices sorted, text trimmed), or INVALID_ANSWER when it does not fit the poll's kind. */
export function checkAnswer(
  kind: NewPoll["kind"],
  optionCount: number,
  payload: Pick<PollAnswerPayload, "choices" | "text">,
): { choices: number[]; text: string | null } {
  const choices = payload.choices ?? [];
  if (kind === "text") {
    if (choices.length > 0) throw wrong("A text poll takes a text answer, not choices");
    const text = (payload.text ?? "").trim();
    if (!text) throw wrong("Write an answer");
    if (text.length > POLL_TEXT_ANSWER_MAX) throw wrong(`An answer has at most ${POLL_TEXT_ANSWER_MAX} characters`);
    return { choices: [], text };
  }
  if (payload.text !== undefined) throw wrong("This poll takes choices, not text");
  if (choices.some((choice) => choice < 0 || choice >= optionCount)) throw wrong("That option is not one of the poll's");
  if (new Set(choices).size !== choices.length) throw wrong("An option is chosen at most once");
  if (kind === "multiple") {
    if (choices.length === 0) throw wrong("Choose at least one option");
  } else if (choices.length !== 1) throw wrong("Choose exactly one option");
  return { choices: [...choices].sort((first, second) => first - second), text: null };
}
