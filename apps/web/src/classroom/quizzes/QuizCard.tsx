import "./quizzes.css";
import { Icon } from "../../ui/Icon";
import { QuizAnswer } from "./QuizAnswer";
import { cardQuiz } from "./quizState";
import type { Quizzes } from "./useQuizzes";

/**
 * A student's quiz card over the stage (a sheet above the controls on a phone): it appears when a
 * quiz opens or closes (with the score), without opening the panel. "Hide" puts it away until the
 * quiz changes again; the Polls panel's Quizzes section keeps every quiz.
 */
export function QuizCard({ quizzes, describe }: { quizzes: Quizzes; describe: (err: unknown) => string }) {
  const view = cardQuiz(quizzes.state, quizzes.hidden);
  const title = !view ? "" : view.quiz.status === "open" ? "Quiz" : "Quiz closed";
  const announcement = (
    <p className="sr-only" aria-live="polite">
      {view ? `${view.quiz.status === "open" ? "New quiz" : title}: ${view.quiz.title}` : ""}
    </p>
  );
  if (!view) return announcement;
  return (
    <>
      {announcement}
      <aside className="poll-card quiz-card" aria-label="Quiz" data-testid="quiz-card" data-quiz-id={view.quiz.id} data-status={view.quiz.status}>
        <header className="poll-card-head">
          <span className="poll-card-title">
            <Icon name="activity" size={16} /> {title}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            onClick={() => quizzes.actions.hideCard(view.quiz)}
            aria-label="Hide quiz"
            data-testid="quiz-card-hide"
          >
            <Icon name="close" size={16} />
          </button>
        </header>
        <QuizAnswer key={view.quiz.id} view={view} onSubmit={(answers) => quizzes.actions.submit(view.quiz.id, answers)} describe={describe} />
      </aside>
    </>
  );
}
