import type { BoardDrawPolicy, BoardLayout, BoardStageDto, ParticipantDto } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import type { BoardActions } from "./useBoard";

/** The host's board settings: who turns pages, who draws (with a picker of students), the layout. */
export function BoardSettings(props: {
  stage: BoardStageDto;
  participants: ParticipantDto[];
  meId: string;
  actions: BoardActions;
  run: (done: string, fn: () => Promise<unknown>) => void;
  onClose: () => void;
}) {
  const { stage, actions, run } = props;
  const people = props.participants.filter((p) => p.userId !== props.meId && p.role !== "host");
  const allowed = new Set(stage.allowedUserIds);
  const toggle = (userId: string, on: boolean) => {
    const next = on ? [...allowed, userId] : [...allowed].filter((id) => id !== userId);
    run(on ? "They can draw now." : "They can no longer draw.", () => actions.settings({ allowedUserIds: next }));
  };
  return (
    <section className="board-settings" aria-label="Board settings" data-testid="board-settings">
      <header className="board-settings-head">
        <strong>Board settings</strong>
        <button type="button" className="btn btn-ghost btn-icon" onClick={props.onClose} aria-label="Close board settings">
          <Icon name="close" size={16} />
        </button>
      </header>
      <label className="board-setting">
        <span>Who turns the pages</span>
        <select
          className="select"
          value={stage.presenterId ?? ""}
          onChange={(event) => run("Presenter changed.", () => actions.settings({ presenterId: event.target.value || null }))}
          data-testid="board-presenter"
        >
          <option value="">The teacher</option>
          {people.map((p) => (
            <option key={p.userId} value={p.userId}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label className="board-setting">
        <span>Who may draw</span>
        <select
          className="select"
          value={stage.drawPolicy}
          onChange={(event) => run("Drawing rights changed.", () => actions.settings({ drawPolicy: event.target.value as BoardDrawPolicy }))}
          data-testid="board-draw-policy"
        >
          <option value="host-only">Only the teacher (and the presenter)</option>
          <option value="everyone">Everyone</option>
          <option value="chosen">Chosen students</option>
        </select>
      </label>
      {stage.drawPolicy === "chosen" && (
        <fieldset className="board-allowed" data-testid="board-allowed-list">
          <legend>Students who may draw</legend>
          {people.length === 0 && <p className="muted small">Nobody else is in the class yet.</p>}
          {people.map((p) => (
            <label key={p.userId} className="board-allowed-row">
              <input
                type="checkbox"
                checked={allowed.has(p.userId)}
                onChange={(event) => toggle(p.userId, event.target.checked)}
                data-testid="board-allowed"
                data-user-id={p.userId}
              />
              {p.name}
            </label>
          ))}
        </fieldset>
      )}
      <label className="board-setting">
        <span>Layout</span>
        <select
          className="select"
          value={stage.layout}
          onChange={(event) => run("Layout changed.", () => actions.settings({ layout: event.target.value as BoardLayout }))}
          data-testid="board-layout"
        >
          <option value="side-by-side">Board and camera side by side</option>
          <option value="camera-tile">Board, camera as a small tile</option>
        </select>
      </label>
    </section>
  );
}
