import { useEffect } from "react";
import type { RecordingListResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { errorText } from "../api/errors";
import { useUser } from "../auth/session";
import { useAsync } from "../lib/useAsync";
import { useSaveRecordingsOffline } from "../pwa/useSnapshot";
import { Link } from "../router/router";
import { Alert } from "../ui/Alert";
import { Icon } from "../ui/Icon";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { formatWhen } from "../ui/StatusBadge";
import { clock } from "./format";
import { RecordingStatus } from "./StatusLine";

/** /recordings — my classes' recordings (hosts) and the ones shared with the class (students). */
export function RecordingsPage() {
  const user = useUser();
  const list = useAsync<RecordingListResponse>(() => recordings.list(), []);
  useSaveRecordingsOffline(user, list.data?.recordings);
  const busy = list.data?.recordings.some((r) => r.status === "recording" || r.status === "processing");
  // Follow processing until everything is ready.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(list.reload, 4000);
    return () => clearInterval(timer);
  }, [busy, list.reload]);
  const items = list.data?.recordings ?? [];
  return (
    <div className="container">
      <PageHeader
        title="Recordings"
        description={
          user.role === "student" ? "Recordings your teachers shared with the class." : "Recordings of your classes. Share them with the class or with a link."
        }
      />
      {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
      {!list.data && list.status === "loading" && <Loading label="Loading recordings…" />}
      {list.data && items.length === 0 && (
        <div className="card empty" data-testid="recordings-empty">
          <Icon name="record" size={28} />
          <h3>No recordings yet</h3>
          <p>
            {user.role === "student"
              ? "When a teacher shares a recording of your class, it appears here."
              : "Press Record in a live class. The recording appears here when it is processed."}
          </p>
        </div>
      )}
      {items.length > 0 && (
        <ul className="rec-grid" data-testid="recordings-list">
          {items.map((recording) => (
            <li key={recording.id} className="card rec-card" data-testid="recording-card" data-recording-id={recording.id} data-status={recording.status}>
              <Link to={`/recordings/${recording.id}`} className="rec-thumb" aria-label={`Open ${recording.title}`}>
                {recording.urls ? (
                  <img src={recording.urls.thumbnail} alt="" loading="lazy" />
                ) : (
                  <Icon name={recording.status === "failed" ? "alert" : "video"} size={32} />
                )}
                {recording.durationSeconds !== null && <span className="rec-duration">{clock(recording.durationSeconds)}</span>}
              </Link>
              <div className="rec-body">
                <h3 className="class-title">
                  <Link to={`/recordings/${recording.id}`}>{recording.title}</Link>
                </h3>
                <p className="muted small">{formatWhen(recording.startedAt)}</p>
                <div className="row" style={{ gap: 6 }}>
                  <RecordingStatus r={recording} />
                  {user.role !== "student" && <span className="badge">{recording.visibility === "participants" ? "Shared with class" : "Private"}</span>}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
