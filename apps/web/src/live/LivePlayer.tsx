import { useEffect, useRef, useState } from "react";
import type Hls from "hls.js";

/** A stream just started may have no playlist yet (its first segment is seconds away): try again this often, this many times. */
const RETRY_MS = 3000;
const RETRIES = 40;

/**
 * Plays a live HLS stream with hls.js, or natively where the browser has no Media Source
 * Extensions. Starts muted so that autoplay is allowed; the viewer unmutes. A player that fails
 * (no playlist yet, a network error) starts again after a few seconds, for about two minutes.
 */
export function LivePlayer({ src }: { src: string }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let hls: Hls | null = null;
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const failed = () => {
      if (cancelled || retry) return;
      if (attempt >= RETRIES) return setProblem("The stream could not be played. It may have ended.");
      setProblem(null);
      retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
    };
    // hls.js wherever Media Source Extensions exist (its own documented order); the browser's own
    // HLS only without them (iPhones before MSE). Chromium's new native HLS failed to parse a
    // stream from an S3/CDN origin (DEMUXER_ERROR_COULD_NOT_PARSE) that hls.js plays.
    const native = () => {
      if (!video.canPlayType("application/vnd.apple.mpegurl")) return setProblem("This browser cannot play live video.");
      video.onerror = failed;
      video.src = src;
      void video.play().catch(() => {});
    };
    void import("hls.js").then(({ default: HlsClass }) => {
      if (cancelled) return;
      if (!HlsClass.isSupported()) return native();
      // Low-latency HLS (the server's `ll/` playlists: parts, blocking reloads): hls.js then keeps
      // PART-HOLD-BACK behind the live edge; a playlist without parts plays 2 segments behind.
      hls = new HlsClass({ lowLatencyMode: true, liveSyncDurationCount: 2, enableWorker: true });
      hls.on(HlsClass.Events.ERROR, (_event, data) => {
        if (data.fatal) failed();
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      hls.on(HlsClass.Events.MANIFEST_PARSED, () => void video.play().catch(() => {}));
    });
    return () => {
      cancelled = true;
      clearTimeout(retry);
      video.onerror = null;
      hls?.destroy();
    };
  }, [src, attempt]);
  return (
    <div className="live-player">
      {/* CORS mode (anonymous: same-origin cookies still go): a stream published through a CDN is another
          origin, and a browser playing HLS itself would otherwise fetch it opaquely and block it (ORB). */}
      <video
        ref={videoRef}
        data-testid="live-video"
        crossOrigin="anonymous"
        controls
        muted
        playsInline
        style={{ width: "100%", background: "#000", aspectRatio: "16 / 9" }}
      />
      {problem && <p data-testid="live-problem">{problem}</p>}
    </div>
  );
}
