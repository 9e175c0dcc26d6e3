import "../../styles/polls.css";
import { useState } from "react";
import { Icon } from "../../ui/Icon";
import { NewPollForm } from "./NewPollForm";
import { PollAnswer } from "./PollAnswer";
import { PollManage } from "./PollManage";
import type { Polls } from "./usePolls";
import { QuizSection } from "../quizzes/QuizSection";
import type { Quizzes } from "../quizzes/useQuizzes";

/**
 * The Polls side panel. Teachers and speakers: a "New poll" form and every poll of the class
 * (drafts included) to run. Students: the polls of the class, to answer and see results.
 */
export function PollsPanel({
  polls,
  quizzes,
  manager,
  run,
  describe,
  onClose,
}: {
  polls: Polls;
  /** The class's quizzes, shown in their own section below the polls. */
  quizzes?: Quizzes;
  manager: boolean;
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
  onClose: () => void;
}) {
  const { state, actions, listError } = polls;
  const [composing, setComposing] = useState(false);
  const views = state.views;
  return (
    <section className="panel poll-panel" aria-labelledby="polls-h" data-testid="poll-panel">
      <header className="panel-head">
        <h2 id="polls-h">Polls</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close polls">
          <Icon name="close" />
        </button>
      </header>
      <div className="panel-body">
        {listError ? (
          <p className="poll-error" role="alert">
            {describe(listError)}
          </p>
        ) : null}
        {manager &&
          (composing ? (
            <NewPollForm
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
            <button type="button" className="btn btn-primary" onClick={() => setComposing(true)} data-testid="poll-new">
              <Icon name="plus" size={18} /> New poll
            </button>
          ))}
        {state.loaded && views.length === 0 && !composing && (
          <p className="muted small">
            {manager ? "No polls yet. Prepare one ahead or launch one now." : "No polls yet. When the teacher asks one, it appears here."}
          </p>
        )}
        {views.length > 0 && (
          <ul className="poll-list" aria-label="Polls of the class">
            {views.map((view) =>
              manager ? (
                <PollManage key={view.poll.id} view={view} actions={actions} run={run} />
              ) : (
                <li key={view.poll.id} className="poll-item" data-testid="poll-item" data-poll-id={view.poll.id} data-status={view.poll.status}>
                  <PollAnswer view={view} onAnswer={(choices, text) => actions.answer(view.poll.id, choices, text)} describe={describe} />
                </li>
              ),
            )}
          </ul>
        )}
        {quizzes && <QuizSection quizzes={quizzes} manager={manager} run={run} describe={describe} />}
      </div>
    </section>
  );
}
