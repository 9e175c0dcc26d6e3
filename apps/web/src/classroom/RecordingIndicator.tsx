import { useEffect, useState } from "react";

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const sec = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${sec}` : `${minutes}:${sec}`;
}

/** "REC 12:34": visible to everyone while the class (or, `group`, the breakout group they are in) is recorded. */
export function RecordingIndicator({ startedAt, group }: { startedAt: string; group?: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span
      className="rec-indicator"
      role="status"
      aria-label={group ? `${group} is being recorded` : "This class is being recorded"}
      data-testid={group ? "breakout-recording-indicator" : "recording-indicator"}
    >
      <span className="rec-dot" aria-hidden="true" />
      REC <span className="mono">{elapsed(now - Date.parse(startedAt))}</span>
    </span>
  );
}
