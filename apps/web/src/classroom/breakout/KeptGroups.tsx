import { useEffect, useState } from "react";
import type { BreakoutGroupRecordDto } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import type { Breakout } from "./useBreakout";

type Run = (done: string, fn: () => Promise<unknown>) => void;

/** The host's list of closed groups of this class: each group's kept chat and board, to show to the class. */
export function KeptGroups({ breakout, run, describe }: { breakout: Breakout; run: Run; describe: (err: unknown) => string }) {
  const [groups, setGroups] = useState<BreakoutGroupRecordDto[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { actions, state } = breakout;
  // Loaded when the panel opens and whenever groups close.
  useEffect(() => {
    if (state) return;
    let alive = true;
    actions.history().then(
      (list) => alive && setGroups(list),
      (err) => alive && setError(err),
    );
    return () => {
      alive = false;
    };
  }, [actions, state]);
  if (error) return <p className="form-error">{describe(error)}</p>;
  if (!groups?.length) return null;
  return (
    <section className="panel-section" data-testid="breakout-kept">
      <h3>Earlier groups</h3>
      <ul className="breakout-members">
        {groups.map((group) => (
          <li key={group.groupId} data-testid="breakout-kept-group" data-group-id={group.groupId}>
            <span className="grow">
              {group.name} <small className="muted">({group.messages.length} messages)</small>
            </span>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => run(`${group.name}'s chat is shown to the class.`, () => actions.show(group.groupId))}
              data-testid="breakout-show"
            >
              Show to class
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => run(`${group.name}'s board is shown to the class.`, () => actions.showBoard(group.groupId))}
              data-testid="breakout-show-board"
            >
              Show board
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A group's kept chat, shown by the host to the whole class. */
export function ShownGroup({ group, onClose }: { group: BreakoutGroupRecordDto; onClose: () => void }) {
  return (
    <section className="breakout-shown" data-testid="breakout-shown" data-group-id={group.groupId} aria-label={`${group.name}'s chat`}>
      <header className="poll-card-head">
        <strong>
          {group.name} — {group.memberNames.join(", ")}
        </strong>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close the group's chat">
          <Icon name="close" />
        </button>
      </header>
      {group.messages.length === 0 ? (
        <p className="muted">The group wrote nothing.</p>
      ) : (
        <ol className="breakout-shown-list">
          {group.messages.map((message) => (
            <li key={message.id} data-testid="breakout-shown-message">
              <strong>{message.authorName}:</strong> {message.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
