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

/** Chat messages: checks, rate limit, storage with a per-room sequence, history. */
export class ChatService {
  private readonly repo: ChatRepo;

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
    return toChatDto(await this.repo.insert(roomId, user.id, user.fullName, text));
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
