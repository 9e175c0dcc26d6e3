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

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const draft = text.trim();
    if (!draft) return;
    if (draft.length > CHAT_MAX_LENGTH) return setError(`Messages can be at most ${CHAT_MAX_LENGTH} characters.`);
    setBusy(true);
    setError(null);
    try {
      await onSend(draft);
      setText("");
      pinned.current = true;
    } catch (err) {
      setError(err instanceof Error ? err.message : "The message was not sent.");
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
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
        onScroll={(event) => {
          const el = event.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        data-testid="chat-list"
      >
        {messages.length === 0 && <li className="chat-empty">No messages yet. Say hello!</li>}
        {messages.map((message) => (
          <li
            key={message.seq}
            className={["chat-msg", message.userId === myUserId && "mine", message.deleted && "deleted"].filter(Boolean).join(" ")}
            data-testid="chat-message"
            data-seq={message.seq}
            data-deleted={message.deleted || undefined}
          >
            <div className="chat-meta">
              <strong>{message.userId === myUserId ? "You" : message.authorName}</strong>
              <time dateTime={message.createdAt}>{new Date(message.createdAt).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}</time>
              {isHost && !message.deleted && (
                <button
                  type="button"
                  className="chat-delete"
                  onClick={() => onDelete(message.id)}
                  aria-label={`Delete message from ${message.authorName}`}
                  data-testid="chat-delete"
                >
                  <Icon name="trash" size={14} />
                </button>
              )}
            </div>
            <p className="chat-text">{message.deleted ? <em>This message was deleted.</em> : message.text}</p>
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
              onChange={(event) => setText(event.target.value)}
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
