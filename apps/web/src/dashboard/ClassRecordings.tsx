import type { RecordingListResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { clock } from "../recordings/format";
import { RecordingStatus } from "../recordings/StatusLine";
import { Link } from "../router/router";
import { Alert } from "../ui/Alert";
import { formatWhen } from "../ui/StatusBadge";

/** The recordings of one class on its details page (the server lists only those the viewer may see). */
export function ClassRecordings({ roomId }: { roomId: string }) {
  const list = useAsync<RecordingListResponse>(() => recordings.list(roomId), [roomId]);
  const items = list.data?.recordings ?? [];
  return (
    <section className="card" aria-labelledby="class-rec-h" data-testid="class-recordings">
      <h2 id="class-rec-h">Recordings</h2>
      {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">This class has no recordings. Press Record in the live class to make one.</p>}
      {items.length > 0 && (
        <ul className="people">
          {items.map((recording) => (
            <li key={recording.id} className="row-between">
              <Link to={`/recordings/${recording.id}`} data-testid="class-recording-link" data-recording-id={recording.id}>
                {recording.title} · {formatWhen(recording.startedAt)}
                {recording.durationSeconds !== null ? ` · ${clock(recording.durationSeconds)}` : ""}
              </Link>
              <RecordingStatus r={recording} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
