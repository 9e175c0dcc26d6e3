import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { ErrorBody } from "./errors.js";
import { RoomDto, RoomRole, RoomSettingsPatch } from "./rooms.js";
import { CHAT_MAX_LENGTH, ChatMessageDto } from "./chat.js";
import { LiveId, MultilineText, Text, Uuid } from "./input.js";

/**
 * Socket.IO contract (path `/socket.io/`, handshake `auth: { token }`): the DTOs of the socket
 * events, the payload schemas the server validates, and ack shapes. The event maps of both
 * directions are built from these in events.ts. Every client event takes `(payload, ack)` and
 * the ack always receives `{ ok: true, ...result }` or `{ ok: false, error: { code, message } }`.
 * Described event by event in docs/PROTOCOL.md.
 */

// ---------------------------------------------------------------- acks

/** An object type with no fields: the result of an event that answers only `ok`. */
export type NoFields = Record<never, never>;

export type AckOk<T extends object = NoFields> = { ok: true } & T;
export type AckError = { ok: false; error: ErrorBody };
export type AckResult<T extends object = NoFields> = AckOk<T> | AckError;
export type Ack<T extends object = NoFields> = (result: AckResult<T>) => void;

/** `connect_error` carries `err.message` and `err.data.code` (UNAUTHORIZED, INVALID_TOKEN, TOKEN_EXPIRED, ACCOUNT_DISABLED). */
export interface ConnectErrorData {
  code: string;
}

// ---------------------------------------------------------------- shared DTOs

export const ParticipantMediaState = Type.Object({ audio: Type.Boolean(), video: Type.Boolean(), screen: Type.Boolean() });
export type ParticipantMediaState = Static<typeof ParticipantMediaState>;

export const ParticipantDto = Type.Object({
  /** Stable for the user's stay in the room (survives reconnects within the grace period). */
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  role: RoomRole,
  handRaised: Type.Boolean(),
  handRaisedAt: Type.Union([Type.String(), Type.Null()]),
  media: ParticipantMediaState,
  /** False while the participant's connection is dropped and within the reconnect grace period. */
  connected: Type.Boolean(),
  /** May publish audio/video (host, presenter, or student when the room allows it). */
  canPublish: Type.Boolean(),
  joinedAt: Type.String(),
});
export type ParticipantDto = Static<typeof ParticipantDto>;

export const WaitingDto = Type.Object({ userId: Type.String(), name: Type.String(), since: Type.String() });
export type WaitingDto = Static<typeof WaitingDto>;

export const HandQueueEntry = Type.Object({ participantId: Type.String(), userId: Type.String(), name: Type.String(), raisedAt: Type.String() });
export type HandQueueEntry = Static<typeof HandQueueEntry>;

export const LeaveReason = Type.Union([Type.Literal("left"), Type.Literal("disconnected"), Type.Literal("removed"), Type.Literal("room-ended")]);
export type LeaveReason = Static<typeof LeaveReason>;

export const JoinRoomResult = Type.Object({
  room: RoomDto,
  participantId: Type.String(),
  role: RoomRole,
  canPublish: Type.Boolean(),
  participants: Type.Array(ParticipantDto),
  handQueue: Type.Array(HandQueueEntry),
  /** The last 50 chat messages, oldest first. */
  messages: Type.Array(ChatMessageDto),
  /** Hosts only: people in the waiting room. */
  waiting: Type.Optional(Type.Array(WaitingDto)),
  /** True when this join resumed an existing participant (reconnect or another tab). */
  resumed: Type.Boolean(),
});
export type JoinRoomResult = Static<typeof JoinRoomResult>;

export const RoomInfoResult = Type.Object({
  room: RoomDto,
  participantCount: Type.Integer(),
  handQueue: Type.Array(HandQueueEntry),
  /** Hosts only. */
  waiting: Type.Optional(Type.Array(WaitingDto)),
});
export type RoomInfoResult = Static<typeof RoomInfoResult>;

export const SessionDescription = Type.Object({ type: Type.Union([Type.Literal("offer"), Type.Literal("answer")]), sdp: Type.String() });
export type SessionDescription = Static<typeof SessionDescription>;

