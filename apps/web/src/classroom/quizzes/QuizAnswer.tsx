import { useEffect, useState, type FormEvent } from "react";
import type { QuizView } from "@vtp/protocol";
import { Countdown } from "../polls/Countdown";
import { isRight } from "./quizState";

/**
 * A student's side of one quiz: every question on one form (radio buttons, or checkboxes for
 * multiple choice), "Submit" (the answers can change until the quiz closes); once closed, their
 * score and, per question, the right answers marked against theirs.
 */
export function QuizAnswer({
  view,
  onSubmit,
  describe,
}: {
  view: QuizView;
  onSubmit: (answers: number[][]) => Promise<void>;
  describe: (err: unknown) => string;
}) {
  const { quiz, mySubmission } = view;
  const [answers, setAnswers] = useState<number[][]>(() => mySubmission?.answers ?? quiz.questions.map(() => []));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState(!mySubmission);

  useEffect(() => {
    if (!mySubmission) return;
    setAnswers(mySubmission.answers);
    setEditing(false);
  }, [mySubmission]);

  const open = quiz.status === "open";
  const choose = (questionIndex: number, option: number, checked: boolean, single: boolean) => {
    setEditing(true);
    setProblem(null);
    setAnswers((before) =>
      before.map((chosen, index) => {
        if (index !== questionIndex) return chosen;
        if (single) return [option];
        return checked ? [...chosen.filter((choice) => choice !== option), option].sort((x, y) => x - y) : chosen.filter((choice) => choice !== option);
      }),
    );
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(answers);
      setEditing(false);
    } catch (err) {
      setProblem(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const shown = open ? answers : (mySubmission?.answers ?? []);

  return (
    <div className="quiz-answer" data-testid="quiz-answer" data-quiz-id={quiz.id} data-status={quiz.status}>
      <div className="poll-head">
        <h3 className="poll-question" data-testid="quiz-title">
          {quiz.title}
        </h3>
        {open && quiz.closesAt && !quiz.allowAfterClass && <Countdown closesAt={quiz.closesAt} />}
      </div>
      <p className="small muted">
        {quiz.questions.length} question{quiz.questions.length === 1 ? "" : "s"} · {quiz.maxScore} point{quiz.maxScore === 1 ? "" : "s"} · scores are not
        anonymous: the teacher sees yours.
        {quiz.allowAfterClass && quiz.deadline ? ` Open until ${new Date(quiz.deadline).toLocaleString()}.` : ""}
      </p>
      {!open && (
        <p className="quiz-score" data-testid="quiz-score">
          {!mySubmission ? (
            "Quiz closed — you did not submit."
          ) : mySubmission.score === null ? (
            "Quiz closed — your score is on its way…"
          ) : (
            <>
              Your score: <strong>{`${mySubmission.score} / ${mySubmission.maxScore}`}</strong>
            </>
          )}
        </p>
      )}
      <form className="quiz-form" onSubmit={submit}>
        <ol className="quiz-questions">
          {quiz.questions.map((question, questionIndex) => {
            const single = question.kind !== "multiple";
            const chosen = shown[questionIndex] ?? [];
            const right = !open && question.correct ? isRight(question.correct, chosen) : null;
            return (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: a quiz's questions never move
                key={questionIndex}
                className="quiz-question"
                data-testid="quiz-question"
                data-right={right === null ? undefined : String(right)}
              >
                <fieldset className="poll-options" disabled={!open}>
                  <legend className="quiz-question-text">
                    {question.text}{" "}
                    <span className="small muted">
                      ({question.points} pt{question.points === 1 ? "" : "s"})
                    </span>
                    {right !== null && <span className={right ? "quiz-mark quiz-right" : "quiz-mark quiz-wrong"}>{right ? " ✓ right" : " ✗ wrong"}</span>}
                  </legend>
                  {question.options.map((option, optionIndex) => {
                    const correct = question.correct?.includes(optionIndex);
                    return (
                      <label
                        key={option}
                        className={`poll-option${!open && correct ? " quiz-correct" : ""}`}
                        data-testid="quiz-option"
                        data-option={option}
                        data-correct={!open && correct ? "true" : undefined}
                      >
                        <input
                          type={single ? "radio" : "checkbox"}
                          name={`quiz-${quiz.id}-${questionIndex}`}
                          checked={chosen.includes(optionIndex)}
                          onChange={(event) => choose(questionIndex, optionIndex, event.target.checked, single)}
                        />
                        <span>{option}</span>
                        {!open && correct && <span className="small quiz-right"> (correct answer)</span>}
                      </label>
                    );
                  })}
                </fieldset>
              </li>
            );
          })}
        </ol>
        {problem && (
          <p className="poll-error" role="alert" data-testid="quiz-error">
            {problem}
          </p>
        )}
        {open && mySubmission && !editing && (
          <p className="poll-sent" role="status" data-testid="quiz-sent">
            Your answers were sent — you can change them until the quiz closes.
          </p>
        )}
        {open && (
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || (!!mySubmission && !editing)} data-testid="quiz-submit">
            {!mySubmission ? "Submit" : editing ? "Submit changes" : "Sent"}
          </button>
        )}
      </form>
    </div>
  );
}
