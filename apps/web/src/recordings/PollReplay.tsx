import type { RecordingPollDto, RecordingQuizDto } from "@vtp/protocol";
import "../styles/polls.css";
import { PollResults } from "../classroom/polls/PollResults";
import { KIND_LABELS } from "../classroom/polls/pollState";
import { clock } from "./format";

/**
 * The polls of a recording, replayed in time: a poll appears once the recording reaches the
 * moment it was opened, and shows its final results (when this viewer may see them) from the
 * moment it was closed. Seeking moves it, like the chat beside it.
 */
export function PollReplay({
  polls,
  quizzes = [],
  timeMs,
  onSeek,
}: {
  polls: RecordingPollDto[];
  quizzes?: RecordingQuizDto[];
  timeMs: number;
  onSeek: (ms: number) => void;
}) {
  if (polls.length === 0 && quizzes.length === 0) return null;
  const asked = polls.filter((item) => item.openedOffsetMs <= timeMs);
  const quizzesAsked = quizzes.filter((item) => item.openedOffsetMs <= timeMs);
  return (
    <section aria-labelledby="poll-replay-h" className="poll-replay" data-testid="recording-polls">
      <h2 id="poll-replay-h">{quizzes.length > 0 ? "Polls and quizzes" : "Polls"}</h2>
      {asked.length === 0 && quizzesAsked.length === 0 && <p className="muted small">They appear here as the recording plays.</p>}
      <ol className="replay">
        {asked.map((item) => (
          <ReplayedPoll key={item.poll.id} item={item} closed={item.closedOffsetMs !== null && item.closedOffsetMs <= timeMs} onSeek={onSeek} />
        ))}
        {quizzesAsked.map((item) => (
          <ReplayedQuiz key={item.quizId} item={item} closed={item.closedOffsetMs !== null && item.closedOffsetMs <= timeMs} onSeek={onSeek} />
        ))}
      </ol>
    </section>
  );
}

function ReplayedPoll({ item, closed, onSeek }: { item: RecordingPollDto; closed: boolean; onSeek: (ms: number) => void }) {
  const { poll, results } = item;
  return (
    <li data-testid="recording-poll" data-poll-id={poll.id} data-closed={closed}>
      <button type="button" className="replay-time mono" onClick={() => onSeek(item.openedOffsetMs)} aria-label={`Go to ${clock(item.openedOffsetMs / 1000)}`}>
        {clock(Math.max(0, item.openedOffsetMs) / 1000)}
      </button>
      <strong>{poll.question}</strong>{" "}
      <span className="muted small">
        {KIND_LABELS[poll.kind]}
        {poll.anonymous ? " · anonymous" : ""} · {closed ? "closed" : "open"}
      </span>
      {closed && !results && <p className="muted small">The results were not shared with the class.</p>}
      {closed && results && <PollResults poll={poll} results={results} />}
    </li>
  );
}

function ReplayedQuiz({ item, closed, onSeek }: { item: RecordingQuizDto; closed: boolean; onSeek: (ms: number) => void }) {
  return (
    <li data-testid="recording-quiz" data-quiz-id={item.quizId} data-closed={closed}>
      <button type="button" className="replay-time mono" onClick={() => onSeek(item.openedOffsetMs)} aria-label={`Go to ${clock(item.openedOffsetMs / 1000)}`}>
        {clock(Math.max(0, item.openedOffsetMs) / 1000)}
      </button>
      <strong>Quiz: {item.title}</strong>{" "}
      <span className="muted small">
        {item.questions} {item.questions === 1 ? "question" : "questions"} · {closed ? "closed" : "open"}
      </span>
      {closed && item.submitted !== null && (
        <p className="small" data-testid="recording-quiz-summary">
          {item.submitted} submitted
          {item.averageScore !== null ? ` · class average ${item.averageScore} / ${item.maxScore}` : ""}
        </p>
      )}
    </li>
  );
}
