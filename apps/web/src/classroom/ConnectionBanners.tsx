import type { Phase } from "./state";

/**
 * The classroom's connection notices, at the top: the class's connection lost (or the device
 * offline), the audio and video starting over, and — during a join storm, while my media's set-up
 * waits its turn at the media server (MEDIA_BUSY retries, or a set-up unanswered for 2 s;
 * media/busyRetry.ts) — that it is on its way. While the media starts over (a lost media node, say)
 * a slow set-up is that, not a storm: the reconnecting notice says so instead. Each is a polite
 * live region.
 */
export function ConnectionBanners({
  phase,
  online,
  mediaResetting,
  mediaQueued,
}: {
  phase: Phase;
  online: boolean;
  mediaResetting: boolean;
  mediaQueued: boolean;
}) {
  const media = phase === "joined" && online;
  return (
    <>
      {media && mediaResetting && (
        <div className="banner banner-warning" role="status" aria-live="polite" data-testid="media-reconnecting">
          <span className="spinner" aria-hidden="true" /> Reconnecting audio and video…
        </div>
      )}
      {media && mediaQueued && !mediaResetting && (
        <div className="banner banner-warning" role="status" aria-live="polite" data-testid="media-queued">
          <span className="spinner" aria-hidden="true" /> Many people are joining right now — connecting your audio and video in a moment…
        </div>
      )}
      {(phase === "reconnecting" || !online) && (
        <div className="banner banner-warning" role="status" aria-live="polite" data-testid="reconnecting-banner">
          <span className="spinner" aria-hidden="true" />{" "}
          {online ? "Connection lost — reconnecting…" : "You are offline — we'll reconnect when the network is back."}
        </div>
      )}
    </>
  );
}
