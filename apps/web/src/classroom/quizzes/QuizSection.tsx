import "./quizzes.css";
import { useState } from "react";
import { Icon } from "../../ui/Icon";
import { QuizAnswer } from "./QuizAnswer";
import { QuizEditor } from "./QuizEditor";
import { QuizManage } from "./QuizManage";
import type { Quizzes } from "./useQuizzes";

/** The Quizzes part of the Polls panel: the editor and the quizzes to run (teachers, speakers), or to answer (students). */
export function QuizSection({
  quizzes,
  manager,
  run,
  describe,
}: {
  quizzes: Quizzes;
  manager: boolean;
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
}) {
  const { state, actions, listError } = quizzes;
  const [composing, setComposing] = useState(false);
  return (
    <section className="quiz-section" aria-labelledby="quizzes-h" data-testid="quiz-section">
      <h2 id="quizzes-h" className="quiz-section-title">
        Quizzes
      </h2>
      {listError ? (
        <p className="poll-error" role="alert">
          {describe(listError)}
        </p>
      ) : null}
      {manager &&
        (composing ? (
          <QuizEditor
            onCreate={async (draft, open) => {
              try {
                await actions.create(draft, open);
              } catch (err) {
                throw new Error(describe(err));
              }
              setComposing(false);
            }}
            onCancel={() => setComposing(false)}
          />
        ) : (
          <button type="button" className="btn btn-secondary" onClick={() => setComposing(true)} data-testid="quiz-new">
            <Icon name="plus" size={18} /> New quiz
          </button>
        ))}
      {state.loaded && state.views.length === 0 && !composing && (
        <p className="muted small">{manager ? "No quizzes yet." : "No quizzes yet. When the teacher opens one, it appears here."}</p>
      )}
      {state.views.length > 0 && (
        <ul className="poll-list" aria-label="Quizzes of the class">
          {state.views.map((view) =>
            manager ? (
              <QuizManage key={view.quiz.id} view={view} actions={actions} run={run} />
            ) : (
              <li key={view.quiz.id} className="poll-item" data-testid="quiz-item" data-quiz-id={view.quiz.id} data-status={view.quiz.status}>
                <QuizAnswer view={view} onSubmit={(answers) => actions.submit(view.quiz.id, answers)} describe={describe} />
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}
