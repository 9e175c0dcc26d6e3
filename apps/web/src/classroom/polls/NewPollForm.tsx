import { useId, useState, type FormEvent } from "react";
import { POLL_KINDS, POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, POLL_QUESTION_MAX, type PollDraft, type PollKind } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import { KIND_LABELS, TIMER_CHOICES, draftFromForm, emptyPollForm, optionsFor, type PollForm } from "./pollState";

/** The teacher's "New poll" form: launch now or keep as a draft. */
export function NewPollForm({ onCreate, onCancel }: { onCreate: (draft: PollDraft, open: boolean) => Promise<void>; onCancel: () => void }) {
  const [form, setForm] = useState<PollForm>(emptyPollForm);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const change = (patch: Partial<PollForm>) => {
    setForm((before) => ({ ...before, ...patch }));
    setProblem(null);
  };
  const setOption = (index: number, value: string) => change({ options: form.options.map((option, i) => (i === index ? value : option)) });
  const written = form.kind === "single" || form.kind === "multiple";

  const submit = async (open: boolean, event?: FormEvent) => {
    event?.preventDefault();
    const made = draftFromForm(form);
    if ("problem" in made) return setProblem(made.problem);
    setBusy(true);
    try {
      await onCreate(made.draft, open);
      setForm(emptyPollForm());
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="poll-new" onSubmit={(event) => submit(true, event)} aria-labelledby={`${id}-h`} data-testid="poll-new-form">
      <h3 id={`${id}-h`}>New poll</h3>
      <div className="field">
        <label htmlFor={`${id}-q`}>Question</label>
        <textarea
          id={`${id}-q`}
          className="textarea"
          rows={2}
          maxLength={POLL_QUESTION_MAX}
          value={form.question}
          onChange={(event) => change({ question: event.target.value.replace(/[\r\n]+/g, " ") })}
          data-testid="poll-question-input"
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-k`}>Kind</label>
        <select
          id={`${id}-k`}
          className="select"
          value={form.kind}
          onChange={(event) => change({ kind: event.target.value as PollKind })}
          data-testid="poll-kind"
        >
          {POLL_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </div>
      {written ? (
        <fieldset className="checks poll-options-editor">
          <legend>Options</legend>
          {form.options.map((option, index) => (
            // Options are edited in place and may be empty or equal while typed: the position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above.
            <div key={index} className="poll-option-edit">
              <input
                className="input"
                value={option}
                maxLength={POLL_OPTION_MAX}
                aria-label={`Option ${index + 1}`}
                onChange={(event) => setOption(index, event.target.value)}
                data-testid="poll-option-input"
              />
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                disabled={form.options.length <= POLL_OPTIONS_MIN}
                onClick={() => change({ options: form.options.filter((_, i) => i !== index) })}
                aria-label={`Remove option ${index + 1}`}
                data-testid="poll-option-remove"
              >
                <Icon name="close" size={16} />
              </button>
            </div>
          ))}
          {form.options.length < POLL_OPTIONS_MAX && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => change({ options: [...form.options, ""] })} data-testid="poll-option-add">
              <Icon name="plus" size={16} /> Add option
            </button>
          )}
        </fieldset>
      ) : (
        form.kind !== "text" && <p className="small muted">Options: {optionsFor(form.kind, []).join(" · ")}</p>
      )}
      <label className="checkbox">
        <input type="checkbox" checked={form.anonymous} onChange={(event) => change({ anonymous: event.target.checked })} data-testid="poll-anonymous" />
        Anonymous (nobody sees who answered what)
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.showResultsLive}
          onChange={(event) => change({ showResultsLive: event.target.checked })}
          data-testid="poll-results-live"
        />
        Students see results live
      </label>
      <div className="field">
        <label htmlFor={`${id}-t`}>Timer</label>
        <select
          id={`${id}-t`}
          className="select"
          value={form.durationSeconds ?? ""}
          onChange={(event) => change({ durationSeconds: event.target.value ? Number(event.target.value) : null })}
          data-testid="poll-timer"
        >
          {TIMER_CHOICES.map((choice) => (
            <option key={choice.label} value={choice.seconds ?? ""}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      {problem && (
        <p className="poll-error" role="alert" data-testid="poll-form-error">
          {problem}
        </p>
      )}
      <div className="poll-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy} data-testid="poll-launch">
          Launch now
        </button>
        <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void submit(false)} data-testid="poll-save-draft">
          Save as draft
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
