import "./breakout.css";
import { lazy, Suspense, useState, type RefObject } from "react";
import type { ParticipantDto, RoomRole } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import type { RoomConnection } from "../connection";
import { BreakoutPanel } from "./BreakoutPanel";
import { asChatMessages, visibleParticipants } from "./breakoutState";
import { GroupBar } from "./GroupBar";
import { ShownGroup } from "./KeptGroups";
import { useBreakout } from "./useBreakout";

/** Excalidraw and pdf.js load only when a group's board first shows (the board's own chunks). */
const GroupBoard = lazy(() => import("./GroupBoard"));

/**
 * Breakout rooms as the classroom mounts them (the capability's door): in a group the classroom
 * shows the group's people, chat and hands, lets students publish, and starts its media over on
 * every move (`mediaSeq`); the bar above the stage, the host's Groups panel and its control.
 */
export function useBreakoutRoom(options: {
  connection: RefObject<RoomConnection | null>;
  roomId: string;
  joinSeq: number;
  me: { participantId: string; userId: string; role: RoomRole } | null;
  participants: ParticipantDto[];
  micLive: boolean;
  panelOpen: boolean;
  togglePanel: () => void;
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
}) {
  const { connection, roomId, joinSeq, me, participants, run, describe } = options;
  const userId = me?.userId ?? "";
  const breakout = useBreakout(connection, roomId, joinSeq, me?.role, userId);
  const { state, group, groupId } = breakout;
  const isHost = me?.role === "host";
  const inGroup = !!groupId;
  const [boardOpen, setBoardOpen] = useState(false);
  const shown = visibleParticipants(participants, state, groupId, me?.participantId);
  // In a group, a raised hand is the group's (breakout-hand), shown on the tiles.
  const visible = group ? shown.map((p) => ({ ...p, handRaised: group.hands.some((hand) => hand.participantId === p.id) })) : shown;
  const handRaised = group ? group.hands.some((hand) => hand.userId === userId) : null;
  const toPerson = (p: ParticipantDto) => ({ userId: p.userId, name: p.name });
  const students = participants.filter((p) => p.role !== "host").map(toPerson);
  const mainRoom = state
    ? visibleParticipants(participants, state, null, undefined)
        .filter((p) => p.role !== "host")
        .map(toPerson)
    : [];

  const bar = me ? (
    <>
      <GroupBar breakout={breakout} userId={userId} isHost={isHost} run={run} boardOpen={boardOpen} onBoard={() => setBoardOpen((open) => !open)} />
      {breakout.shown && <ShownGroup group={breakout.shown} onClose={breakout.actions.hideShown} />}
      {group && boardOpen && (
        <Suspense fallback={<p className="muted">Opening the group's board…</p>}>
          <GroupBoard key={group.id} connection={connection} roomId={roomId} joinSeq={joinSeq} groupId={group.id} describe={describe} />
        </Suspense>
      )}
      {breakout.shownBoard && (
        <div className="breakout-shown-board">
          <Suspense fallback={<p className="muted">Opening the group's board…</p>}>
            <GroupBoard
              key={`${breakout.shownBoard.board.groupId}/${breakout.shownBoard.page}`}
              connection={connection}
              roomId={roomId}
              joinSeq={joinSeq}
              shown={breakout.shownBoard}
              describe={describe}
            />
          </Suspense>
          <button type="button" className="btn btn-secondary btn-sm" onClick={breakout.actions.hideShownBoard} data-testid="breakout-board-shown-close">
            Close the group's board
          </button>
        </div>
      )}
    </>
  ) : null;
  const panel = isHost ? (
    <BreakoutPanel {...{ roomId, breakout, students, mainRoom, run, describe }} micLive={options.micLive && !inGroup} onClose={options.togglePanel} />
  ) : null;
  const control = isHost ? (
    <button
      type="button"
      className={`ctrl ${options.panelOpen ? "active" : ""}`}
      onClick={options.togglePanel}
      aria-pressed={options.panelOpen}
      title="Groups"
      data-testid="control-breakout"
    >
      <span className="ctrl-icon">
        <Icon name="users" />
        {state?.groups.some((g) => g.helpRequested) && (
          <span className="ctrl-badge" data-testid="breakout-help-badge" role="img" aria-label="A group asked for help">
            !
          </span>
        )}
      </span>
      <span className="ctrl-label">Groups</span>
    </button>
  ) : null;

  return {
    breakout,
    inGroup,
    /** Who the stage shows. */
    visible,
    /** The media room my media is in: my group's, or the class's. */
    mediaRoomId: groupId ?? roomId,
    /** A new value whenever the media must start over: a (re)join or a move between rooms. */
    mediaSeq: (seq: number) => (seq ? seq + breakout.moveSeq : 0),
    /** My hand in my group (null: in the main room, the class's hand applies). */
    handRaised,
    setHand: (raised: boolean) => breakout.actions.hand(raised),
    /** The chat panel's props in a group: the group's chat. */
    chat: inGroup ? { messages: asChatMessages(breakout.messages), onSend: breakout.actions.chat, enabled: true, isHost: false } : {},
    bar,
    panel,
    control,
  };
}
