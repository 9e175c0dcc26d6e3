import { useEffect, useState } from "react";

function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** "REC 12:34": visible to everyone while the class is recorded. */
export function RecordingIndicator({ startedAt }: { startedAt: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <span className="rec-indicator" role="status" aria-label="This class is being recorded" data-testid="recording-indicator">
      <span className="rec-dot" aria-hidden="true" />
      REC <span className="mono">{elapsed(now - Date.parse(startedAt))}</span>
    </span>
  );
}
