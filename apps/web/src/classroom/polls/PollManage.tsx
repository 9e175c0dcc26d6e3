import type { PollView } from "@vtp/protocol";
import { Countdown } from "./Countdown";
import { PollResults } from "./PollResults";
import { KIND_LABELS, emptyResults } from "./pollState";
import type { PollActions } from "./usePolls";

const STATUS_LABELS = { draft: "Draft", open: "Open", closed: "Closed" } as const;

/**
 * One poll as a teacher or speaker runs it: a draft (Open, Delete), an open poll (live bars,
 * Close, Publish results), a closed one (final bars, Publish, Run again).
 */
export function PollManage({ view, actions, run }: { view: PollView; actions: PollActions; run: (done: string, fn: () => Promise<unknown>) => void }) {
  const { poll, results } = view;
  const id = poll.id;
  return (
    <li className="poll-item" data-testid="poll-item" data-poll-id={id} data-status={poll.status} data-published={poll.published}>
      <div className="poll-head">
        <h3 className="poll-question" data-testid="poll-question">
          {poll.question}
        </h3>
        {poll.status === "open" && poll.closesAt ? <Countdown closesAt={poll.closesAt} /> : null}
      </div>
      <p className="poll-tags small muted">
        <span className={`poll-status poll-status-${poll.status}`}>{STATUS_LABELS[poll.status]}</span> {KIND_LABELS[poll.kind]}
        {poll.anonymous && " · anonymous"}
        {poll.showResultsLive && " · results live"}
        {poll.published && " · results published"}
        {poll.durationSeconds && poll.status === "draft" ? ` · ${poll.durationSeconds} s timer` : ""}
      </p>
      {poll.status === "draft" && poll.options.length > 0 && <p className="small">{poll.options.join(" · ")}</p>}
      {poll.status !== "draft" && <PollResults poll={poll} results={results ?? emptyResults(poll)} />}
      <div className="poll-actions">
        {poll.status === "draft" && (
          <>
            <button type="button" className="btn btn-primary btn-sm" onClick={() => run("Poll opened.", () => actions.open(id))} data-testid="poll-open">
              Open
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-sm danger-text"
              onClick={() => run("Draft deleted.", () => actions.remove(id))}
              data-testid="poll-delete"
            >
              Delete
            </button>
          </>
        )}
        {poll.status === "open" && (
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => run("Poll closed.", () => actions.close(id))} data-testid="poll-close">
            Close
          </button>
        )}
        {poll.status !== "draft" && !poll.published && (
          <button
            type="button"
            className="btn btn-primary btn-sm"
            onClick={() => run("Results published to the class.", () => actions.publish(id))}
            data-testid="poll-publish"
          >
            Publish results
          </button>
        )}
        {poll.status === "closed" && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => run("Poll opened again.", () => actions.rerun(id))} data-testid="poll-rerun">
            Run again
          </button>
        )}
      </div>
    </li>
  );
}
