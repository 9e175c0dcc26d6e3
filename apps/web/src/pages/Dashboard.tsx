import { useState } from "react";
import type { RecordingDto, RecordingListResponse, RoomDto, RoomListResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { useUser } from "../auth/session";
import { ClassCard } from "../dashboard/ClassCard";
import { CreateClass } from "../dashboard/CreateClass";
import { JoinByCode } from "../dashboard/JoinByCode";
import { RecentRecordings } from "../dashboard/RecentRecordings";
import { useAsync } from "../lib/useAsync";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Icon } from "../ui/Icon";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";

const ORDER = { live: 0, scheduled: 1, ended: 2 } as const;

export function DashboardPage() {
  const user = useUser();
  const teaches = user.role !== "student";
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const list = useAsync<RoomListResponse>(() => rooms.list({ scope: teaches ? "hosted" : "joined", pageSize: 50 }), [teaches]);

  const replace = (updated: RoomDto) => list.data && list.setData({ ...list.data, rooms: list.data.rooms.map((x) => (x.id === updated.id ? updated : x)) });
  const created = (room: RoomDto) => {
    setCreating(false);
    setNotice({ kind: "success", text: `“${room.title}” is ready. Share its code with your students.` });
    list.setData({ rooms: [room, ...(list.data?.rooms ?? [])], total: (list.data?.total ?? 0) + 1, page: 1, pageSize: 50 });
  };
  // Recordings I may watch, by class: linked from each class card.
  const recs = useAsync<RecordingListResponse>(() => recordings.list(), []);
  const recsByRoom = new Map<string, RecordingDto[]>();
  for (const rec of recs.data?.recordings ?? []) if (rec.status !== "failed") recsByRoom.set(rec.roomId, [...(recsByRoom.get(rec.roomId) ?? []), rec]);
  const sorted = [...(list.data?.rooms ?? [])].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const first = user.fullName.trim().split(/\s+/)[0];

  return (
    <div className="container">
      <PageHeader
        title={`Welcome, ${first}`}
        description={teaches ? "Create a class, share its code, and start when you are ready." : "Join a class with the code or link from your teacher."}
        actions={
          teaches && !creating ? (
            <Button variant="primary" onClick={() => setCreating(true)} data-testid="new-class">
              <Icon name="plus" size={18} /> New class
            </Button>
          ) : undefined
        }
      />
      <div className="stack">
        {teaches && creating && <CreateClass onCreated={created} onCancel={() => setCreating(false)} />}
        {!teaches && <JoinByCode />}
        {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
        <section aria-labelledby="classes-h">
          <div className="row-between section-head">
            <h2 id="classes-h">{teaches ? "My classes" : "Classes I joined"}</h2>
            {list.status === "loading" && list.data && <span className="small muted">Updating…</span>}
          </div>
          {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
          {!list.data && list.status === "loading" && <Loading label="Loading your classes…" />}
          {list.data && sorted.length === 0 && (
            <div className="card empty" data-testid="classes-empty">
              <Icon name="calendar" size={28} />
              <h3>{teaches ? "No classes yet" : "No classes yet"}</h3>
              <p>{teaches ? "Create your first class: you get a code to share with your students." : "When you join a class, it shows up here."}</p>
            </div>
          )}
          {sorted.length > 0 && (
            <ul className="class-list" data-testid="class-list">
              {sorted.map((room) => (
                <ClassCard
                  key={room.id}
                  room={room}
                  isHost={room.hostId === user.id || user.role === "admin"}
                  recordings={room.status === "ended" ? recsByRoom.get(room.id) : undefined}
                  onChanged={replace}
                  onError={(error) => setNotice({ kind: "error", text: errorText(error) })}
                />
              ))}
            </ul>
          )}
        </section>
        <RecentRecordings teaches={teaches} />
      </div>
    </div>
  );
}
