import { useState, type FormEvent } from "react";
import type { BreakoutStateDto } from "@vtp/protocol";
import type { Breakout } from "./useBreakout";
import type { Person } from "./OpenForm";

type Run = (done: string, fn: () => Promise<unknown>) => void;

/**
 * The host's view of open groups: who is in each, which are talking and which asked for help;
 * visit a group or return to the main room; move a person (a group picker on each person);
 * a message to all groups, "speak to all groups", and close.
 */
export function GroupsOverview({
  state,
  breakout,
  mainRoom,
  micLive,
  run,
}: {
  state: BreakoutStateDto;
  breakout: Breakout;
  /** Students in the main room now (to send into a group). */
  mainRoom: Person[];
  /** My microphone is on (speaking to all groups forwards it). */
  micLive: boolean;
  run: Run;
}) {
  const [text, setText] = useState("");
  const { actions, groupId } = breakout;
  const closing = state.status === "closing";
  const send = (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message) return;
    run("Message sent to every group.", () => actions.broadcast(message).then(() => setText("")));
  };
  const mover = (userId: string, name: string, current: string | null) => (
    <select
      aria-label={`Move ${name}`}
      value={current ?? ""}
      onChange={(event) => {
        const target = event.target.value || null;
        run(`${name} moved.`, () => actions.move(userId, target));
      }}
      disabled={closing}
      data-testid="breakout-move"
    >
      <option value="">Main room</option>
      {state.groups.map((group) => (
        <option key={group.id} value={group.id}>
          {group.name}
        </option>
      ))}
    </select>
  );
  return (
    <div className="breakout-overview" data-testid="breakout-overview" data-status={state.status}>
      <div className="breakout-actions">
        {groupId && (
          <button type="button" className="btn btn-secondary" onClick={() => run("Back in the main room.", actions.leave)} data-testid="breakout-return">
            Return to main room
          </button>
        )}
        <button
          type="button"
          className={`btn ${state.broadcasting ? "btn-danger" : "btn-secondary"}`}
          aria-pressed={state.broadcasting}
          disabled={closing || (!state.broadcasting && (!micLive || !!groupId))}
          title={micLive ? undefined : "Turn your microphone on in the main room first"}
          onClick={() =>
            run(state.broadcasting ? "Stopped speaking to all groups." : "Every group hears you now.", () => actions.speakToAll(!state.broadcasting))
          }
          data-testid="breakout-speak-all"
        >
          {state.broadcasting ? "Stop speaking to all groups" : "Speak to all groups"}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={closing}
          onClick={() => run("Groups are closing.", () => actions.close())}
          data-testid="breakout-close"
        >
          Close groups
        </button>
      </div>
      <form className="breakout-broadcast" onSubmit={send}>
        <input
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="Message to all groups"
          aria-label="Message to all groups"
          data-testid="breakout-broadcast-input"
        />
        <button type="submit" className="btn btn-primary btn-sm" data-testid="breakout-broadcast-send">
          Send
        </button>
      </form>
      <ul className="breakout-groups">
        {state.groups.map((group) => (
          <li
            key={group.id}
            className={["breakout-group", group.helpRequested && "help", group.id === groupId && "here"].filter(Boolean).join(" ")}
            data-testid="breakout-group"
            data-group-id={group.id}
            data-talking={group.talking}
            data-help={group.helpRequested}
          >
            <div className="breakout-group-head">
              <strong data-testid="breakout-group-name">{group.name}</strong>
              {group.talking && (
                <span className="breakout-tag talking" data-testid="breakout-talking">
                  Talking
                </span>
              )}
              {group.helpRequested && (
                <span className="breakout-tag help" data-testid="breakout-help-flag" role="status">
                  Asked for help
                </span>
              )}
              {group.id !== groupId && (
                <button
                  type="button"
                  className="btn btn-primary btn-sm"
                  disabled={closing}
                  onClick={() => run(`You are visiting ${group.name}.`, () => actions.join(group.id))}
                  data-testid="breakout-visit"
                >
                  Visit
                </button>
              )}
            </div>
            {group.hands.length > 0 && (
              <p className="breakout-hands" data-testid="breakout-hands">
                Hands up: {group.hands.map((hand) => hand.name).join(", ")}
              </p>
            )}
            <ul className="breakout-members">
              {group.members.length === 0 && <li className="muted">Nobody yet</li>}
              {group.members.map((member) => (
                <li
                  key={member.userId}
                  className={member.present ? "" : "away"}
                  data-testid="breakout-member"
                  data-user-id={member.userId}
                  data-present={member.present}
                >
                  <span className="grow">
                    {member.name}
                    {member.visitor ? " (visiting)" : member.present ? "" : " (not here)"}
                  </span>
                  {!member.visitor && mover(member.userId, member.name, group.id)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {mainRoom.length > 0 && (
        <section className="breakout-group" data-testid="breakout-main-room">
          <strong>In the main room</strong>
          <ul className="breakout-members">
            {mainRoom.map((person) => (
              <li key={person.userId} data-testid="breakout-member" data-user-id={person.userId}>
                <span className="grow">{person.name}</span>
                {mover(person.userId, person.name, null)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
