import { useEffect, useState, type FormEvent } from "react";
import type { RecordingChatResponse, RecordingDto, RecordingPollsResponse, ShareRecordingResponse } from "@vtp/protocol";
import { recordings } from "../api/recordings";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { useUser } from "../auth/session";
import { Link, navigate } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { ConfirmButton } from "../ui/ConfirmButton";
import { CopyButton } from "../ui/CopyButton";
import { Icon } from "../ui/Icon";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { formatWhen } from "../ui/StatusBadge";
import { bytes, clock } from "./format";
import { Player } from "./Player";
import { RecordingStatus } from "./StatusLine";
import { useRecordingBoard } from "./board/useRecordingBoard";

/** /recordings/:id — watch; the host also renames, shares, and deletes. */
export function RecordingPage({ id }: { id: string }) {
  const user = useUser();
  const [rec, setRec] = useState<RecordingDto | null>(null);
  const [chat, setChat] = useState<RecordingChatResponse["messages"]>([]);
  const [classwork, setClasswork] = useState<RecordingPollsResponse>({ polls: [], quizzes: [] });
  const [canManage, setCanManage] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [share, setShare] = useState<ShareRecordingResponse | null>(null);
  const board = useRecordingBoard(rec?.status === "ready" ? { recordingId: id } : null, rec?.roomId);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const { recording } = await recordings.get(id);
        if (!alive) return;
        setRec(recording);
        if (recording.status === "ready") {
          const [replayChat, replayPolls] = await Promise.all([recordings.chat(id), recordings.polls(id)]);
          if (!alive) return;
          setChat(replayChat.messages);
          setClasswork(replayPolls);
        } else if (recording.status !== "failed") timer = setTimeout(load, 3000);
      } catch (err) {
        if (alive) setError(errorText(err));
      }
    };
    void load();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: asks once per room, not on every poll of the recording.
  useEffect(() => {
    if (!rec) return;
    if (user.role === "admin") {
      setCanManage(true);
      return;
    }
    rooms.get(rec.roomId).then(
      ({ room }) => setCanManage(room.hostId === user.id),
      () => setCanManage(false),
    );
  }, [rec?.roomId, user]);

  if (error)
    return (
      <div className="container container-narrow">
        <Alert kind="error">{error}</Alert>
      </div>
    );
  if (!rec) return <Loading label="Loading the recording…" />;

  const act = async (done: string, fn: () => Promise<unknown>) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ kind: "success", text: done });
    } catch (err) {
      setMsg({ kind: "error", text: errorText(err) });
    }
  };

  return (
    <div className="container">
      <p className="small">
        <Link to="/recordings">
          <Icon name="arrowLeft" size={14} /> Recordings
        </Link>
      </p>
      <PageHeader
        title={rec.title}
        description={
          <span className="row" style={{ gap: 8 }}>
            <RecordingStatus r={rec} />
            <span>
              {formatWhen(rec.startedAt)}
              {rec.durationSeconds !== null && ` · ${clock(rec.durationSeconds)}`}
              {rec.sizeBytes !== null && ` · ${bytes(rec.sizeBytes)}`}
            </span>
          </span>
        }
      />
      <div className="stack">
        {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
        {rec.status === "ready" && <Player recording={rec} chat={chat} polls={classwork.polls} quizzes={classwork.quizzes} board={board} />}
        {(rec.status === "processing" || rec.status === "recording") && (
          <div className="card empty">
            <Loading label={rec.status === "recording" ? "This class is still being recorded." : `Preparing the recording… ${rec.progress}%`} />
          </div>
        )}
        {rec.status === "failed" && <Alert kind="error">This recording could not be processed{rec.error ? `: ${rec.error}` : "."}</Alert>}
        {canManage && rec.warnings.length > 0 && (
          <Alert kind="warning">
            <div data-testid="recording-warnings">
              <strong>Part of this class is missing from the recording.</strong>
              <ul>
                {rec.warnings.map((warning) => (
                  <li key={`${warning.code}-${warning.trackId}`} data-testid="recording-warning" data-code={warning.code}>
                    {warning.message}
                  </li>
                ))}
              </ul>
            </div>
          </Alert>
        )}
        {canManage && (
          <section className="card" aria-labelledby="manage-h">
            <h2 id="manage-h">Manage</h2>
            <div className="stack">
              <TitleForm
                initial={rec.title}
                onSave={(title) => act("The title was saved.", async () => setRec((await recordings.update(rec.id, { title })).recording))}
              />
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={rec.visibility === "participants"}
                  onChange={(event) => {
                    const visibility = event.target.checked ? "participants" : "private";
                    const before = rec;
                    setRec({ ...rec, visibility }); // moves at once; corrected if the server refuses
                    void act(visibility === "participants" ? "Everyone who attended can now watch it." : "Only you can watch it now.", async () => {
                      try {
                        setRec((await recordings.update(rec.id, { visibility })).recording);
                      } catch (err) {
                        setRec(before);
                        throw err;
                      }
                    });
                  }}
                  data-testid="recording-visibility"
                />
                Everyone who attended the class can watch it
              </label>
              {rec.status === "ready" && (
                <div className="row">
                  {share ? (
                    <div className="share grow" data-testid="recording-share">
                      <span className="small mono grow" style={{ overflowWrap: "anywhere" }}>
                        {share.url}
                      </span>
                      <CopyButton text={share.url} label="Copy the share link">
                        Copy link
                      </CopyButton>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() =>
                          act("The share link no longer works.", async () => {
                            await recordings.unshare(rec.id);
                            setShare(null);
                          })
                        }
                      >
                        Revoke
                      </Button>
                    </div>
                  ) : (
                    <Button
                      onClick={() => act("Anyone with the link can watch for 7 days.", async () => setShare(await recordings.share(rec.id, 24 * 7)))}
                      data-testid="recording-share-create"
                    >
                      <Icon name="link" size={16} /> Create a share link
                    </Button>
                  )}
                </div>
              )}
              <div>
                <ConfirmButton
                  variant="danger"
                  question="Delete this recording for good?"
                  confirmLabel="Delete"
                  onConfirm={() =>
                    act("Deleted.", async () => {
                      await recordings.remove(rec.id);
                      navigate("/recordings", { replace: true });
                    })
                  }
                  testId="recording-delete"
                >
                  Delete recording
                </ConfirmButton>
              </div>
            </div>
          </section>
        )}
      </div>
    </div>
  );
}

function TitleForm({ initial, onSave }: { initial: string; onSave: (title: string) => void }) {
  const [title, setTitle] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim()) onSave(title.trim());
  };
  return (
    <form className="row" onSubmit={submit}>
      <label htmlFor="rec-title" className="sr-only">
        Title
      </label>
      <input id="rec-title" className="input grow" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} style={{ maxWidth: 480 }} />
      <Button type="submit" disabled={!title.trim() || title.trim() === initial}>
        Rename
      </Button>
    </form>
  );
}
