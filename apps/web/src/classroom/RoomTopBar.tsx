import type { RoomDto } from "@vtp/protocol";
import { formatJoinCode, joinLink } from "../lib/joinCode";
import { LiveControl } from "../live";
import { CopyButton } from "../ui/CopyButton";
import { Icon } from "../ui/Icon";
import { RecordingIndicator } from "./RecordingIndicator";

/** Title, live state, the code to share and "Go live" (host), and how many are here. */
export function RoomTopBar({
  room,
  count,
  isHost,
  recording,
  onMark,
}: {
  room: RoomDto;
  count: number;
  isHost: boolean;
  recording: { startedAt: string } | null;
  onMark?: () => void;
}) {
  return (
    <header className="room-top">
      <div className="room-title">
        {room.status === "live" && <span className="badge badge-live">Live</span>}
        <h1>{room.title}</h1>
        {recording && <RecordingIndicator startedAt={recording.startedAt} />}
        {recording && isHost && onMark && (
          <button type="button" className="rec-mark" onClick={onMark} data-testid="control-marker" title="Mark this moment in the recording">
            <Icon name="flag" size={14} /> Mark
          </button>
        )}
      </div>
      <div className="room-top-end">
        {isHost && (
          <span className="room-code">
            <span className="sr-only">Class code</span>
            <span className="code-pill" data-testid="room-code">
              {formatJoinCode(room.code)}
            </span>
            <CopyButton text={joinLink(window.location.origin, room.code)} label="Copy the join link" testId="room-copy-link">
              Copy link
            </CopyButton>
          </span>
        )}
        {isHost && <LiveControl roomId={room.id} />}
        <span className="room-count" title="People in class" data-testid="participant-count">
          <Icon name="users" size={16} /> {count}
        </span>
      </div>
    </header>
  );
}
