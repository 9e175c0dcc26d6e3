import type { RecordingDto, RecordingMarkerDto } from "@vtp/protocol";
import type { MarkerRow, RecordingRow, TrackRow } from "./repo.js";

/** A recording as the API shows it; `signedQuery` (ready recordings) makes its file URLs. */
export function recordingDto(r: RecordingRow, tracks: TrackRow[], markers: MarkerRow[], signedQuery?: string): RecordingDto {
  const base = `/api/v1/recordings/${r.id}`;
  const q = signedQuery;
  return {
    id: r.id,
    roomId: r.room_id,
    title: r.title,
    status: r.status,
    progress: r.progress,
    error: r.error,
    visibility: r.visibility,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    stoppedAt: r.stopped_at?.toISOString() ?? null,
    durationSeconds: r.duration_seconds,
    sizeBytes: r.size_bytes,
    tracks: tracks.filter((t) => t.recording_id === r.id).map(trackDto),
    markers: markers.filter((m) => m.recording_id === r.id).map(markerDto),
    warnings: r.warnings ?? [],
    ...(q !== undefined ? { urls: { thumbnail: `${base}/thumbnail?${q}`, download: `${base}/download?${q}`, stream: `${base}/stream?${q}` } } : {}),
  };
}

const trackDto = (t: TrackRow) => ({
  id: t.id,
  producerId: t.producer_id,
  userId: t.user_id,
  kind: t.kind,
  source: t.source,
  codec: t.codec,
  startOffsetMs: t.start_offset_ms,
  endOffsetMs: t.end_offset_ms,
  parts: t.parts
    .filter((p) => p.offsetMs >= 0)
    .map((p) => ({
      offsetMs: p.offsetMs,
      ...(p.endOffsetMs !== undefined ? { endOffsetMs: p.endOffsetMs } : {}),
      ...(p.gapReason ? { gapReason: p.gapReason } : {}),
    })),
  status: t.status,
});

export const markerDto = (m: MarkerRow): RecordingMarkerDto => ({
  id: m.id,
  kind: m.kind,
  label: m.label,
  offsetMs: m.offset_ms,
  createdAt: new Date(m.created_at).toISOString(),
});
