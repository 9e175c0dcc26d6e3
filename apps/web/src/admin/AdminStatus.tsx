import type { AdminStatusResponse } from "@vtp/protocol";
import { system } from "../api/accounts";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { AdminTabs } from "./AdminTabs";

function uptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days ? `${days} d ${hours} h` : hours ? `${hours} h ${minutes} min` : `${minutes} min ${Math.floor(seconds % 60)} s`;
}

export function AdminStatusPage() {
  const health = useAsync<AdminStatusResponse>(() => system.status(), []);
  const st = health.data;
  const serverHealth = st?.health;
  return (
    <div className="container">
      <PageHeader title="Administration" description="Manage people, classes and the health of this server." />
      <AdminTabs />
      <div className="row-between" style={{ margin: "8px 0 16px" }}>
        <h2 style={{ margin: 0 }}>System status</h2>
        <Button size="sm" onClick={health.reload} busy={health.status === "loading" && !!serverHealth}>
          Refresh
        </Button>
      </div>
      {health.status === "error" && <Alert kind="error">{errorText(health.error)}</Alert>}
      {!serverHealth && health.status === "loading" && <Loading label="Checking the server…" />}
      {serverHealth && (
        <div className="grid-3" data-testid="admin-status">
          <div className="card card-tight stat">
            <span className="stat-label">Overall</span>
            <span className={`badge ${serverHealth.status === "ok" ? "badge-success" : "badge-warning"}`} data-testid="status-overall">
              {serverHealth.status === "ok" ? "Healthy" : "Degraded"}
            </span>
          </div>
          <div className="card card-tight stat">
            <span className="stat-label">Database</span>
            <span className={`badge ${serverHealth.database === "ok" ? "badge-success" : "badge-danger"}`}>
              {serverHealth.database === "ok" ? "Connected" : "Down"}
            </span>
            {serverHealth.redis && (
              <span className="muted" data-testid="status-redis">
                Redis: {serverHealth.redis === "ok" ? "connected" : "down: joining a class and class actions fail until it is back"}
              </span>
            )}
          </div>
          <div className="card card-tight stat">
            <span className="stat-label">Version · uptime</span>
            <span className="stat-value">
              {serverHealth.version} · {uptime(serverHealth.uptimeSeconds)}
            </span>
          </div>
        </div>
      )}
      {st && (
        <div className="grid-3" style={{ marginTop: 16 }}>
          <div className="card card-tight stat" data-testid="status-signalling">
            <span className="stat-label">Classes</span>
            <span className="stat-value">
              {st.signalling.liveRooms} live · {st.signalling.socketsOnThisNode} connected here
            </span>
            <span className="muted" data-testid="status-servers">
              {st.signalling.adapter === "redis"
                ? `${st.signalling.nodes.length} app server${st.signalling.nodes.length === 1 ? "" : "s"} (Redis)`
                : "One app server"}
            </span>
          </div>
          <div className="card card-tight stat" data-testid="status-media">
            <span className="stat-label">Audio and video</span>
            {st.media.mode === "off" ? (
              <span className="badge badge-warning">Off</span>
            ) : !st.media.started ? (
              <span className="stat-value">Starts with the first class</span>
            ) : (
              <>
                <span className={`badge ${st.media.ok ? "badge-success" : "badge-danger"}`}>{st.media.ok ? "Running" : "Trouble"}</span>
                <span className="muted">
                  {st.media.rooms} classes · {st.media.peers} people · {st.media.workers} {st.media.mode === "remote" ? "media nodes' workers" : "workers"}
                </span>
              </>
            )}
          </div>
          <div className="card card-tight stat" data-testid="status-recordings">
            <span className="stat-label">Recordings</span>
            <span className="stat-value">
              {st.recordings.active} recording · {st.recordings.queued + st.recordings.running} processing
            </span>
            {st.recordings.failed > 0 && <span className="badge badge-danger">{st.recordings.failed} failed</span>}
          </div>
        </div>
      )}
    </div>
  );
}
