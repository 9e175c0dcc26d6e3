import type { HealthResponse } from "@vtp/protocol";
import { system } from "../api/accounts";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { AdminTabs } from "./AdminTabs";

function uptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${Math.floor(s % 60)} s`;
}

export function AdminStatusPage() {
  const health = useAsync<HealthResponse>(() => system.health(), []);
  const h = health.data;
  return (
    <div className="container">
      <PageHeader title="Administration" description="Manage people, classes and the health of this server." />
      <AdminTabs />
      <div className="row-between" style={{ margin: "8px 0 16px" }}>
        <h2 style={{ margin: 0 }}>System status</h2>
        <Button size="sm" onClick={health.reload} busy={health.status === "loading" && !!h}>
          Refresh
        </Button>
      </div>
      {health.status === "error" && <Alert kind="error">{errorText(health.error)}</Alert>}
      {!h && health.status === "loading" && <Loading label="Checking the server…" />}
      {h && (
        <div className="grid-3" data-testid="admin-status">
          <div className="card card-tight stat">
            <span className="stat-label">Overall</span>
            <span className={`badge ${h.status === "ok" ? "badge-success" : "badge-warning"}`} data-testid="status-overall">
              {h.status === "ok" ? "Healthy" : "Degraded"}
            </span>
          </div>
          <div className="card card-tight stat">
            <span className="stat-label">Database</span>
            <span className={`badge ${h.database === "ok" ? "badge-success" : "badge-danger"}`}>{h.database === "ok" ? "Connected" : "Down"}</span>
          </div>
          <div className="card card-tight stat">
            <span className="stat-label">Version · uptime</span>
            <span className="stat-value">
              {h.version} · {uptime(h.uptimeSeconds)}
            </span>
          </div>
        </div>
      )}
    </div>
  );
}
