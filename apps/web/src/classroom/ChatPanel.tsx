import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { CHAT_MAX_LENGTH, type ChatMessageDto } from "@vtp/protocol";
import { Icon } from "../ui/Icon";

/** Chat: history, new messages at the bottom, deleted ones shown as such; the host can delete. */
export function ChatPanel({
  messages,
  myUserId,
  isHost,
  enabled,
  onSend,
  onDelete,
  onClose,
}: {
  messages: ChatMessageDto[];
  myUserId: string;
  isHost: boolean;
  enabled: boolean;
  onSend: (text: string) => Promise<unknown>;
  onDelete: (id: string) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const pinned = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a message arrives (the count is the trigger, not an input).
  useEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages.length]);
  useEffect(() => input.current?.focus(), []);

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    const t = text.trim();
    if (!t) return;
    if (t.length > CHAT_MAX_LENGTH) return setError(`Messages can be at most ${CHAT_MAX_LENGTH} characters.`);
    setBusy(true);
    setError(null);
    try {
      await onSend(t);
      setText("");
      pinned.current = true;
    } catch (err) {
      setError(err instanceof Error ? err.message : "The message was not sent.");
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  };

  return (
    <section className="panel" aria-labelledby="chat-h" data-testid="chat-panel">
      <header className="panel-head">
        <h2 id="chat-h">Chat</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close chat">
          <Icon name="close" />
        </button>
      </header>
      <ol
        className="chat-list"
        ref={list}
        aria-live="polite"
        aria-relevant="additions"
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        data-testid="chat-list"
      >
        {messages.length === 0 && <li className="chat-empty">No messages yet. Say hello!</li>}
        {messages.map((m) => (
          <li
            key={m.seq}
            className={["chat-msg", m.userId === myUserId && "mine", m.deleted && "deleted"].filter(Boolean).join(" ")}
            data-testid="chat-message"
            data-seq={m.seq}
            data-deleted={m.deleted || undefined}
          >
            <div className="chat-meta">
              <strong>{m.userId === myUserId ? "You" : m.authorName}</strong>
              <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}</time>
              {isHost && !m.deleted && (
                <button
                  type="button"
                  className="chat-delete"
                  onClick={() => onDelete(m.id)}
                  aria-label={`Delete message from ${m.authorName}`}
                  data-testid="chat-delete"
                >
                  <Icon name="trash" size={14} />
                </button>
              )}
            </div>
            <p className="chat-text">{m.deleted ? <em>This message was deleted.</em> : m.text}</p>
          </li>
        ))}
      </ol>
      <form className="chat-form" onSubmit={send}>
        {error && (
          <p className="chat-error" role="alert">
            {error}
          </p>
        )}
        {!enabled && !isHost ? (
          <p className="chat-off small">The teacher has turned chat off.</p>
        ) : (
          <div className="chat-compose">
            <label htmlFor="chat-input" className="sr-only">
              Message
            </label>
            <textarea
              id="chat-input"
              ref={input}
              className="textarea"
              rows={1}
              placeholder="Message everyone"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={onKey}
              maxLength={CHAT_MAX_LENGTH}
              data-testid="chat-input"
            />
            <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()} data-testid="chat-send">
              Send
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
