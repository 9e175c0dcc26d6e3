import { useEffect, useRef, useState, type FormEvent } from "react";

const MAX_LABEL = 200;

/** "m:ss" since the recording started: the label a marker gets when the host types none. */
export function defaultMarkerLabel(startedAt: string, now = Date.now()): string {
  const at = Math.max(0, Math.floor((now - Date.parse(startedAt)) / 1000));
  return `Marked at ${Math.floor(at / 60)}:${String(at % 60).padStart(2, "0")}`;
}

/** The host names the moment being marked in the recording (empty: "Marked at m:ss"). */
export function MarkerDialog({ startedAt, onSave, onCancel }: { startedAt: string; onSave: (label: string) => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [label, setLabel] = useState("");
  // The moment is the click on Mark, not the moment the name is typed.
  const [fallback] = useState(() => defaultMarkerLabel(startedAt));
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(label.trim().slice(0, MAX_LABEL) || fallback);
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="marker-h" onClose={onCancel} data-testid="marker-dialog">
      <form onSubmit={submit} className="form">
        <h2 id="marker-h">Mark this moment</h2>
        <div className="field">
          <label htmlFor="marker-label">Name (shown on the recording's timeline)</label>
          <input
            id="marker-label"
            className="input"
            value={label}
            onChange={(event) => setLabel(event.target.value)}
            maxLength={MAX_LABEL}
            placeholder={fallback}
            autoFocus
            data-testid="marker-label"
          />
        </div>
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" data-testid="marker-save">
            Add marker
          </button>
        </div>
      </form>
    </dialog>
  );
}