export const IceCandidate = Type.Object({
  candidate: Type.String(),
  sdpMid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  sdpMLineIndex: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  usernameFragment: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type IceCandidate = Static<typeof IceCandidate>;

// ---------------------------------------------------------------- payload schemas (validated by the server)

/** Ids of stored records (rooms, users, chat messages): malformed ones are VALIDATION_FAILED. */
const RecordId = Uuid();
/** Ids of live objects (participants, transports, producers, consumers): unknown ones are "not found". */
const Id = LiveId();
const OptionalRoom = { roomId: Type.Optional(RecordId) };
const strict = { additionalProperties: false } as const;
const MAX_SDP = 64 * 1024;

export const JoinRoomPayload = Type.Object({ roomId: RecordId }, strict);
export const RoomScopedPayload = Type.Object({ ...OptionalRoom }, strict);
export const TargetPayload = Type.Object({ ...OptionalRoom, participantId: Id }, strict);
export const UserTargetPayload = Type.Object({ ...OptionalRoom, userId: RecordId }, strict);
export const LowerHandPayload = Type.Object({ ...OptionalRoom, participantId: Type.Optional(Id) }, strict);
export const ChatSendPayload = Type.Object(
  {
    ...OptionalRoom,
    /** Trimmed by the server; 1–2,000 characters after trimming. */
    text: MultilineText({ maxLength: CHAT_MAX_LENGTH * 4 }),
  },
  strict,
);
export const ChatDeletePayload = Type.Object({ ...OptionalRoom, messageId: RecordId }, strict);
export const UpdateSettingsPayload = Type.Object({ ...OptionalRoom, settings: RoomSettingsPatch }, strict);
export const AuthRenewPayload = Type.Object({ token: Text({ minLength: 1, maxLength: 4096 }) }, strict);
export const OfferPayload = Type.Object(
  { ...OptionalRoom, to: Id, description: Type.Object({ type: Type.Literal("offer"), sdp: MultilineText({ minLength: 1, maxLength: MAX_SDP }) }, strict) },
  strict,
);
export const AnswerPayload = Type.Object(
  { ...OptionalRoom, to: Id, description: Type.Object({ type: Type.Literal("answer"), sdp: MultilineText({ minLength: 1, maxLength: MAX_SDP }) }, strict) },
  strict,
);
export const IceCandidatePayload = Type.Object(
  {
    ...OptionalRoom,
    to: Id,
    /** null = end of candidates. */
    candidate: Type.Union([
      Type.Object(
        {
          candidate: Text({ maxLength: 2048 }),
          sdpMid: Type.Optional(Type.Union([Text({ maxLength: 64 }), Type.Null()])),
          sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1024 }), Type.Null()])),
          usernameFragment: Type.Optional(Type.Union([Text({ maxLength: 256 }), Type.Null()])),
        },
        strict,
      ),
      Type.Null(),
    ]),
  },
  strict,
);

export type JoinRoomPayload = Static<typeof JoinRoomPayload>;
export type RoomScopedPayload = Static<typeof RoomScopedPayload>;
export type TargetPayload = Static<typeof TargetPayload>;
export type UserTargetPayload = Static<typeof UserTargetPayload>;
export type LowerHandPayload = Static<typeof LowerHandPayload>;
export type ChatSendPayload = Static<typeof ChatSendPayload>;
export type ChatDeletePayload = Static<typeof ChatDeletePayload>;
export type UpdateSettingsPayload = Static<typeof UpdateSettingsPayload>;
export type AuthRenewPayload = Static<typeof AuthRenewPayload>;
export type OfferPayload = Static<typeof OfferPayload>;
export type AnswerPayload = Static<typeof AnswerPayload>;
export type IceCandidatePayload = Static<typeof IceCandidatePayload>;

// ---------------------------------------------------------------- media events (the SFU flow: docs/MEDIA.md)

export const MEDIA_CLIENT_EVENTS = [
  "create-transport",
  "connect-transport",
  "produce",
  "consume",
  "close-producer",
  "close-consumer",
  "set-preferred-layer",
  "leave-media",
] as const;
export type MediaClientEvent = (typeof MEDIA_CLIENT_EVENTS)[number];
export const MEDIA_SERVER_EVENTS = ["new-producer", "producer-closed", "consumer-closed", "media-reset"] as const;

/** Payloads of the media events; they act as the caller's participant (the media peer id). */
export const MediaEventSchemas = {
  "create-transport": Type.Object({ ...OptionalRoom, direction: Type.Union([Type.Literal("send"), Type.Literal("recv")]) }, strict),
  "connect-transport": Type.Object(
    {
      ...OptionalRoom,
      transportId: Id,
      description: Type.Object(
        { type: Type.Union([Type.Literal("offer"), Type.Literal("answer")]), sdp: MultilineText({ minLength: 1, maxLength: 128 * 1024 }) },
        strict,
      ),
    },
    strict,
  ),
  produce: Type.Object(
    {
      ...OptionalRoom,
      transportId: Id,
      kind: Type.Union([Type.Literal("audio"), Type.Literal("video")]),
      source: Type.Union([Type.Literal("camera"), Type.Literal("microphone"), Type.Literal("screen"), Type.Literal("screen-audio")]),
      /** The m-line of the client's send transport that carries this track. */
      mid: Type.Optional(Text({ minLength: 1, maxLength: 32 })),
    },
    strict,
  ),
  consume: Type.Object({ ...OptionalRoom, producerId: Id, transportId: Id }, strict),
  "close-producer": Type.Object({ ...OptionalRoom, producerId: Id }, strict),
  "close-consumer": Type.Object({ ...OptionalRoom, consumerId: Id }, strict),
  "set-preferred-layer": Type.Object({ ...OptionalRoom, consumerId: Id, layer: Type.Union([Type.Literal("l"), Type.Literal("m"), Type.Literal("h")]) }, strict),
  /** Drop all of my transports, producers and consumers (before starting my media over). */
  "leave-media": Type.Object({ ...OptionalRoom }, strict),
} satisfies Record<MediaClientEvent, TSchema>;

export type CreateTransportPayload = Static<(typeof MediaEventSchemas)["create-transport"]>;
export type ConnectTransportPayload = Static<(typeof MediaEventSchemas)["connect-transport"]>;
export type ProducePayload = Static<(typeof MediaEventSchemas)["produce"]>;
export type ConsumePayload = Static<(typeof MediaEventSchemas)["consume"]>;
export type CloseProducerPayload = Static<(typeof MediaEventSchemas)["close-producer"]>;
export type CloseConsumerPayload = Static<(typeof MediaEventSchemas)["close-consumer"]>;
export type SetPreferredLayerPayload = Static<(typeof MediaEventSchemas)["set-preferred-layer"]>;
