import { useEffect, useRef } from "react";
import type { RemoteMedia } from "./session";

function RemoteAudio({ stream, peerId }: { stream: MediaStream; peerId: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = stream;
    void audio.play().catch(() => {});
  }, [stream]);
  // biome-ignore lint/a11y/useMediaCaption: a participant's live microphone; there is no caption track to give.
  return <audio ref={ref} autoPlay data-testid="remote-audio" data-peer-id={peerId} />;
}

/** Plays everyone else's microphone and screen audio. */
export function AudioSink({ remote }: { remote: Map<string, RemoteMedia> }) {
  const streams = [...remote.entries()].flatMap(([peerId, media]) => media.audio.map((stream) => ({ peerId, stream })));
  return (
    <div hidden>
      {streams.map(({ peerId, stream }) => (
        <RemoteAudio key={stream.id} stream={stream} peerId={peerId} />
      ))}
    </div>
  );
}
