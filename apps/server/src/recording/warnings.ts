import type { TrackRow } from "./repo.js";
import type { RecordingWarningColumn } from "./tables.js";

/** What processing learned of one track: the seconds of media its readable parts hold. */
export interface TrackYield {
  track: TrackRow;
  /** Seconds of media in the track's readable parts (0: none readable). */
  mediaSeconds: number;
  /** Whether the parts' durations were known (a part cut short by a crash may not say). */
  measured: boolean;
}

const WHAT: Record<string, string> = { camera: "camera", microphone: "microphone", screen: "screen share" };

/**
 * The warnings a recording carries for its host: a published track that yielded no frames at
 * all, or frames for less than half of the time it was live (more than a few seconds).
 */
export function trackWarnings(yields: TrackYield[], recordingSeconds: number, nameOf: (userId: string | null) => string): RecordingWarningColumn[] {
  const out: RecordingWarningColumn[] = [];
  for (const { track, mediaSeconds, measured } of yields) {
    const who = nameOf(track.user_id);
    const what = `${who}'s ${WHAT[track.source] ?? track.source}`;
    const base = { trackId: track.id, kind: track.kind, source: track.source, userId: track.user_id };
    const liveSeconds = Math.max(0, ((track.end_offset_ms ?? recordingSeconds * 1000) - track.start_offset_ms) / 1000);
    if (mediaSeconds <= 0) {
      out.push({
        ...base,
        code: "track-empty",
        message: track.kind === "video" ? `No picture was recorded from ${what}.` : `No sound was recorded from ${what}.`,
      });
    } else if (measured && liveSeconds > 4 && mediaSeconds < liveSeconds / 2) {
      const pct = Math.round((100 * mediaSeconds) / liveSeconds);
      out.push({
        ...base,
        code: "track-partial",
        message: `Only ${pct} % of ${what} was recorded (${Math.round(mediaSeconds)} of ${Math.round(liveSeconds)} s).`,
      });
    }
  }
  return out;
}
