import { CHAT_MAX_LENGTH, type ChatHistoryResponse, type ChatMessageDto } from "@vtp/protocol";
import { AppError, badRequest } from "../../errors/index.js";
import type { DB } from "../../db/index.js";
import { isUuid } from "../repo.js";
import { ChatRepo, type ChatRow } from "./repo.js";

/** A shared (multi-node) fixed-window counter; true = allowed. */
export interface RateLimiter {
  hit(key: string, max: number, windowMs: number): Promise<boolean>;
}

export interface ChatLimits {
  /** Messages per user per room per window. */
  max: number;
  windowMs: number;
}

export function toChatDto(row: ChatRow): ChatMessageDto {
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    roomId: row.room_id,
    seq: row.seq,
    userId: row.user_id,
    authorName: row.author_name,
    text: deleted ? "" : row.text,
    createdAt: new Date(row.created_at).toISOString(),
    deleted,
  };
}

/** Messages of one batch at most (one INSERT). */
const MAX_BATCH = 200;

interface PendingMessage {
  userId: string;
  authorName: string;
  text: string;
  stored: (row: ChatRow) => void;
  failed: (err: unknown) => void;
}

/**
 * Chat messages: checks, rate limit, storage with a per-room sequence, history.
 *
 * Storage is batched per room: while a room's INSERT is in flight the messages sent meanwhile
 * wait and then go in one statement (consecutive seqs, in arrival order). Every message takes
 * the room's row lock (its `chat_seq`), so concurrent INSERTs of a busy class only queued in
 * PostgreSQL, each holding a pool connection; a class of 1,000 chatting then ran the pool dry
 * (DATABASE_UNAVAILABLE). A message sent to a quiet room is stored at once, as before.
 */
export class ChatService {
  private readonly repo: ChatRepo;
  /** Per room: messages waiting for the INSERT in flight to finish. */
  private readonly queues = new Map<string, PendingMessage[]>();

  constructor(
    db: DB,
    private readonly limiter: RateLimiter,
    private readonly limits: ChatLimits,
  ) {
    this.repo = new ChatRepo(db);
  }

  /** The caller has checked membership and that chat is enabled. */
  async send(roomId: string, user: { id: string; fullName: string }, rawText: string): Promise<ChatMessageDto> {
    const text = rawText.trim();
    if (!text) throw badRequest("The message is empty");
    if (text.length > CHAT_MAX_LENGTH) throw badRequest(`A message has at most ${CHAT_MAX_LENGTH} characters`);
    if (!(await this.limiter.hit(`chat:${roomId}:${user.id}`, this.limits.max, this.limits.windowMs))) {
      throw new AppError("RATE_LIMITED", `At most ${this.limits.max} messages per ${Math.round(this.limits.windowMs / 1000)} s`);
    }
    return toChatDto(await this.store(roomId, user.id, user.fullName, text));
  }

  /** Messages of this room waiting for the INSERT in flight (the server's status, tests). */
  waiting(roomId: string): number {
    return this.queues.get(roomId)?.length ?? 0;
  }

  private store(roomId: string, userId: string, authorName: string, text: string): Promise<ChatRow> {
    return new Promise((stored, failed) => {
      const queue = this.queues.get(roomId);
      const message = { userId, authorName, text, stored, failed };
      if (queue) queue.push(message);
      else {
        const fresh = [message];
        this.queues.set(roomId, fresh);
        void this.drain(roomId, fresh);
      }
    });
  }

  /** Stores the room's waiting messages batch after batch until none is left. */
  private async drain(roomId: string, queue: PendingMessage[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const rows =
          batch.length === 1 && batch[0]
            ? [await this.repo.insert(roomId, batch[0].userId, batch[0].authorName, batch[0].text)]
            : await this.repo.insertMany(roomId, batch);
        batch.forEach((message, i) => {
          const row = rows[i];
          if (row) message.stored(row);
          else message.failed(new Error("a chat message was not stored"));
        });
      } catch (err) {
        for (const message of batch) message.failed(err);
      }
    }
    this.queues.delete(roomId);
  }

  async delete(roomId: string, messageId: string, by: string): Promise<ChatMessageDto> {
    const row = isUuid(messageId) ? await this.repo.byId(roomId, messageId) : undefined;
    if (!row) throw new AppError("MESSAGE_NOT_FOUND", "No such message in this room");
    await this.repo.markDeleted(row.id, by);
    return { ...toChatDto(row), text: "", deleted: true };
  }

  async latest(roomId: string, count = 50): Promise<ChatMessageDto[]> {
    return (await this.repo.latest(roomId, count)).map(toChatDto);
  }

  async history(roomId: string, after: number, limit: number): Promise<ChatHistoryResponse> {
    const rows = await this.repo.after(roomId, after, limit + 1);
    return { messages: rows.slice(0, limit).map(toChatDto), hasMore: rows.length > limit };
  }

  count(roomId: string): Promise<number> {
    return this.repo.count(roomId);
  }
}
