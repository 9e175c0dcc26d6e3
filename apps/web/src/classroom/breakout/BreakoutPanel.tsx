import type { BreakoutGroupDraft, BreakoutMode } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import { GroupsOverview } from "./GroupsOverview";
import { KeptGroups } from "./KeptGroups";
import { OpenForm, type Person } from "./OpenForm";
import type { Breakout } from "./useBreakout";

type Run = (done: string, fn: () => Promise<unknown>) => void;

/** The host's Groups side panel: open groups, or run the open ones; earlier groups to show. */
export function BreakoutPanel({
  roomId,
  breakout,
  students,
  mainRoom,
  micLive,
  run,
  describe,
  onClose,
}: {
  roomId: string;
  breakout: Breakout;
  /** The class's students. */
  students: Person[];
  /** Students in the main room now. */
  mainRoom: Person[];
  micLive: boolean;
  run: Run;
  describe: (err: unknown) => string;
  onClose: () => void;
}) {
  const { state, actions } = breakout;
  const open = async (mode: BreakoutMode, groups: BreakoutGroupDraft[], durationSeconds: number | null, recordGroups: boolean) => {
    try {
      await actions.open(mode, groups, durationSeconds, recordGroups);
    } catch (err) {
      throw new Error(describe(err));
    }
  };
  return (
    <section className="panel breakout-panel" aria-labelledby="breakout-h" data-testid="breakout-panel">
      <header className="panel-head">
        <h2 id="breakout-h">Groups</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close groups">
          <Icon name="close" />
        </button>
      </header>
      <div className="panel-body">
        {breakout.listError ? <p className="form-error">{describe(breakout.listError)}</p> : null}
        {state ? (
          <GroupsOverview state={state} breakout={breakout} mainRoom={mainRoom} micLive={micLive} run={run} />
        ) : (
          <>
            <OpenForm roomId={roomId} people={students} onOpen={open} />
            <KeptGroups breakout={breakout} run={run} describe={describe} />
          </>
        )}
      </div>
    </section>
  );
}
