import type { RoomStatus } from "@vtp/protocol";

/** Live / Scheduled (has a start time) / Not started (start any time) / Ended. Pass the room's `scheduledStart`. */
export function StatusBadge({ status, scheduledStart }: { status: RoomStatus; scheduledStart?: string | null }) {
  if (status === "live")
    return (
      <span className="badge badge-live" data-testid="room-status" data-status="live">
        Live
      </span>
    );
  if (status === "scheduled")
    return (
      <span className="badge badge-primary" data-testid="room-status" data-status="scheduled">
        {scheduledStart ? "Scheduled" : "Not started"}
      </span>
    );
  return (
    <span className="badge" data-testid="room-status" data-status="ended">
      Ended
    </span>
  );
}

export function formatWhen(iso: string | null): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
