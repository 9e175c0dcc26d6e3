import { useEffect, useState } from "react";
import type { MyRoomAccess, RoomDto } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { ApiError } from "../api/errors";
import { useUser } from "../auth/session";
import { Classroom } from "../classroom/Classroom";
import { EndScreen } from "../classroom/EndScreen";
import { PreJoin } from "../classroom/PreJoin";
import type { DeviceChoice } from "../media/devices";
import { Link } from "../router/router";
import { Loading } from "../ui/Spinner";

/** /room/:id — pre-join (unless the teacher removed or turned this person away), then the live class. */
export function RoomPage({ id }: { id: string }) {
  const user = useUser();
  const [room, setRoom] = useState<RoomDto | null>(null);
  const [access, setAccess] = useState<MyRoomAccess | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [joined, setJoined] = useState<{ choice: DeviceChoice; stream: MediaStream | null; n: number } | null>(null);

  useEffect(() => {
    let alive = true;
    const fail = (err: unknown) =>
      alive && setError(err instanceof ApiError ? { code: err.code, message: err.message } : { code: "NETWORK", message: String(err) });
    // Both before device set-up: a removed or turned-away person is told at once.
    Promise.all([rooms.get(id), rooms.myAccess(id)]).then(([roomResponse, accessResponse]) => {
      if (!alive) return;
      setRoom(roomResponse.room);
      setAccess(accessResponse.access);
    }, fail);
    return () => {
      alive = false;
    };
  }, [id]);

  if (error)
    return (
      <EndScreen phase="failed" error={error.code === "VALIDATION_FAILED" || error.code === "NOT_FOUND" ? { code: "ROOM_NOT_FOUND", message: "" } : error} />
    );
  if (!room || !access) return <Loading label="Opening the class…" />;
  if (room.status === "ended") return <EndScreen phase="ended" error={null} title={room.title} />;
  if (access === "removed" || access === "rejected") return <EndScreen phase={access} error={null} title={room.title} hostName={room.hostName} />;
  const isHost = room.hostId === user.id || user.role === "admin";
  if (!joined)
    return (
      <div className="room-page">
        <header className="app-header">
          <div className="container app-header-inner">
            <Link to="/dashboard" className="btn btn-ghost btn-sm" data-testid="prejoin-back">
              ← Dashboard
            </Link>
          </div>
        </header>
        <PreJoin room={room} isHost={isHost} userName={user.fullName} onJoin={(choice, stream) => setJoined({ choice, stream, n: 1 })} />
      </div>
    );
  return (
    <Classroom
      key={joined.n}
      roomId={room.id}
      user={user}
      choice={joined.choice}
      initialStream={joined.stream}
      onRejoin={() => setJoined(null)}
      preview={{ title: room.title, hostName: room.hostName }}
    />
  );
}
