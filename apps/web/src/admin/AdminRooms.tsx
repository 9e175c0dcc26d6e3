import { useState } from "react";
import type { RoomListResponse, RoomsStatsResponse, RoomStats, RoomStatsListResponse } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { formatJoinCode } from "../lib/joinCode";
import { useAsync } from "../lib/useAsync";
import { Link } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { PageHeader } from "../ui/Page";
import { Pagination } from "../ui/Pagination";
import { Loading } from "../ui/Spinner";
import { formatWhen, StatusBadge } from "../ui/StatusBadge";
import { AdminTabs } from "./AdminTabs";

const PAGE_SIZE = 20;

export function AdminRoomsPage() {
  const [liveOnly, setLiveOnly] = useState(false);
  const [page, setPage] = useState(1);
  const list = useAsync<RoomListResponse>(
    () => rooms.list({ scope: "all", status: liveOnly ? "live" : undefined, page, pageSize: PAGE_SIZE }),
    [liveOnly, page],
  );
  const stats = useAsync<RoomsStatsResponse>(() => rooms.allStats(), [liveOnly, page]);
  const data = list.data;
  // Peak and messages of every class on this page, ended ones included (stored with the class).
  const pageIds = (data?.rooms ?? []).map((r) => r.id).join(",");
  const pageStats = useAsync<RoomStatsListResponse>(() => (pageIds ? rooms.statsOf(pageIds.split(",")) : Promise.resolve({ rooms: [] })), [pageIds]);
  const byRoom = new Map<string, RoomStats>([...(pageStats.data?.rooms ?? []), ...(stats.data?.rooms ?? [])].map((s) => [s.roomId, s]));
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const reload = () => {
    list.reload();
    stats.reload();
    pageStats.reload();
  };

  return (
    <div className="container">
      <PageHeader title="Administration" description="Manage people, classes and the health of this server." />
      <AdminTabs />
      {stats.data && (
        <div className="grid-3" style={{ marginBottom: 16 }}>
          <div className="card card-tight stat">
            <span className="stat-label">Live now</span>
            <span className="stat-value" data-testid="admin-live-rooms">
              {stats.data.totals.liveRooms}
            </span>
          </div>
          <div className="card card-tight stat">
            <span className="stat-label">People in classes</span>
            <span className="stat-value" data-testid="admin-participants-online">
              {stats.data.totals.participantsOnline}
            </span>
          </div>
        </div>
      )}
      <div className="row-between" style={{ marginBottom: 12 }}>
        <fieldset className="segmented" aria-label="Which classes">
          <button
            type="button"
            aria-pressed={!liveOnly}
            onClick={() => {
              setLiveOnly(false);
              setPage(1);
            }}
            data-testid="admin-rooms-all"
          >
            All classes
          </button>
          <button
            type="button"
            aria-pressed={liveOnly}
            onClick={() => {
              setLiveOnly(true);
              setPage(1);
            }}
            data-testid="admin-rooms-live"
          >
            Live now
          </button>
        </fieldset>
        <Button size="sm" onClick={reload}>
          Refresh
        </Button>
      </div>
      {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
      {stats.status === "error" && <Alert kind="warning">Live numbers are unavailable: {errorText(stats.error)}</Alert>}
      {!data && list.status === "loading" && <Loading label="Loading classes…" />}
      {data && data.rooms.length === 0 && (
        <div className="card empty">
          <h3>{liveOnly ? "No class is live right now" : "No classes yet"}</h3>
        </div>
      )}
      {data && data.rooms.length > 0 && (
        <div className="table-wrap">
          <table className="table table-cards" data-testid="admin-rooms-table">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">Status</th>
                <th scope="col">Code</th>
                <th scope="col">In class</th>
                <th scope="col">Peak</th>
                <th scope="col">Messages</th>
              </tr>
            </thead>
            <tbody>
              {data.rooms.map((room) => {
                const roomStats = byRoom.get(room.id);
                return (
                  <tr key={room.id} data-testid="admin-room-row" data-room-id={room.id}>
                    <td data-label="Class">
                      <Link to={`/classes/${room.id}`}>
                        <strong>{room.title}</strong>
                      </Link>
                      <div className="muted small">
                        {room.hostName} · {formatWhen(room.startedAt ?? room.scheduledStart ?? room.createdAt)}
                      </div>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={room.status} scheduledStart={room.scheduledStart} />
                    </td>
                    <td data-label="Code" className="mono nowrap">
                      {formatJoinCode(room.code)}
                    </td>
                    <td data-label="In class" data-testid="admin-room-online">
                      {roomStats ? roomStats.participantsOnline : room.status === "live" ? "…" : 0}
                    </td>
                    <td data-label="Peak" data-testid="admin-room-peak">
                      {roomStats?.peakParticipants ?? (pageStats.status === "loading" ? "…" : "—")}
                    </td>
                    <td data-label="Messages" data-testid="admin-room-messages">
                      {roomStats?.messages ?? (pageStats.status === "loading" ? "…" : "—")}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pages={pages} onPage={setPage} />
    </div>
  );
}
