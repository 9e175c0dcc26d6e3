import type { RecordingSession } from "../../apps/server/src/recording/RecordingSession.js";
import { waitFor } from "./wait.js";

/** What the recording helpers read of the app's recording service. */
export interface ActiveSessions {
  activeSession(recordingId: string): RecordingSession | undefined;
}

/**
 * Waits until the live recording has at least `tracks` tracks (only those of `producers` when
 * given) and each of them has captured `ms` of media, from its first captured packet to its
 * latest. Use it where a test needs "some seconds of class on the recording": on a loaded machine
 * media starts late, and a fixed sleep then records less than the test expects.
 */
export async function capturedFor(
  service: ActiveSessions,
  recordingId: string,
  ms: number,
  opts: { tracks?: number; producers?: string[]; timeoutMs?: number } = {},
): Promise<void> {
  const { tracks = 1, producers, timeoutMs = ms + 30_000 } = opts;
  await waitFor(
    `${producers ? producers.join(", ") : `${tracks} track(s)`} of recording ${recordingId} to capture ${ms} ms of media`,
    () => {
      const session = service.activeSession(recordingId);
      if (!session) return false;
      const captures = [...session.captures.entries()].filter(([producerId]) => !producers || producers.includes(producerId));
      const spans = captures.map(([, { capture }]) => {
        const first = capture.parts.find((p) => p.offsetMs >= 0)?.offsetMs;
        return first === undefined || capture.lastPacketAt < 0 ? -1 : capture.lastPacketAt - first;
      });
      return spans.length >= Math.max(tracks, producers?.length ?? 0) && spans.every((span) => span >= ms);
    },
    { timeoutMs, intervalMs: 100 },
  );
}
