import type { PollDto, PollResultsDto } from "@vtp/protocol";
import { percentOf } from "./pollState";

const answeredText = (answered: number) => (answered === 1 ? "1 answered" : `${answered} answered`);

/**
 * A poll's results: one bar per option with its count and percent of those who answered, or
 * the text answers as a list (without names when the poll is anonymous: the server sends none).
 */
export function PollResults({ poll, results, mine }: { poll: PollDto; results: PollResultsDto; mine?: number[] }) {
  return (
    <div className="poll-results" data-testid="poll-results">
      <p className="poll-answered small" data-testid="poll-answered" data-count={results.answered}>
        {answeredText(results.answered)}
      </p>
      {poll.kind === "text" ? (
        results.textAnswers.length === 0 ? (
          <p className="muted small">No answers yet.</p>
        ) : (
          <ul className="poll-text-answers" aria-label="Answers">
            {results.textAnswers.map((answer, index) => (
              // Text answers have no id; they come oldest first and are only ever appended.
              // biome-ignore lint/suspicious/noArrayIndexKey: the position is the answer's identity here.
              <li key={index} data-testid="poll-text-answer">
                <span className="poll-text">{answer.text}</span>
                {answer.authorName && <span className="poll-author small muted">{answer.authorName}</span>}
              </li>
            ))}
          </ul>
        )
      ) : (
        <ul className="poll-bars" aria-label="Results">
          {poll.options.map((option, index) => {
            const count = results.counts[index] ?? 0;
            const percent = percentOf(count, results.answered);
            const chosen = mine?.includes(index);
            return (
              <li key={option} className={chosen ? "poll-bar-row mine" : "poll-bar-row"} data-testid="poll-result" data-option={option}>
                <div className="poll-bar-label">
                  <span className="poll-bar-option">
                    {option}
                    {chosen && <span className="sr-only"> (your answer)</span>}
                  </span>
                  <span className="poll-bar-value" data-testid="poll-bar-value">
                    {count} · {percent}%
                  </span>
                </div>
                <div
                  className="poll-bar"
                  role="img"
                  aria-label={`${option}: ${count} (${percent}%)`}
                  data-testid="poll-bar"
                  data-option={option}
                  data-count={count}
                  data-percent={percent}
                >
                  <span className="poll-bar-fill" style={{ width: `${percent}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
