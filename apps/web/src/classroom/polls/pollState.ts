import {
  POLL_FIXED_OPTIONS,
  POLL_OPTION_MAX,
  POLL_OPTIONS_MAX,
  POLL_OPTIONS_MIN,
  POLL_QUESTION_MAX,
  POLL_TEXT_ANSWER_MAX,
  type PollAnswerDto,
  type PollDraft,
  type PollDto,
  type PollKind,
  type PollResultsDto,
  type PollView,
} from "@vtp/protocol";

/** The class's polls as this person may see them, newest first. */
export interface PollsState {
  views: PollView[];
  /** The first `poll-list` of this connection has answered. */
  loaded: boolean;
}

export type PollsAction =
  | { type: "list"; views: PollView[] }
  | { type: "updated"; poll: PollDto }
  | { type: "results"; results: PollResultsDto }
  | { type: "deleted"; pollId: string }
  | { type: "answered"; answer: PollAnswerDto };

export const initialPollsState: PollsState = { views: [], loaded: false };

const newestFirst = (views: PollView[]) => [...views].sort((x, y) => y.poll.createdAt.localeCompare(x.poll.createdAt));

function changeView(state: PollsState, pollId: string, change: (view: PollView) => PollView): PollsState {
  if (!state.views.some((view) => view.poll.id === pollId)) return state;
  return { ...state, views: state.views.map((view) => (view.poll.id === pollId ? change(view) : view)) };
}

/** Every poll event and ack goes through here. */
export function pollsReducer(state: PollsState, action: PollsAction): PollsState {
  switch (action.type) {
    case "list":
      return { views: newestFirst(action.views), loaded: true };
    case "updated": {
      const known = state.views.find((view) => view.poll.id === action.poll.id);
      if (!known) return { ...state, views: newestFirst([{ poll: action.poll, results: null, myAnswer: null }, ...state.views]) };
      return changeView(state, action.poll.id, (view) => ({ ...view, poll: action.poll }));
    }
    case "results":
      return changeView(state, action.results.pollId, (view) => ({ ...view, results: action.results }));
    case "deleted":
      return { ...state, views: state.views.filter((view) => view.poll.id !== action.pollId) };
    case "answered":
      return changeView(state, action.answer.pollId, (view) => ({ ...view, myAnswer: action.answer }));
  }
}

/** The options a poll's kind is answered with (fixed for yes/no and rating, none for text). */
export function optionsFor(kind: PollKind, written: string[]): string[] {
  if (kind === "text") return [];
  return [...(POLL_FIXED_OPTIONS[kind] ?? written)];
}

export const KIND_LABELS: Record<PollKind, string> = {
  single: "Single choice",
  multiple: "Multiple choice",
  "yes-no": "Yes / no",
  rating: "Rating 1–5",
  text: "Short text",
};

/** The timer choices of the new-poll form, in seconds (null: the teacher closes it). */
export const TIMER_CHOICES: { seconds: number | null; label: string }[] = [
  { seconds: null, label: "No timer" },
  { seconds: 30, label: "30 seconds" },
  { seconds: 60, label: "1 minute" },
  { seconds: 120, label: "2 minutes" },
  { seconds: 300, label: "5 minutes" },
];

/** What the new-poll form holds. */
export interface PollForm {
  question: string;
  kind: PollKind;
  options: string[];
  anonymous: boolean;
  showResultsLive: boolean;
  durationSeconds: number | null;
}

export const emptyPollForm = (): PollForm => ({
  question: "",
  kind: "single",
  options: ["", ""],
  anonymous: false,
  showResultsLive: false,
  durationSeconds: null,
});

/** The form as the protocol's draft, or the first problem a person must fix. */
export function draftFromForm(form: PollForm): { draft: PollDraft } | { problem: string } {
  const question = form.question.trim();
  if (!question) return { problem: "Write the question." };
  if (question.length > POLL_QUESTION_MAX) return { problem: `The question can be at most ${POLL_QUESTION_MAX} characters.` };
  const draft: PollDraft = {
    question,
    kind: form.kind,
    anonymous: form.anonymous,
    showResultsLive: form.showResultsLive,
    durationSeconds: form.durationSeconds,
  };
  if (form.kind === "single" || form.kind === "multiple") {
    const options = form.options.map((option) => option.trim()).filter(Boolean);
    if (options.length < POLL_OPTIONS_MIN) return { problem: `Give at least ${POLL_OPTIONS_MIN} options.` };
    if (options.length > POLL_OPTIONS_MAX) return { problem: `A poll can have at most ${POLL_OPTIONS_MAX} options.` };
    if (options.some((option) => option.length > POLL_OPTION_MAX)) return { problem: `Options can be at most ${POLL_OPTION_MAX} characters.` };
    if (new Set(options.map((option) => option.toLowerCase())).size !== options.length) return { problem: "Two options are the same." };
    draft.options = options;
  }
  return { draft };
}

/** A student's answer as sent, or the first problem with it. */
export function answerProblem(kind: PollKind, choices: number[], text: string): string | null {
  if (kind === "text") {
    const trimmed = text.trim();
    if (!trimmed) return "Write your answer.";
    if ([...trimmed].length > POLL_TEXT_ANSWER_MAX) return `Answers can be at most ${POLL_TEXT_ANSWER_MAX} characters.`;
    return null;
  }
  if (choices.length === 0) return kind === "multiple" ? "Choose at least one option." : "Choose an option.";
  return null;
}

/** Whole percent of the people who answered (multiple choice may add up to more than 100). */
export function percentOf(count: number, answered: number): number {
  return answered > 0 ? Math.round((count / answered) * 100) : 0;
}

/** "1:05", "0:09": the time left of a timed poll. */
export function formatCountdown(msLeft: number): string {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** How many polls are open (the control bar's badge). */
export function openPollCount(state: PollsState): number {
  return state.views.filter((view) => view.poll.status === "open").length;
}

/** A key that changes whenever a poll's state does: a student's card comes back for a new state. */
export const cardKey = (poll: PollDto) => `${poll.id}:${poll.status}:${poll.published}`;

/**
 * The poll a student's card shows: the newest open poll, else the newest published or just
 * closed one — unless the student hid the card for that state of it.
 */
export function cardPoll(state: PollsState, hidden: ReadonlySet<string>): PollView | null {
  const shown = state.views.filter((view) => view.poll.status !== "draft" && !hidden.has(cardKey(view.poll)));
  return shown.find((view) => view.poll.status === "open") ?? shown[0] ?? null;
}

/** Results before the first answer (the server may send none until someone answers). */
export const emptyResults = (poll: PollDto): PollResultsDto => ({ pollId: poll.id, answered: 0, counts: poll.options.map(() => 0), textAnswers: [] });
