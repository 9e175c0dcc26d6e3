import { useState, type FormEvent } from "react";
import {
  POLL_FIXED_OPTIONS,
  POLL_OPTION_MAX,
  POLL_OPTIONS_MAX,
  POLL_QUESTION_MAX,
  QUIZ_POINTS_MAX,
  QUIZ_QUESTIONS_MAX,
  QUIZ_TITLE_MAX,
  type QuizDraft,
  type QuizQuestionKind,
} from "@vtp/protocol";

interface EditedQuestion {
  /** Stable while questions are added and removed (React's key). */
  key: number;
  text: string;
  kind: QuizQuestionKind;
  options: string[];
  correct: number[];
  points: number;
}

const KINDS: Array<[QuizQuestionKind, string]> = [
  ["single", "Single choice"],
  ["multiple", "Multiple choice"],
  ["yes-no", "Yes / no"],
];
let nextKey = 0;
const blankQuestion = (): EditedQuestion => ({ key: nextKey++, text: "", kind: "single", options: ["", ""], correct: [], points: 1 });
const optionsOf = (question: EditedQuestion) => POLL_FIXED_OPTIONS[question.kind] ?? question.options;

/** The quiz as sent, or what is missing. */
function toDraft(title: string, questions: EditedQuestion[], afterClass: boolean, deadline: string, minutes: string): QuizDraft | string {
  if (!title.trim()) return "Give the quiz a title.";
  for (const [index, question] of questions.entries()) {
    const label = `Question ${index + 1}`;
    if (!question.text.trim()) return `${label}: write the question.`;
    if (!POLL_FIXED_OPTIONS[question.kind] && question.options.filter((option) => option.trim()).length < 2) return `${label}: write at least two options.`;
    if (question.correct.length === 0) return `${label}: mark the correct answer.`;
  }
  if (afterClass && !deadline) return "Choose until when students may answer after class.";
  return {
    title: title.trim(),
    questions: questions.map((question) => {
      const fixed = !!POLL_FIXED_OPTIONS[question.kind];
      const kept = question.options.map((option, index) => ({ option: option.trim(), index })).filter((entry) => entry.option);
      const correct = fixed ? question.correct : kept.flatMap((entry, position) => (question.correct.includes(entry.index) ? [position] : []));
      return {
        text: question.text.trim(),
        kind: question.kind,
        points: question.points,
        correct,
        ...(fixed ? {} : { options: kept.map((entry) => entry.option) }),
      };
    }),
    ...(afterClass ? { allowAfterClass: true, deadline: new Date(deadline).toISOString() } : {}),
    ...(!afterClass && minutes ? { durationSeconds: Math.round(Number(minutes) * 60) } : {}),
  };
}

