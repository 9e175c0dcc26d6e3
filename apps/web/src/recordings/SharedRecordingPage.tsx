import { useEffect, useState } from "react";
import type { RecordingChatResponse, RecordingDto, RecordingPollsResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { errorText } from "../api/errors";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { formatWhen } from "../ui/StatusBadge";
import { clock } from "./format";
import { Player } from "./Player";
import { useRecordingBoard } from "./board/useRecordingBoard";

/** /shared/recordings/:token — a recording shared by link: no account needed. */
export function SharedRecordingPage({ token }: { token: string }) {
  const [data, setData] = useState<{ recording: RecordingDto; chat: RecordingChatResponse; polls: RecordingPollsResponse } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const board = useRecordingBoard(data?.recording.status === "ready" ? { shareToken: token } : null, data?.recording.roomId);
  useEffect(() => {
    recordings.shared(token).then(setData, (err) => setError(errorText(err)));
  }, [token]);
  if (error)
    return (
      <div className="container container-narrow">
        <Alert kind="error" testId="shared-error">
          {error}
        </Alert>
      </div>
    );
  if (!data) return <Loading label="Loading the recording…" />;
  const recording = data.recording;
  return (
    <div className="container">
      <PageHeader
        title={recording.title}
        description={`${formatWhen(recording.startedAt)}${recording.durationSeconds !== null ? ` · ${clock(recording.durationSeconds)}` : ""}`}
      />
      {recording.status === "ready" ? (
        <Player recording={recording} chat={data.chat.messages} polls={data.polls.polls} quizzes={data.polls.quizzes} board={board} />
      ) : (
        <Alert kind="info">This recording is not ready yet. Try again in a few minutes.</Alert>
      )}
    </div>
  );
}
