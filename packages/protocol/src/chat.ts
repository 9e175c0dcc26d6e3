import { Type, type Static } from "@sinclair/typebox";

export const CHAT_MAX_LENGTH = 2000;

export const ChatMessageDto = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  /** 1, 2, 3… per room, in send order. */
  seq: Type.Integer(),
  userId: Type.Union([Type.String(), Type.Null()]),
  authorName: Type.String(),
  /** Empty once deleted. */
  text: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  deleted: Type.Boolean(),
});
export type ChatMessageDto = Static<typeof ChatMessageDto>;

export const ChatHistoryQuery = Type.Object(
  {
    /** Messages with seq greater than this (default 0: from the start). */
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type ChatHistoryQuery = Static<typeof ChatHistoryQuery>;

export const ChatHistoryResponse = Type.Object({
  messages: Type.Array(ChatMessageDto),
  /** True when more messages follow the last one returned. */
  hasMore: Type.Boolean(),
});
export type ChatHistoryResponse = Static<typeof ChatHistoryResponse>;