/** The teacher's quiz editor: a title, 1–30 questions with their options, correct marks and points; save as a draft or open now. */
export function QuizEditor({ onCreate, onCancel }: { onCreate: (draft: QuizDraft, open: boolean) => Promise<void>; onCancel: () => void }) {
  const [title, setTitle] = useState("");
  const [questions, setQuestions] = useState<EditedQuestion[]>([blankQuestion()]);
  const [afterClass, setAfterClass] = useState(false);
  const [deadline, setDeadline] = useState("");
  const [minutes, setMinutes] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (index: number, patch: Partial<EditedQuestion>) =>
    setQuestions((before) => before.map((question, position) => (position === index ? { ...question, ...patch } : question)));
  const mark = (index: number, option: number, checked: boolean) => {
    const question = questions[index];
    if (!question) return;
    const correct =
      question.kind === "multiple" ? (checked ? [...question.correct, option].sort((x, y) => x - y) : question.correct.filter((c) => c !== option)) : [option];
    change(index, { correct });
  };
  const send = async (event: FormEvent, open: boolean) => {
    event.preventDefault();
    const draft = toDraft(title, questions, afterClass, deadline, minutes);
    if (typeof draft === "string") return setProblem(draft);
    setBusy(true);
    setProblem(null);
    try {
      await onCreate(draft, open);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="poll-new quiz-editor" onSubmit={(event) => send(event, true)} data-testid="quiz-editor">
      <label className="field">
        <span className="label">Quiz title</span>
        <input className="input" value={title} maxLength={QUIZ_TITLE_MAX} onChange={(event) => setTitle(event.target.value)} data-testid="quiz-title-input" />
      </label>
      <ol className="quiz-questions">
        {questions.map((question, index) => (
          <li key={question.key} className="quiz-edit-question" data-testid="quiz-edit-question">
            <label className="field">
              <span className="label">Question {index + 1}</span>
              <input
                className="input"
                value={question.text}
                maxLength={POLL_QUESTION_MAX}
                onChange={(event) => change(index, { text: event.target.value })}
                data-testid="quiz-q-text"
              />
            </label>
            <div className="row">
              <label className="field">
                <span className="label">Kind</span>
                <select
                  className="input"
                  value={question.kind}
                  onChange={(event) => change(index, { kind: event.target.value as QuizQuestionKind, correct: [] })}
                  data-testid="quiz-q-kind"
                >
                  {KINDS.map(([kind, label]) => (
                    <option key={kind} value={kind}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span className="label">Points</span>
                <input
                  className="input"
                  type="number"
                  min={1}
                  max={QUIZ_POINTS_MAX}
                  value={question.points}
                  onChange={(event) => change(index, { points: Math.min(QUIZ_POINTS_MAX, Math.max(1, Number(event.target.value) || 1)) })}
                  data-testid="quiz-q-points"
                />
              </label>
            </div>
            <fieldset className="poll-options">
              <legend className="small muted">Options — tick the correct {question.kind === "multiple" ? "ones" : "one"}</legend>
              {optionsOf(question).map((option, optionIndex) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place, by position
                <div key={optionIndex} className="row quiz-edit-option">
                  <input
                    type={question.kind === "multiple" ? "checkbox" : "radio"}
                    name={`quiz-correct-${index}`}
                    aria-label={`Option ${optionIndex + 1} is correct`}
                    checked={question.correct.includes(optionIndex)}
                    onChange={(event) => mark(index, optionIndex, event.target.checked)}
                    data-testid="quiz-q-correct"
                  />
                  {POLL_FIXED_OPTIONS[question.kind] ? (
                    <span>{option}</span>
                  ) : (
                    <input
                      className="input"
                      value={option}
                      maxLength={POLL_OPTION_MAX}
                      aria-label={`Option ${optionIndex + 1}`}
                      onChange={(event) => change(index, { options: question.options.map((old, at) => (at === optionIndex ? event.target.value : old)) })}
                      data-testid="quiz-q-option"
                    />
                  )}
                </div>
              ))}
              {!POLL_FIXED_OPTIONS[question.kind] && question.options.length < POLL_OPTIONS_MAX && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => change(index, { options: [...question.options, ""] })}>
                  Add option
                </button>
              )}
            </fieldset>
            {questions.length > 1 && (
              <button
                type="button"
                className="btn btn-ghost btn-sm danger-text"
                onClick={() => setQuestions((before) => before.filter((_, at) => at !== index))}
              >
                Remove question
              </button>
            )}
          </li>
        ))}
      </ol>
      {questions.length < QUIZ_QUESTIONS_MAX && (
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          onClick={() => setQuestions((before) => [...before, blankQuestion()])}
          data-testid="quiz-add-question"
        >
          Add question
        </button>
      )}
      <label className="row small">
        <input type="checkbox" checked={afterClass} onChange={(event) => setAfterClass(event.target.checked)} data-testid="quiz-after-class" />
        Students may answer after class, until a deadline
      </label>
      {afterClass ? (
        <label className="field">
          <span className="label">Deadline</span>
          <input className="input" type="datetime-local" value={deadline} onChange={(event) => setDeadline(event.target.value)} data-testid="quiz-deadline" />
        </label>
      ) : (
        <label className="field">
          <span className="label">Time limit in minutes (optional)</span>
          <input
            className="input"
            type="number"
            min={1}
            max={60}
            value={minutes}
            onChange={(event) => setMinutes(event.target.value)}
            data-testid="quiz-minutes"
          />
        </label>
      )}
      <p className="small muted">Scores are not anonymous: you see each student's score.</p>
      {problem && (
        <p className="poll-error" role="alert" data-testid="quiz-editor-error">
          {problem}
        </p>
      )}
      <div className="poll-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy} data-testid="quiz-open-now">
          Open now
        </button>
        <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={(event) => send(event, false)} data-testid="quiz-save">
          Save draft
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
