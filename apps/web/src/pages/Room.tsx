import { useEffect, useState } from "react";
import type { RoomDto } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { ApiError } from "../api/errors";
import { useUser } from "../auth/session";
import { Classroom } from "../classroom/Classroom";
import { EndScreen } from "../classroom/EndScreen";
import { PreJoin } from "../classroom/PreJoin";
import type { DeviceChoice } from "../media/devices";
import { Link } from "../router/router";
import { Loading } from "../ui/Spinner";

/** /room/:id — pre-join, then the live class. */
export function RoomPage({ id }: { id: string }) {
  const user = useUser();
  const [room, setRoom] = useState<RoomDto | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [joined, setJoined] = useState<{ choice: DeviceChoice; stream: MediaStream | null; n: number } | null>(null);

  useEffect(() => {
    let alive = true;
    rooms.get(id).then(
      (r) => alive && setRoom(r.room),
      (err) => alive && setError(err instanceof ApiError ? { code: err.code, message: err.message } : { code: "NETWORK", message: String(err) }),
    );
    return () => {
      alive = false;
    };
  }, [id]);

  if (error) return <EndScreen phase="failed" error={error.code === "VALIDATION_FAILED" || error.code === "NOT_FOUND" ? { code: "ROOM_NOT_FOUND", message: "" } : error} />;
  if (!room) return <Loading label="Opening the class…" />;
  if (room.status === "ended") return <EndScreen phase="ended" error={null} />;
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
  return <Classroom key={joined.n} roomId={room.id} user={user} choice={joined.choice} initialStream={joined.stream} onRejoin={() => setJoined(null)} />;
}
