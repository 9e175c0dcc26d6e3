import { StageCard } from "../StageCard";
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
  return (
    <>
      {announcement}
      {view && (
        <StageCard
          kind="Poll"
          title={title}
          testId="poll-card"
          data={{ "data-poll-id": view.poll.id, "data-status": view.poll.status }}
          onHide={() => polls.actions.hideCard(view.poll)}
        >
          <PollAnswer key={view.poll.id} view={view} onAnswer={(choices, text) => polls.actions.answer(view.poll.id, choices, text)} describe={describe} />
        </StageCard>
      )}
    </>
  );
}
