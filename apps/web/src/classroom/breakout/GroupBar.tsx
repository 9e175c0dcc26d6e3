import { useEffect, useState } from "react";
import type { BreakoutStateDto } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import { RecordingIndicator } from "../RecordingIndicator";
import { assignedGroupOf, formatLeft } from "./breakoutState";
import type { Breakout } from "./useBreakout";

type Run = (done: string, fn: () => Promise<unknown>) => void;

/** Re-renders every half second while `until` is set; returns the milliseconds left. */
function useLeft(until: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [until]);
  return until ? new Date(until).getTime() - now : null;
}

/**
 * What everyone sees of the groups above the stage: the group I am in with its countdown (and
 * "REC" when each group is recorded) and
 * the group's board, "Ask for help", "Teacher is speaking to all groups", the countdown back to the main room,
 * messages to all groups and the one-minute warning; in the main room, a way into my group
 * (or, when students choose, a list of groups to join).
 */
export function GroupBar({
  breakout,
  userId,
  isHost,
  run,
  boardOpen,
  onBoard,
}: {
  breakout: Breakout;
  userId: string;
  isHost: boolean;
  run: Run;
  /** The group's own board is open below the bar. */
  boardOpen: boolean;
  onBoard: () => void;
}) {
  const { state, group, returnAt, notices, actions } = breakout;
  const closingLeft = useLeft(state?.status === "closing" || returnAt ? returnAt : null);
  const deadlineLeft = useLeft(state?.deadline ?? null);
  if (!state && notices.length === 0) return null;
  return (
    <div className="breakout-bar" data-testid="breakout-bar">
      {closingLeft !== null && (
        <div className="banner banner-warning" role="status" data-testid="breakout-closing">
          Everyone returns to the main room in {formatLeft(closingLeft)}
        </div>
      )}
      {state && group && (
        <div className="breakout-here" data-testid="breakout-here" data-group-id={group.id}>
          <strong data-testid="breakout-group-title">{group.name}</strong>
          {state.recordGroups && <RecordingIndicator startedAt={state.openedAt} group={group.name} />}
          {deadlineLeft !== null && (
            <span className="breakout-countdown" role="timer" data-testid="breakout-countdown" aria-label={`Time left ${formatLeft(deadlineLeft)}`}>
              {formatLeft(deadlineLeft)} left
            </span>
          )}
          <span className="grow" />
          <button type="button" className="btn btn-secondary breakout-touch" aria-pressed={boardOpen} onClick={onBoard} data-testid="breakout-board-toggle">
            {boardOpen ? "Hide the group's board" : "Group board"}
          </button>
          {!isHost && (
            <button
              type="button"
              className={`btn ${group.helpRequested ? "btn-secondary" : "btn-primary"} breakout-touch`}
              aria-pressed={group.helpRequested}
              onClick={() => run(group.helpRequested ? "Help request withdrawn." : "The teacher was asked to come.", () => actions.help(!group.helpRequested))}
              data-testid="breakout-help"
            >
              <Icon name="hand" size={18} /> {group.helpRequested ? "Help asked — cancel" : "Ask for help"}
            </button>
          )}
          {(isHost || state.mode === "self") && (
            <button
              type="button"
              className="btn btn-secondary breakout-touch"
              onClick={() => run("Back in the main room.", actions.leave)}
              data-testid="breakout-leave"
            >
              Main room
            </button>
          )}
        </div>
      )}
      {state?.broadcasting && group && (
        <div className="banner breakout-broadcasting" role="status" data-testid="breakout-broadcast-banner">
          <Icon name="mic" size={16} /> Teacher is speaking to all groups
        </div>
      )}
      {state && !group && <MainRoomLine state={state} userId={userId} isHost={isHost} deadlineLeft={deadlineLeft} breakout={breakout} run={run} />}
      {notices.map((notice) => (
        <div key={notice.at} className={`breakout-notice ${notice.kind}`} role="status" data-testid="breakout-notice" data-kind={notice.kind}>
          <span className="grow">{notice.text}</span>
          <button type="button" className="btn btn-ghost btn-icon" onClick={() => actions.dismiss(notice.at)} aria-label="Dismiss">
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}

function MainRoomLine({
  state,
  userId,
  isHost,
  deadlineLeft,
  breakout,
  run,
}: {
  state: BreakoutStateDto;
  userId: string;
  isHost: boolean;
  deadlineLeft: number | null;
  breakout: Breakout;
  run: Run;
}) {
  const assigned = assignedGroupOf(state, userId);
  const timeLeft = deadlineLeft !== null ? ` — ${formatLeft(deadlineLeft)} left` : "";
  if (isHost)
    return (
      <div className="breakout-here" data-testid="breakout-main-line">
        {`${state.groups.length} groups are open${timeLeft}.`}
        {state.recordGroups && <RecordingIndicator startedAt={state.openedAt} group="Each group" />}
      </div>
    );
  if (state.mode === "self")
    return (
      <div className="breakout-here breakout-choose" data-testid="breakout-choose">
        <span>Choose a group{timeLeft}:</span>
        {state.groups.map((group) => (
          <button
            key={group.id}
            type="button"
            className="btn btn-primary breakout-touch"
            onClick={() => run(`You joined ${group.name}.`, () => breakout.actions.join(group.id))}
            data-testid="breakout-choose-group"
            data-group-id={group.id}
          >
            {group.name} ({group.members.filter((m) => m.present && !m.visitor).length})
          </button>
        ))}
      </div>
    );
  if (assigned)
    return (
      <div className="breakout-here" data-testid="breakout-main-line">
        <span className="grow">You are in {assigned.name}.</span>
        <button
          type="button"
          className="btn btn-primary breakout-touch"
          onClick={() => run(`Back in ${assigned.name}.`, () => breakout.actions.join(assigned.id))}
          data-testid="breakout-rejoin"
        >
          Go to {assigned.name}
        </button>
      </div>
    );
  return <div className="breakout-here" data-testid="breakout-main-line">{`The class is working in groups${timeLeft}.`}</div>;
}
