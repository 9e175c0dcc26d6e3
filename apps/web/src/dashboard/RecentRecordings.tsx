import type { RecordingListResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { useAsync } from "../lib/useAsync";
import { Link } from "../router/router";
import { formatWhen } from "../ui/StatusBadge";
import { clock } from "../recordings/format";
import { RecordingStatus } from "../recordings/StatusLine";

/** The latest recordings on the dashboard (hidden when there are none or they cannot be loaded). */
export function RecentRecordings({ teaches }: { teaches: boolean }) {
  const list = useAsync<RecordingListResponse>(() => recordings.list(), []);
  const items = (list.data?.recordings ?? []).slice(0, 4);
  if (!items.length) return null;
  return (
    <section aria-labelledby="recent-rec-h" data-testid="dashboard-recordings">
      <div className="row-between section-head">
        <h2 id="recent-rec-h">{teaches ? "My recordings" : "Recordings I can watch"}</h2>
        <Link to="/recordings" className="small">
          All recordings
        </Link>
      </div>
      <ul className="rec-grid">
        {items.map((recording) => (
          <li key={recording.id} className="card rec-card">
            <Link to={`/recordings/${recording.id}`} className="rec-thumb" aria-label={`Open ${recording.title}`}>
              {recording.urls ? <img src={recording.urls.thumbnail} alt="" loading="lazy" /> : null}
              {recording.durationSeconds !== null && <span className="rec-duration">{clock(recording.durationSeconds)}</span>}
            </Link>
            <div className="rec-body">
              <h3 className="class-title">
                <Link to={`/recordings/${recording.id}`}>{recording.title}</Link>
              </h3>
              <p className="muted small">{formatWhen(recording.startedAt)}</p>
              <div>
                <RecordingStatus r={recording} />
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
