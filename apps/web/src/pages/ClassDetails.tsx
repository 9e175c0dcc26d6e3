import { useState } from "react";
import { ROOM_ROLE_LABELS, type AttendanceResponse, type RoomDto } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { formatJoinCode, joinLink } from "../lib/joinCode";
import { presenceSeries, presenceWindow } from "../lib/presence";
import { useAsync } from "../lib/useAsync";
import { Link, navigate } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { ConfirmButton } from "../ui/ConfirmButton";
import { CopyButton } from "../ui/CopyButton";
import { Icon } from "../ui/Icon";
import { PageHeader } from "../ui/Page";
import { PresenceChart } from "../ui/PresenceChart";
import { ClassRecordings } from "../dashboard/ClassRecordings";
import { Loading } from "../ui/Spinner";
import { formatWhen, StatusBadge } from "../ui/StatusBadge";
import { useSession } from "../auth/session";
import { useSaveClassOffline } from "../pwa/useSnapshot";
import { ClassQuizzes, StudentClassQuizzes } from "../classroom/quizzes/ClassQuizzes";

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : "—");

/** A class for its host: share, end, delete, and who attended (table, CSV, chart). */
export function ClassDetailsPage({ id }: { id: string }) {
  const room = useAsync(() => rooms.get(id).then((response) => response.room), [id]);
  const att = useAsync<AttendanceResponse>(() => rooms.attendance(id), [id]);
  const [msg, setMsg] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const { user } = useSession();
  useSaveClassOffline(user, room.data);

  if (room.status === "error" && !room.data)
    return (
      <div className="container container-narrow">
        <Alert kind="error">{errorText(room.error)}</Alert>
      </div>
    );
  if (!room.data) return <Loading />;
  const roomInfo: RoomDto = room.data;
  // A student who attended: the class's quizzes (answered after class, scores).
  if (user && user.id !== roomInfo.hostId && user.role !== "admin") return <StudentClassQuizzes room={roomInfo} />;
  const entries = att.data?.attendance ?? [];
  const win = presenceWindow(entries, roomInfo.startedAt, roomInfo.endedAt, Date.now());
  const points = win ? presenceSeries(entries, win[0], win[1], 48) : [];

  const download = async () => {
    setDownloading(true);
    setMsg(null);
    try {
      const { blob, filename } = await rooms.attendanceCsv(roomInfo.id);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setMsg(errorText(err));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="container">
      <p className="small">
        <Link to="/dashboard">
          <Icon name="arrowLeft" size={14} /> My classes
        </Link>
      </p>
      <PageHeader
        title={roomInfo.title}
        description={
          <>
            <StatusBadge status={roomInfo.status} scheduledStart={roomInfo.scheduledStart} />{" "}
            {roomInfo.status === "scheduled" && roomInfo.scheduledStart
              ? `Starts ${formatWhen(roomInfo.scheduledStart)}`
              : roomInfo.startedAt
                ? `Started ${formatWhen(roomInfo.startedAt)}`
                : ""}
          </>
        }
        actions={
          <>
            {roomInfo.status !== "ended" && (
              <Link className="btn btn-primary" to={`/room/${roomInfo.id}`}>
                <Icon name="video" size={18} /> {roomInfo.status === "live" ? "Enter class" : "Start class"}
              </Link>
            )}
            {roomInfo.status === "live" && (
              <ConfirmButton
                question="End for everyone?"
                confirmLabel="End class"
                onConfirm={async () => room.setData((await rooms.end(roomInfo.id)).room)}
                testId="details-end"
              >
                End class
              </ConfirmButton>
            )}
          </>
        }
      />
      <div className="stack">
        {msg && <Alert kind="error">{msg}</Alert>}
        {roomInfo.description && <p className="muted">{roomInfo.description}</p>}
        {roomInfo.status !== "ended" && (
          <div className="share">
            <span className="small muted">Code</span>
            <span className="code-pill">{formatJoinCode(roomInfo.code)}</span>
            <CopyButton text={formatJoinCode(roomInfo.code)} label="Copy the class code">
              Copy code
            </CopyButton>
            <span className="small muted mono grow" style={{ overflowWrap: "anywhere" }}>
              {joinLink(window.location.origin, roomInfo.code)}
            </span>
            <CopyButton text={joinLink(window.location.origin, roomInfo.code)} label="Copy the join link">
              Copy link
            </CopyButton>
          </div>
        )}
        <section className="card" aria-labelledby="att-h">
          <div className="row-between" style={{ marginBottom: 12 }}>
            <h2 id="att-h" style={{ margin: 0 }}>
              Attendance
            </h2>
            <div className="row">
              <Link className="btn btn-secondary btn-sm" to={`/classes/${roomInfo.id}/record`} data-testid="class-record-link">
                Class record
              </Link>
              <Button size="sm" onClick={download} busy={downloading} disabled={!entries.length} data-testid="attendance-csv">
                <Icon name="download" size={16} /> Download CSV
              </Button>
            </div>
          </div>
          {att.status === "error" && <Alert kind="error">{errorText(att.error)}</Alert>}
          {!att.data && att.status === "loading" && <Loading label="Loading attendance…" />}
          {att.data && entries.length === 0 && <p className="muted">Nobody has joined yet. Attendance appears here once the class starts.</p>}
          {entries.length > 0 && (
            <>
              <PresenceChart points={points} />
              <div className="table-wrap" style={{ marginTop: 16 }}>
                <table className="table table-cards" data-testid="attendance-table">
                  <thead>
                    <tr>
                      <th scope="col">Person</th>
                      <th scope="col">Role</th>
                      <th scope="col">First joined</th>
                      <th scope="col">Last left</th>
                      <th scope="col">Minutes</th>
                      <th scope="col">Joins</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((entry) => (
                      <tr key={entry.userId} data-testid="attendance-row" data-user-id={entry.userId}>
                        <td data-label="Person">
                          <strong>{entry.name}</strong>
                          <div className="muted small">{entry.email}</div>
                        </td>
                        <td data-label="Role">{ROOM_ROLE_LABELS[entry.role]}</td>
                        <td data-label="First joined">{time(entry.firstJoinAt)}</td>
                        <td data-label="Last left">{entry.present ? <span className="badge badge-success">Here now</span> : time(entry.lastLeaveAt)}</td>
                        <td data-label="Minutes">{entry.totalMinutes.toFixed(1)}</td>
                        <td data-label="Joins">{entry.joins}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
        <ClassQuizzes roomId={roomInfo.id} manager />
        <ClassRecordings roomId={roomInfo.id} />
        <section className="card danger-zone" aria-labelledby="del-h">
          <h2 id="del-h">Delete this class</h2>
          <p className="muted small">Removes the class with its chat and attendance. This cannot be undone.</p>
          <ConfirmButton
            variant="danger"
            question="Delete this class for good?"
            confirmLabel="Delete"
            onConfirm={async () => {
              try {
                await rooms.remove(roomInfo.id);
                navigate("/dashboard", { replace: true });
              } catch (err) {
                setMsg(errorText(err));
              }
            }}
            testId="delete-class"
          >
            Delete class
          </ConfirmButton>
        </section>
      </div>
    </div>
  );
}
