import type { QuizView } from "@vtp/protocol";
import { Countdown } from "../polls/Countdown";
import { QuizResults } from "./QuizResults";
import type { QuizActions } from "./useQuizzes";

const STATUS_LABELS = { draft: "Draft", open: "Open", closed: "Closed" } as const;

/** One quiz as a teacher or speaker runs it: a draft (Open, Delete), an open quiz ("N submitted", Close), a closed one (scores). */
export function QuizManage({ view, actions, run }: { view: QuizView; actions: QuizActions; run: (done: string, fn: () => Promise<unknown>) => void }) {
  const { quiz, results } = view;
  const id = quiz.id;
  return (
    <li className="poll-item" data-testid="quiz-item" data-quiz-id={id} data-status={quiz.status}>
      <div className="poll-head">
        <h3 className="poll-question" data-testid="quiz-title">
          {quiz.title}
        </h3>
        {quiz.status === "open" && quiz.closesAt && !quiz.allowAfterClass ? <Countdown closesAt={quiz.closesAt} /> : null}
      </div>
      <p className="poll-tags small muted">
        <span className={`poll-status poll-status-${quiz.status}`}>{STATUS_LABELS[quiz.status]}</span> {quiz.questions.length} question
        {quiz.questions.length === 1 ? "" : "s"} · {quiz.maxScore} points
        {quiz.allowAfterClass && quiz.deadline ? ` · after class until ${new Date(quiz.deadline).toLocaleString()}` : ""}
      </p>
      {quiz.status !== "draft" && <QuizResults quiz={quiz} results={results} />}
      <div className="poll-actions">
        {quiz.status === "draft" && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => run("Quiz opened.", () => actions.open(id))} data-testid="quiz-open">
            Open
          </button>
        )}
        {quiz.status === "open" && (
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => run("Quiz closed.", () => actions.close(id))} data-testid="quiz-close">
            Close
          </button>
        )}
        <button
          type="button"
          className="btn btn-ghost btn-sm danger-text"
          onClick={() => run("Quiz deleted.", () => actions.remove(id))}
          data-testid="quiz-delete"
        >
          Delete
        </button>
      </div>
    </li>
  );
}
