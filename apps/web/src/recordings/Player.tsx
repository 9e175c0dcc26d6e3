import { useEffect, useMemo, useRef, useState } from "react";
import type Hls from "hls.js";
import type { RecordingChatResponse, RecordingDto, RecordingMarkerDto, RecordingPollDto, RecordingQuizDto } from "@vtp/protocol";
import { Icon, type IconName } from "../ui/Icon";
import { clock } from "./format";
import { PollReplay } from "./PollReplay";
import type { RecordingBoardData } from "./board/api";
import { BoardReplay } from "./board/BoardReplay";
import { slideMoments } from "./board/replayState";

type Level = { index: number; height: number };

const MARKER_ICONS: Record<string, IconName> = { screen: "screen", hand: "hand", poll: "activity", quiz: "check", slide: "copy" };
const MARKER_KINDS: Record<string, string> = { screen: "Screen share", hand: "Raised hand", poll: "Poll", quiz: "Quiz", slide: "Slide" };
const markerIcon = (kind: string): IconName => MARKER_ICONS[kind] ?? "flag";
const markerKind = (kind: string) => MARKER_KINDS[kind] ?? "Marker";

/** A poll on the timeline: a moment of kind "poll" where it was opened. */
const pollMoment = (item: RecordingPollDto): RecordingMarkerDto => ({
  id: `poll-${item.poll.id}`,
  kind: "poll",
  label: `Poll: ${item.poll.question}`,
  offsetMs: item.openedOffsetMs,
  createdAt: item.poll.openedAt ?? item.poll.createdAt,
});
/** A quiz on the timeline: a moment of kind "quiz" where it was opened. */
const quizMoment = (item: RecordingQuizDto, recording: RecordingDto): RecordingMarkerDto => ({
  id: `quiz-${item.quizId}`,
  kind: "quiz",
  label: `Quiz: ${item.title}`,
  offsetMs: item.openedOffsetMs,
  createdAt: new Date(new Date(recording.startedAt).getTime() + item.openedOffsetMs).toISOString(),
});

/**
 * Plays a recording's HLS stream through hls.js (MediaSource; native HLS only where MSE is
 * missing, e.g. iOS Safari), with quality selection, a timeline of markers and the class chat
 * replayed in time, the polls asked in class with their results, and the class board with its
 * slide changes on the timeline (seeking moves them all).
 */
