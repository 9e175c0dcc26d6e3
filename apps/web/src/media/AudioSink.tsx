import { useEffect, useRef } from "react";
import type { RemoteMedia } from "./session";

function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    a.srcObject = stream;
    void a.play().catch(() => {});
  }, [stream]);
  // biome-ignore lint/a11y/useMediaCaption: a participant's live microphone; there is no caption track to give.
  return <audio ref={ref} autoPlay data-testid="remote-audio" />;
}

/** Plays everyone else's microphone and screen audio. */
export function AudioSink({ remote }: { remote: Map<string, RemoteMedia> }) {
  const streams = [...remote.values()].flatMap((r) => r.audio);
  return (
    <div hidden>
      {streams.map((s) => (
        <RemoteAudio key={s.id} stream={s} />
      ))}
    </div>
  );
}
