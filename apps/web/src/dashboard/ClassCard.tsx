import type { RecordingDto, RoomDto } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { formatJoinCode, joinLink } from "../lib/joinCode";
import { Link } from "../router/router";
import { ConfirmButton } from "../ui/ConfirmButton";
import { CopyButton } from "../ui/CopyButton";
import { Icon } from "../ui/Icon";
import { formatWhen, StatusBadge } from "../ui/StatusBadge";

/** One class on the dashboard: status, when, code and link to share, and what can be done now. */
export function ClassCard({
  room,
  isHost,
  recordings = [],
  onChanged,
  onError,
}: {
  room: RoomDto;
  isHost: boolean;
  recordings?: RecordingDto[];
  onChanged: (room: RoomDto) => void;
  onError: (error: unknown) => void;
}) {
  const when =
    room.status === "live"
      ? `Started ${formatWhen(room.startedAt)}`
      : room.status === "ended"
        ? `Ended ${formatWhen(room.endedAt)}`
        : room.scheduledStart
          ? `Starts ${formatWhen(room.scheduledStart)}`
          : "Not scheduled — start any time";
  const end = async () => {
    try {
      onChanged((await rooms.end(room.id)).room);
    } catch (err) {
      onError(err);
    }
  };
  return (
    <li className="card class-card" data-testid="class-card" data-room-id={room.id} data-status={room.status}>
      <div className="class-card-top">
        <div className="grow">
          <h3 className="class-title">{room.title}</h3>
          <p className="muted small">
            {when}
            {!isHost && <> · with {room.hostName}</>}
          </p>
        </div>
        <StatusBadge status={room.status} scheduledStart={room.scheduledStart} />
      </div>
      {room.description && <p className="class-desc">{room.description}</p>}
      {isHost && room.status !== "ended" && (
        <div className="share">
          <span className="small muted">Join code</span>
          <span className="code-pill" data-testid="class-code">
            {formatJoinCode(room.code)}
          </span>
          <CopyButton text={formatJoinCode(room.code)} label={`Copy the code of ${room.title}`} testId="copy-code">
            Code
          </CopyButton>
          <CopyButton text={joinLink(window.location.origin, room.code)} label={`Copy the join link of ${room.title}`} testId="copy-link">
            Link
          </CopyButton>
        </div>
      )}
      <div className="row class-actions">
        {room.status !== "ended" && (
          <Link
            className="btn btn-primary btn-sm"
            to={`/room/${room.id}`}
            data-testid={isHost ? (room.status === "live" ? "enter-class" : "start-class") : "join-class"}
          >
            <Icon name="video" size={16} />
            {isHost ? (room.status === "live" ? "Enter class" : "Start class") : "Join class"}
          </Link>
        )}
        {isHost && room.status === "live" && (
          <ConfirmButton size="sm" variant="secondary" question="End the class for everyone?" confirmLabel="End class" onConfirm={end} testId="end-class">
            End class
          </ConfirmButton>
        )}
        {recordings.map((rec, i) => (
          <Link key={rec.id} className="btn btn-secondary btn-sm" to={`/recordings/${rec.id}`} data-testid="class-card-recording" data-recording-id={rec.id}>
            <Icon name="record" size={16} /> {recordings.length > 1 ? `Recording ${recordings.length - i}` : "Watch the recording"}
          </Link>
        ))}
        {room.status === "ended" && (
          <Link className="btn btn-ghost btn-sm" to={`/classes/${room.id}/record`} data-testid="class-card-record">
            {isHost ? "Class record" : "My record"}
          </Link>
        )}
        {!isHost && (
          <Link className="btn btn-ghost btn-sm" to={`/classes/${room.id}`} data-testid="class-card-quizzes">
            Quizzes
          </Link>
        )}
        {isHost && (
          <Link className="btn btn-ghost btn-sm" to={`/classes/${room.id}`} data-testid="class-details">
            Attendance & details
          </Link>
        )}
      </div>
    </li>
  );
}
