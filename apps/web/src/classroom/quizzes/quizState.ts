import type { QuizDto, QuizResultsDto, QuizSubmissionDto, QuizView } from "@vtp/protocol";

/** The class's quizzes as this person may see them, newest first. */
export interface QuizzesState {
  views: QuizView[];
  loaded: boolean;
}

export type QuizzesAction =
  | { type: "list"; views: QuizView[] }
  | { type: "updated"; quiz: QuizDto }
  | { type: "results"; results: QuizResultsDto }
  | { type: "deleted"; quizId: string }
  | { type: "submitted"; submission: QuizSubmissionDto };

export const initialQuizzesState: QuizzesState = { views: [], loaded: false };

const newestFirst = (views: QuizView[]) => [...views].sort((x, y) => y.quiz.createdAt.localeCompare(x.quiz.createdAt));
const marked = (quiz: QuizDto) => quiz.questions.every((question) => question.correct !== undefined);

function changeView(state: QuizzesState, quizId: string, change: (view: QuizView) => QuizView): QuizzesState {
  if (!state.views.some((view) => view.quiz.id === quizId)) return state;
  return { ...state, views: state.views.map((view) => (view.quiz.id === quizId ? change(view) : view)) };
}

/**
 * Every quiz event and ack goes through here. A manager gets an open quiz twice (the class's copy
 * without correct options, then their complete one): a copy without marks never replaces marks
 * already known for the same state.
 */
export function quizzesReducer(state: QuizzesState, action: QuizzesAction): QuizzesState {
  switch (action.type) {
    case "list":
      return { views: newestFirst(action.views), loaded: true };
    case "updated": {
      const known = state.views.find((view) => view.quiz.id === action.quiz.id);
      if (!known) return { ...state, views: newestFirst([{ quiz: action.quiz, results: null, mySubmission: null }, ...state.views]) };
      const keepMarks = marked(known.quiz) && !marked(action.quiz);
      return changeView(state, action.quiz.id, (view) => ({ ...view, quiz: keepMarks ? { ...action.quiz, questions: view.quiz.questions } : action.quiz }));
    }
    case "results":
      return changeView(state, action.results.quizId, (view) => ({ ...view, results: action.results }));
    case "deleted":
      return { ...state, views: state.views.filter((view) => view.quiz.id !== action.quizId) };
    case "submitted":
      return changeView(state, action.submission.quizId, (view) => ({ ...view, mySubmission: action.submission }));
  }
}

/** The quiz a student's card shows: the open one, else the latest closed one they have not hidden. */
/** How many quizzes of the class take answers now (the Polls control's badge counts them with the open polls). */
export function openQuizCount(state: QuizzesState): number {
  return state.views.filter((view) => view.quiz.status === "open").length;
}

export function cardQuiz(state: QuizzesState, hidden: ReadonlySet<string>): QuizView | undefined {
  return state.views.find((view) => view.quiz.status !== "draft" && !hidden.has(`${view.quiz.id}:${view.quiz.status}`));
}

export const cardKey = (quiz: QuizDto) => `${quiz.id}:${quiz.status}`;

/** Whether the chosen options are exactly the correct ones (both sorted). */
export const isRight = (correct: number[] | undefined, chosen: number[] | undefined) =>
  !!correct && !!chosen && correct.length === chosen.length && correct.every((choice, index) => choice === chosen[index]);
