import { useEffect, useState, type FormEvent } from "react";
import type { LiveStatusDto } from "@vtp/protocol";
import { errorText } from "../api/errors";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { liveApi, viewerId } from "./api";
import { LivePlayer } from "./LivePlayer";

type Source = { roomId: string } | { token: string };

/**
 * /live/:roomId (a member of the class, signed in) and /live/s/:token (anyone with a stream
 * link): the class's live stream, how many watch it, and its chat when the host allows it.
 * The page polls every 4 s (that poll is what counts it as a viewer). No WebRTC.
 */
export function LivePage(source: Source) {
  const [status, setStatus] = useState<LiveStatusDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const token = "token" in source ? source.token : null;
  const roomId = "roomId" in source ? source.roomId : "";
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const { live } = token ? await liveApi.byToken(token, viewerId) : await liveApi.status(roomId, viewerId);
        if (!stopped) {
          setStatus(live);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(errorText(err));
      }
    };
    void poll();
    const timer = setInterval(poll, 4000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [token, roomId]);
  if (error && !status)
    return (
      <div className="container container-narrow">
        <Alert kind="error" testId="live-error">
          {error}
        </Alert>
      </div>
    );
  if (!status) return <Loading label="Loading the stream…" />;
  return (
    <div className="container" data-testid="live-page" data-live={status.live}>
      <PageHeader title={status.title || "Live class"} description={status.live ? "Live now" : "The class is not streamed right now."} />
      <p data-testid="live-viewers" data-count={status.viewers}>
        {status.viewers} watching
      </p>
      {status.playbackUrl ? <LivePlayer src={status.playbackUrl} /> : <Alert kind="info">The stream starts when the teacher goes live.</Alert>}
      {status.chatEnabled && <LiveChat source={source} status={status} />}
    </div>
  );
}

function LiveChat({ source, status }: { source: Source; status: LiveStatusDto }) {
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if ("token" in source) await liveApi.chatByToken(source.token, name, text);
      else await liveApi.chat(source.roomId, text);
      setText("");
      setProblem(null);
    } catch (err) {
      setProblem(errorText(err));
    }
  };
  return (
    <section className="live-chat" aria-label="Chat" data-testid="live-chat">
      <ul>
        {status.chat.map((message) => (
          <li key={message.seq}>
            <strong>{message.name}</strong> {message.text}
          </li>
        ))}
      </ul>
      <form onSubmit={send}>
        {"token" in source && (
          <input aria-label="Your name" placeholder="Your name" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} required />
        )}
        <input aria-label="Message" data-testid="live-chat-input" value={text} maxLength={500} onChange={(e) => setText(e.target.value)} required />
        <Button type="submit" size="sm">
          Send
        </Button>
      </form>
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}
