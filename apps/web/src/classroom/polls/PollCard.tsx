import "../../styles/polls.css";
import { Icon } from "../../ui/Icon";
import { PollAnswer } from "./PollAnswer";
import { cardPoll } from "./pollState";
import type { Polls } from "./usePolls";

/**
 * A student's poll card over the stage (a sheet above the controls on a phone): it appears when
 * a poll opens, closes or its results are published, without opening the panel. "Hide" puts it
 * away until the poll changes again; the Polls panel keeps every poll.
 */
export function PollCard({ polls, describe }: { polls: Polls; describe: (err: unknown) => string }) {
  const view = cardPoll(polls.state, polls.hidden);
  const title = !view ? "" : view.poll.status === "open" ? "Poll" : view.poll.published ? "Poll results" : "Poll closed";
  // The card appears without focus moving: a screen reader hears what changed.
  const announcement = (
    <p className="sr-only" aria-live="polite">
      {view ? `${view.poll.status === "open" ? "New poll" : title}: ${view.poll.question}` : ""}
    </p>
  );
  if (!view) return announcement;
  return (
    <>
      {announcement}
      <aside className="poll-card" aria-label="Poll" data-testid="poll-card" data-poll-id={view.poll.id} data-status={view.poll.status}>
        <header className="poll-card-head">
          <span className="poll-card-title">
            <Icon name="activity" size={16} /> {title}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            onClick={() => polls.actions.hideCard(view.poll)}
            aria-label="Hide poll"
            data-testid="poll-card-hide"
          >
            <Icon name="close" size={16} />
          </button>
        </header>
        <PollAnswer key={view.poll.id} view={view} onAnswer={(choices, text) => polls.actions.answer(view.poll.id, choices, text)} describe={describe} />
      </aside>
    </>
  );
}
