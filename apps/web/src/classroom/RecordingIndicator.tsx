import { useEffect, useState } from "react";

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const sec = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${sec}` : `${minutes}:${sec}`;
}

/** "REC 12:34": visible to everyone while the class is recorded. */
export function RecordingIndicator({ startedAt }: { startedAt: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="rec-indicator" role="status" aria-label="This class is being recorded" data-testid="recording-indicator">
      <span className="rec-dot" aria-hidden="true" />
      REC <span className="mono">{elapsed(now - Date.parse(startedAt))}</span>
    </span>
  );
}
