import "./quizzes.css";
import { StageCard } from "../StageCard";
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
  return (
    <>
      {announcement}
      {view && (
        <StageCard
          kind="Quiz"
          title={title}
          testId="quiz-card"
          className="quiz-card"
          data={{ "data-quiz-id": view.quiz.id, "data-status": view.quiz.status }}
          onHide={() => quizzes.actions.hideCard(view.quiz)}
        >
          <QuizAnswer key={view.quiz.id} view={view} onSubmit={(answers) => quizzes.actions.submit(view.quiz.id, answers)} describe={describe} />
        </StageCard>
      )}
    </>
  );
}
