import type { PollDto, PollResultsDto, RecordingChatResponse, RecordingDto, RecordingMarkerDto, RecordingPollsResponse } from "@vtp/protocol";
import type { MarkerRow, RecordingRow, RecordingsRepo, TrackRow } from "./repo.js";
import type { QuizRecordSource } from "./ports.js";

/** A recording as the API shows it; `signedQuery` (ready recordings) makes its file URLs. */
export function recordingDto(recording: RecordingRow, tracks: TrackRow[], markers: MarkerRow[], signedQuery?: string): RecordingDto {
  const base = `/api/v1/recordings/${recording.id}`;
  const query = signedQuery;
  return {
    id: recording.id,
    roomId: recording.room_id,
    title: recording.title,
    status: recording.status,
    progress: recording.progress,
    error: recording.error,
    visibility: recording.visibility,
    startedBy: recording.started_by,
    startedAt: recording.started_at.toISOString(),
    stoppedAt: recording.stopped_at?.toISOString() ?? null,
    durationSeconds: recording.duration_seconds,
    sizeBytes: recording.size_bytes,
    tracks: tracks.filter((t) => t.recording_id === recording.id).map(trackDto),
    markers: markers.filter((m) => m.recording_id === recording.id).map(markerDto),
    warnings: recording.warnings ?? [],
    ...(recording.breakout_group_id ? { breakoutGroup: { id: recording.breakout_group_id, name: recording.breakout_group_name ?? "" } } : {}),
    ...(query !== undefined
      ? { urls: { thumbnail: `${base}/thumbnail?${query}`, download: `${base}/download?${query}`, stream: `${base}/stream?${query}` } }
      : {}),
  };
}

const trackDto = (track: TrackRow) => ({
  id: track.id,
  producerId: track.producer_id,
  userId: track.user_id,
  kind: track.kind,
  source: track.source,
  codec: track.codec,
  startOffsetMs: track.start_offset_ms,
  endOffsetMs: track.end_offset_ms,
  parts: track.parts
    .filter((p) => p.offsetMs >= 0)
    .map((part) => ({
      offsetMs: part.offsetMs,
      ...(part.endOffsetMs !== undefined ? { endOffsetMs: part.endOffsetMs } : {}),
      ...(part.gapReason ? { gapReason: part.gapReason } : {}),
    })),
  status: track.status,
});

export const markerDto = (marker: MarkerRow): RecordingMarkerDto => ({
  id: marker.id,
  kind: marker.kind,
  label: marker.label,
  offsetMs: marker.offset_ms,
  createdAt: new Date(marker.created_at).toISOString(),
});

/** The chat of a recording's span, each message at its offset on the recording's timeline. */
export function chatReplayDto(recording: RecordingRow, messages: Awaited<ReturnType<RecordingsRepo["chatBetween"]>>): RecordingChatResponse {
  return {
    messages: messages.map((msg) => ({
      seq: msg.seq,
      authorName: msg.author_name,
      text: msg.text,
      offsetMs: new Date(msg.created_at).getTime() - recording.started_at.getTime(),
      createdAt: new Date(msg.created_at).toISOString(),
    })),
  };
}

type QuizRecord = Awaited<ReturnType<QuizRecordSource["scoresOf"]>>[number];

/**
 * The polls and quizzes of a recording's span at their offsets on its timeline (those opened
 * while it ran). One closed after the recording stopped has no close offset. Poll results are
 * given only when `allResults` (the host, an admin) or they were published in class; a quiz's
 * submissions and average only when `allResults`.
 */
export function pollReplayDto(
  recording: RecordingRow,
  stoppedAt: Date,
  records: { poll: PollDto; results: PollResultsDto }[],
  quizzes: QuizRecord[],
  allResults: boolean,
): RecordingPollsResponse {
  const start = recording.started_at.getTime();
  const offset = (at: string | Date) => new Date(at).getTime() - start;
  const closedOffset = (at: string | Date | null) => (at && new Date(at).getTime() <= stoppedAt.getTime() ? offset(at) : null);
  const during = (at: Date | null): at is Date => at !== null && at.getTime() >= start && at.getTime() <= stoppedAt.getTime();
  return {
    polls: records
      .filter((record) => record.poll.openedAt !== null)
      .map(({ poll, results }) => ({
        poll,
        results: allResults || poll.published ? results : null,
        openedOffsetMs: Math.max(0, offset(poll.openedAt as string)),
        closedOffsetMs: closedOffset(poll.closedAt),
      })),
    quizzes: quizzes
      .filter((quiz) => during(quiz.openedAt))
      .map((quiz) => ({
        quizId: quiz.quizId,
        title: quiz.title,
        questions: quiz.questions,
        maxScore: quiz.maxScore,
        openedOffsetMs: offset(quiz.openedAt as Date),
        closedOffsetMs: closedOffset(quiz.closedAt),
        submitted: allResults ? quiz.scores.length : null,
        averageScore:
          allResults && quiz.scores.length > 0 ? Math.round((quiz.scores.reduce((sum, entry) => sum + entry.score, 0) / quiz.scores.length) * 10) / 10 : null,
      })),
  };
}
