import { useEffect, useState, type FormEvent } from "react";
import { POLL_TEXT_ANSWER_MAX, type PollView } from "@vtp/protocol";
import { Countdown } from "./Countdown";
import { PollResults } from "./PollResults";
import { answerProblem } from "./pollState";

/**
 * A student's side of one poll: the question with radio buttons (single, yes/no, rating),
 * checkboxes (multiple) or a text box (text); after sending, a note that the answer can still
 * change; the results when the poll allows it; "Poll closed" once it closes.
 */
export function PollAnswer({
  view,
  onAnswer,
  describe,
}: {
  view: PollView;
  onAnswer: (choices: number[], text: string | null) => Promise<void>;
  describe: (err: unknown) => string;
}) {
  const { poll, results, myAnswer } = view;
  const [choices, setChoices] = useState<number[]>(myAnswer?.choices ?? []);
  const [text, setText] = useState(myAnswer?.text ?? "");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** The form differs from the answer the server holds. */
  const [editing, setEditing] = useState(!myAnswer);

  // The answer arrived from the server (e.g. after a reconnect): show it.
  useEffect(() => {
    if (!myAnswer) return;
    setChoices(myAnswer.choices);
    setText(myAnswer.text ?? "");
    setEditing(false);
  }, [myAnswer]);

  const open = poll.status === "open";
  const single = poll.kind !== "multiple";
  const choose = (index: number, checked: boolean) => {
    setEditing(true);
    setProblem(null);
    setChoices((before) =>
      single ? [index] : checked ? [...before.filter((c) => c !== index), index].sort((x, y) => x - y) : before.filter((c) => c !== index),
    );
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = answerProblem(poll.kind, choices, text);
    if (found) return setProblem(found);
    setBusy(true);
    setProblem(null);
    try {
      await onAnswer(choices, poll.kind === "text" ? text.trim() : null);
      setEditing(false);
    } catch (err) {
      setProblem(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="poll-answer" data-poll-id={poll.id} data-status={poll.status}>
      <div className="poll-head">
        <h3 className="poll-question" data-testid="poll-question">
          {poll.question}
        </h3>
        {open && poll.closesAt && <Countdown closesAt={poll.closesAt} />}
      </div>
      {poll.anonymous && <p className="small muted">Anonymous: nobody sees who answered what.</p>}
      {open ? (
        <form className="poll-form" onSubmit={submit}>
          {poll.kind === "text" ? (
            <label className="field">
              <span className="sr-only">Your answer</span>
              <textarea
                className="textarea"
                rows={2}
                maxLength={POLL_TEXT_ANSWER_MAX}
                value={text}
                placeholder="Your answer"
                onChange={(event) => {
                  setText(event.target.value);
                  setEditing(true);
                  setProblem(null);
                }}
                data-testid="poll-text-input"
              />
            </label>
          ) : (
            <fieldset className={poll.kind === "rating" ? "poll-options poll-rating" : "poll-options"}>
              <legend className="sr-only">{single ? "Choose one" : "Choose any"}</legend>
              {poll.options.map((option, index) => (
                <label key={option} className="poll-option" data-testid="poll-option" data-option={option}>
                  <input
                    type={single ? "radio" : "checkbox"}
                    name={`poll-${poll.id}`}
                    checked={choices.includes(index)}
                    onChange={(event) => choose(index, event.target.checked)}
                  />
                  <span>{option}</span>
                </label>
              ))}
            </fieldset>
          )}
          {problem && (
            <p className="poll-error" role="alert" data-testid="poll-error">
              {problem}
            </p>
          )}
          {myAnswer && !editing && (
            <p className="poll-sent" role="status" data-testid="poll-sent">
              Your answer was sent — you can change it until the poll closes.
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || (!!myAnswer && !editing)} data-testid="poll-submit">
            {!myAnswer ? "Submit" : editing ? "Change answer" : "Sent"}
          </button>
        </form>
      ) : (
        <>
          <p className="poll-closed" data-testid="poll-closed">
            Poll closed{myAnswer ? "" : " — you did not answer"}.{!results && " The teacher has not shared the results."}
          </p>
          {myAnswer?.text && <p className="small">Your answer: {myAnswer.text}</p>}
        </>
      )}
      {results && (open ? poll.showResultsLive || poll.published : true) && <PollResults poll={poll} results={results} mine={myAnswer?.choices} />}
    </div>
  );
}