export function Player({
  recording,
  chat,
  polls = [],
  quizzes = [],
  board = null,
}: {
  recording: RecordingDto;
  chat: RecordingChatResponse["messages"];
  polls?: RecordingPollDto[];
  quizzes?: RecordingQuizDto[];
  /** The class board during the recording (null: not loaded, or none). */
  board?: RecordingBoardData | null;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(recording.durationSeconds ?? 0);
  const [levels, setLevels] = useState<Level[]>([]);
  const [quality, setQuality] = useState("auto");
  const [error, setError] = useState<string | null>(null);
  const src = recording.urls?.stream;

  useEffect(() => {
    const videoElement = video.current;
    if (!videoElement || !src) return;
    let alive = true;
    void import("hls.js").then(({ default: HlsClass }) => {
      if (!alive) return;
      if (!HlsClass.isSupported()) {
        if (videoElement.canPlayType("application/vnd.apple.mpegurl")) videoElement.src = src;
        else setError("This browser cannot play the recording. Download it instead.");
        return;
      }
      const hls = new HlsClass({ enableWorker: true });
      hlsRef.current = hls;
      hls.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) => {
        setLevels(
          data.levels
            .map((l, index) => ({ index, height: l.height }))
            .filter((l) => l.height > 0)
            .sort((a, b) => b.height - a.height),
        );
      });
      hls.on(HlsClass.Events.ERROR, (_e, data) => {
        if (data.fatal) setError("The recording could not be played. Reload the page to try again.");
      });
      hls.loadSource(src);
      hls.attachMedia(videoElement);
    });
    return () => {
      alive = false;
      hlsRef.current?.destroy();
      hlsRef.current = null;
      setLevels([]);
    };
  }, [src]);

  const chooseQuality = (value: string) => {
    setQuality(value);
    const hls = hlsRef.current;
    if (!hls) return;
    // -1 hands the choice back to hls.js (autoLevelEnabled becomes true).
    hls.currentLevel = value === "auto" ? -1 : Number(value);
  };

  const seek = (ms: number) => {
    const videoElement = video.current;
    if (!videoElement) return;
    videoElement.currentTime = Math.max(0, ms / 1000);
    setTime(videoElement.currentTime);
    void videoElement.play().catch(() => {});
  };
  const shown = chat.filter((m) => m.offsetMs <= time * 1000);
  const slides = useMemo(() => (board ? slideMoments(board.board, recording.startedAt, board.materials ?? new Map()) : []), [board, recording.startedAt]);
  const markers = [...recording.markers, ...polls.map(pollMoment), ...quizzes.map((quiz) => quizMoment(quiz, recording)), ...slides].sort(
    (a, b) => a.offsetMs - b.offsetMs,
  );
  const total = Math.max(duration, ...markers.map((m) => m.offsetMs / 1000), 1);

  return (
    <div className="player-layout">
      <div className="player-main">
        <div className="player-frame">
          {/* biome-ignore lint/a11y/useMediaCaption: recordings are made without captions; there is no track to give. */}
          <video
            ref={video}
            controls
            playsInline
            poster={recording.urls?.thumbnail}
            onTimeUpdate={(event) => setTime(event.currentTarget.currentTime)}
            onSeeked={(event) => setTime(event.currentTarget.currentTime)}
            onDurationChange={(event) => Number.isFinite(event.currentTarget.duration) && setDuration(event.currentTarget.duration)}
            data-testid="recording-video"
          />
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {board && <BoardReplay data={board} timeMs={time * 1000} />}
        <div className="player-bar row">
          {levels.length > 0 && (
            <label className="row small" style={{ gap: 6 }}>
              Quality
              <select className="select" value={quality} onChange={(event) => chooseQuality(event.target.value)} data-testid="recording-quality">
                <option value="auto">Auto</option>
                {levels.map((level) => (
                  <option key={level.index} value={String(level.index)}>
                    {level.height}p
                  </option>
                ))}
              </select>
            </label>
          )}
          {recording.urls && (
            <a className="small" href={recording.urls.download} download data-testid="recording-download">
              <Icon name="download" size={16} /> Download MP4
            </a>
          )}
        </div>
        {markers.length > 0 && (
          <section aria-labelledby="markers-h" className="markers">
            <h2 id="markers-h">Moments</h2>
            <div className="timeline" data-testid="recording-timeline">
              <div className="timeline-progress" style={{ width: `${Math.min(100, (time / total) * 100)}%` }} />
              {markers.map((marker) => (
                <button
                  key={marker.id}
                  type="button"
                  className={`timeline-marker timeline-${marker.kind}`}
                  style={{ left: `${Math.min(100, (marker.offsetMs / 1000 / total) * 100)}%` }}
                  onClick={() => seek(marker.offsetMs)}
                  title={`${clock(marker.offsetMs / 1000)} ${marker.label}`}
                  aria-label={`${markerKind(marker.kind)} at ${clock(marker.offsetMs / 1000)}: ${marker.label}`}
                  tabIndex={-1}
                >
                  <Icon name={markerIcon(marker.kind)} size={12} />
                </button>
              ))}
            </div>
            <ol>
              {markers.map((marker) => (
                <MarkerItem key={marker.id} m={marker} onSeek={seek} />
              ))}
            </ol>
          </section>
        )}
      </div>
      <aside className="card player-chat" aria-labelledby="replay-h">
        <h2 id="replay-h">Chat</h2>
        {chat.length === 0 ? (
          <p className="muted small">No messages were sent during this recording.</p>
        ) : (
          <ol className="replay" aria-live="off" data-testid="recording-chat">
            {shown.length === 0 && <li className="muted small">Messages appear here as the recording plays.</li>}
            {shown.map((message) => (
              <li key={message.seq}>
                <button
                  type="button"
                  className="replay-time mono"
                  onClick={() => seek(message.offsetMs)}
                  aria-label={`Go to ${clock(message.offsetMs / 1000)}`}
                >
                  {clock(Math.max(0, message.offsetMs) / 1000)}
                </button>
                <strong>{message.authorName}</strong> <span>{message.text}</span>
              </li>
            ))}
          </ol>
        )}
        <PollReplay polls={polls} quizzes={quizzes} timeMs={time * 1000} onSeek={seek} />
      </aside>
    </div>
  );
}

function MarkerItem({ m: marker, onSeek }: { m: RecordingMarkerDto; onSeek: (ms: number) => void }) {
  return (
    <li>
      <button
        type="button"
        className={`marker marker-${marker.kind}`}
        onClick={() => onSeek(marker.offsetMs)}
        data-testid="recording-marker"
        data-kind={marker.kind}
        data-offset-ms={marker.offsetMs}
        title={markerKind(marker.kind)}
      >
        <Icon name={markerIcon(marker.kind)} size={14} aria-hidden="true" /> <span className="mono">{clock(marker.offsetMs / 1000)}</span> {marker.label}
      </button>
    </li>
  );
}
