import { useEffect, useRef, useState } from "react";
import type Hls from "hls.js";

/**
 * Plays a live HLS stream with hls.js (Chromium has no native HLS; Safari does and gets the
 * URL directly). Starts muted so that autoplay is allowed; the viewer unmutes.
 */
export function LivePlayer({ src }: { src: string }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let hls: Hls | null = null;
    let cancelled = false;
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      void video.play().catch(() => {});
    } else
      void import("hls.js").then(({ default: HlsClass }) => {
        if (cancelled) return;
        if (!HlsClass.isSupported()) return setProblem("This browser cannot play live video.");
        hls = new HlsClass({ liveSyncDurationCount: 2, enableWorker: true });
        hls.on(HlsClass.Events.ERROR, (_event, data) => {
          if (data.fatal) setProblem("The stream could not be played. It may have ended.");
        });
        hls.loadSource(src);
        hls.attachMedia(video);
        hls.on(HlsClass.Events.MANIFEST_PARSED, () => void video.play().catch(() => {}));
      });
    return () => {
      cancelled = true;
      hls?.destroy();
    };
  }, [src]);
  return (
    <div className="live-player">
      <video ref={videoRef} data-testid="live-video" controls muted playsInline style={{ width: "100%", background: "#000", aspectRatio: "16 / 9" }} />
      {problem && <p data-testid="live-problem">{problem}</p>}
    </div>
  );
}
