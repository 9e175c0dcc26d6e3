import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { ErrorBody } from "./errors.js";
import { RoomRole, RoomSettingsPatch, type RoomDto } from "./rooms.js";
import { CHAT_MAX_LENGTH, type ChatMessageDto } from "./chat.js";
import type {
  ConnectTransportResult,
  ConsumeResult,
  CreateTransportResult,
  ProduceResult,
  ProducerInfo,
  ProducerCloseReason,
  ConsumerCloseReason,
} from "./media.js";

/**
 * Socket.IO contract (path `/socket.io/`, handshake `auth: { token }`): typed event maps for
 * both directions, payload schemas the server validates, and ack shapes. Every client event
 * takes `(payload, ack)` and the ack always receives `{ ok: true, ...result }` or
 * `{ ok: false, error: { code, message } }`. Described event by event in docs/PROTOCOL.md.
 */

// ---------------------------------------------------------------- acks

export type AckOk<T extends object = {}> = { ok: true } & T;
export type AckError = { ok: false; error: ErrorBody };
export type AckResult<T extends object = {}> = AckOk<T> | AckError;
export type Ack<T extends object = {}> = (result: AckResult<T>) => void;

/** `connect_error` carries `err.message` and `err.data.code` (UNAUTHORIZED, INVALID_TOKEN, TOKEN_EXPIRED, ACCOUNT_DISABLED). */
export interface ConnectErrorData {
  code: string;
}

// ---------------------------------------------------------------- shared DTOs

export interface ParticipantMediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface ParticipantDto {
  /** Stable for the user's stay in the room (survives reconnects within the grace period). */
  id: string;
  userId: string;
  name: string;
  role: RoomRole;
  handRaised: boolean;
  handRaisedAt: string | null;
  media: ParticipantMediaState;
  /** False while the participant's connection is dropped and within the reconnect grace period. */
  connected: boolean;
  /** May publish audio/video (host, presenter, or student when the room allows it). */
  canPublish: boolean;
  joinedAt: string;
}

export interface WaitingDto {
  userId: string;
  name: string;
  since: string;
}

export interface HandQueueEntry {
  participantId: string;
  userId: string;
  name: string;
  raisedAt: string;
}

export type LeaveReason = "left" | "disconnected" | "removed" | "room-ended";

export interface JoinRoomResult {
  room: RoomDto;
  participantId: string;
  role: RoomRole;
  canPublish: boolean;
  participants: ParticipantDto[];
  handQueue: HandQueueEntry[];
  /** The last 50 chat messages, oldest first. */
  messages: ChatMessageDto[];
  /** Hosts only: people in the waiting room. */
  waiting?: WaitingDto[];
  /** True when this join resumed an existing participant (reconnect or another tab). */
  resumed: boolean;
}

export interface RoomInfoResult {
  room: RoomDto;
  participantCount: number;
  handQueue: HandQueueEntry[];
  /** Hosts only. */
  waiting?: WaitingDto[];
}

export interface SessionDescription {
  type: "offer" | "answer";
  sdp: string;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

// ---------------------------------------------------------------- payload schemas (validated by the server)

const Id = Type.String({ minLength: 1, maxLength: 64 });
const OptionalRoom = { roomId: Type.Optional(Id) };
const strict = { additionalProperties: false } as const;
const MAX_SDP = 64 * 1024;

export const JoinRoomPayload = Type.Object({ roomId: Id }, strict);
export const RoomScopedPayload = Type.Object({ ...OptionalRoom }, strict);
export const TargetPayload = Type.Object({ ...OptionalRoom, participantId: Id }, strict);
export const UserTargetPayload = Type.Object({ ...OptionalRoom, userId: Id }, strict);
export const LowerHandPayload = Type.Object({ ...OptionalRoom, participantId: Type.Optional(Id) }, strict);
export const ChatSendPayload = Type.Object(
  {
    ...OptionalRoom,
    /** Trimmed by the server; 1–2,000 characters after trimming. */
    text: Type.String({ maxLength: CHAT_MAX_LENGTH * 4 }),
  },
  strict,
);
export const ChatDeletePayload = Type.Object({ ...OptionalRoom, messageId: Id }, strict);
export const UpdateSettingsPayload = Type.Object({ ...OptionalRoom, settings: RoomSettingsPatch }, strict);
export const AuthRenewPayload = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }, strict);
export const OfferPayload = Type.Object(
  { ...OptionalRoom, to: Id, description: Type.Object({ type: Type.Literal("offer"), sdp: Type.String({ minLength: 1, maxLength: MAX_SDP }) }, strict) },
  strict,
);
export const AnswerPayload = Type.Object(
  { ...OptionalRoom, to: Id, description: Type.Object({ type: Type.Literal("answer"), sdp: Type.String({ minLength: 1, maxLength: MAX_SDP }) }, strict) },
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
          candidate: Type.String({ maxLength: 2048 }),
          sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1024 }), Type.Null()])),
          usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
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

export const MEDIA_CLIENT_EVENTS = ["create-transport", "connect-transport", "produce", "consume", "close-producer", "close-consumer", "set-preferred-layer", "leave-media"] as const;
export type MediaClientEvent = (typeof MEDIA_CLIENT_EVENTS)[number];
export const MEDIA_SERVER_EVENTS = ["new-producer", "producer-closed", "consumer-closed", "media-reset"] as const;

/** Payloads of the media events; they act as the caller's participant (the media peer id). */
export const MediaEventSchemas = {
  "create-transport": Type.Object({ ...OptionalRoom, direction: Type.Union([Type.Literal("send"), Type.Literal("recv")]) }, strict),
  "connect-transport": Type.Object(
    { ...OptionalRoom, transportId: Id, description: Type.Object({ type: Type.Union([Type.Literal("offer"), Type.Literal("answer")]), sdp: Type.String({ minLength: 1, maxLength: 128 * 1024 }) }, strict) },
    strict,
  ),
  produce: Type.Object(
    {
      ...OptionalRoom,
      transportId: Id,
      kind: Type.Union([Type.Literal("audio"), Type.Literal("video")]),
      source: Type.Union([Type.Literal("camera"), Type.Literal("microphone"), Type.Literal("screen"), Type.Literal("screen-audio")]),
      /** The m-line of the client's send transport that carries this track. */
      mid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
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

// ---------------------------------------------------------------- event maps

/** Events the browser sends. Every one takes an ack as its last argument. */
export interface ClientToServerEvents {
  "join-room": (payload: JoinRoomPayload, ack: Ack<JoinRoomResult>) => void;
  "leave-room": (payload: RoomScopedPayload, ack: Ack) => void;
  "get-room-info": (payload: RoomScopedPayload, ack: Ack<RoomInfoResult>) => void;
  "get-participants": (payload: RoomScopedPayload, ack: Ack<{ participants: ParticipantDto[] }>) => void;

  "webrtc-offer": (payload: OfferPayload, ack: Ack) => void;
  "webrtc-answer": (payload: AnswerPayload, ack: Ack) => void;
  "ice-candidate": (payload: IceCandidatePayload, ack: Ack) => void;

  "raise-hand": (payload: RoomScopedPayload, ack: Ack<{ position: number }>) => void;
  "lower-hand": (payload: LowerHandPayload, ack: Ack) => void;

  promote: (payload: TargetPayload, ack: Ack<{ participant: ParticipantDto }>) => void;
  demote: (payload: TargetPayload, ack: Ack<{ participant: ParticipantDto }>) => void;
  "mute-participant": (payload: TargetPayload, ack: Ack) => void;
  "remove-participant": (payload: TargetPayload, ack: Ack) => void;
  admit: (payload: UserTargetPayload, ack: Ack) => void;
  reject: (payload: UserTargetPayload, ack: Ack) => void;
  "update-room-settings": (payload: UpdateSettingsPayload, ack: Ack<{ room: RoomDto }>) => void;
  "end-room": (payload: RoomScopedPayload, ack: Ack) => void;

  "chat-send": (payload: ChatSendPayload, ack: Ack<{ message: ChatMessageDto }>) => void;
  "chat-delete": (payload: ChatDeletePayload, ack: Ack) => void;

  "auth-renew": (payload: AuthRenewPayload, ack: Ack<{ expiresAt: string | null }>) => void;

  /** `producers`: everything already published in the room (to consume). */
  "create-transport": (payload: CreateTransportPayload, ack: Ack<CreateTransportResult & { producers: ProducerInfo[] }>) => void;
  "connect-transport": (payload: ConnectTransportPayload, ack: Ack<ConnectTransportResult>) => void;
  produce: (payload: ProducePayload, ack: Ack<ProduceResult>) => void;
  consume: (payload: ConsumePayload, ack: Ack<ConsumeResult>) => void;
  "close-producer": (payload: CloseProducerPayload, ack: Ack) => void;
  "close-consumer": (payload: CloseConsumerPayload, ack: Ack) => void;
  "set-preferred-layer": (payload: SetPreferredLayerPayload, ack: Ack) => void;
  "leave-media": (payload: RoomScopedPayload, ack: Ack) => void;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  "participant-joined": (e: { roomId: string; participant: ParticipantDto }) => void;
  "participant-left": (e: { roomId: string; participantId: string; userId: string; reason: LeaveReason }) => void;
  "participant-updated": (e: { roomId: string; participant: ParticipantDto }) => void;
  "hand-queue": (e: { roomId: string; queue: HandQueueEntry[] }) => void;
  /** Hosts only. */
  "waiting-updated": (e: { roomId: string; waiting: WaitingDto[] }) => void;
  /** To a waiting user: send join-room again. */
  admitted: (e: { roomId: string }) => void;
  rejected: (e: { roomId: string }) => void;
  /** To a removed participant: the socket has left the room. */
  removed: (e: { roomId: string }) => void;
  /** To a muted participant (the media layer closes their microphone): `by` is the host's participant id, `byName` their name. */
  muted: (e: { roomId: string; by: string; byName: string }) => void;
  /** To the older connection when the same user joins the room from another tab. */
  "session-replaced": (e: { roomId: string }) => void;
  "room-updated": (e: { room: RoomDto }) => void;
  "room-ended": (e: { roomId: string }) => void;
  "chat-message": (e: { roomId: string; message: ChatMessageDto }) => void;
  "chat-deleted": (e: { roomId: string; messageId: string; seq: number }) => void;

  "webrtc-offer": (e: { roomId: string; from: string; description: SessionDescription }) => void;
  "webrtc-answer": (e: { roomId: string; from: string; description: SessionDescription }) => void;
  "ice-candidate": (e: { roomId: string; from: string; candidate: IceCandidate | null }) => void;

  "new-producer": (e: { roomId: string; peerId: string; producer: ProducerInfo }) => void;
  "producer-closed": (e: { roomId: string; peerId: string; producerId: string; reason: ProducerCloseReason }) => void;
  /** To the consumer's owner only. */
  "consumer-closed": (e: { roomId: string; consumerId: string; producerId: string; reason: ConsumerCloseReason }) => void;
  /**
   * My media is gone on the server: the media worker or node holding the room died
   * (`media-lost`, to everyone in the room), or the server closed one of my transports as failed
   * (`transport-failed`, to me). Start the media session over (`leave-media`, then new transports).
   */
  "media-reset": (e: { roomId: string; reason: "media-lost" | "transport-failed" }) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** The validated payload schema of each non-media client event. */
export const ClientEventSchemas = {
  "join-room": JoinRoomPayload,
  "leave-room": RoomScopedPayload,
  "get-room-info": RoomScopedPayload,
  "get-participants": RoomScopedPayload,
  "webrtc-offer": OfferPayload,
  "webrtc-answer": AnswerPayload,
  "ice-candidate": IceCandidatePayload,
  "raise-hand": RoomScopedPayload,
  "lower-hand": LowerHandPayload,
  promote: TargetPayload,
  demote: TargetPayload,
  "mute-participant": TargetPayload,
  "remove-participant": TargetPayload,
  admit: UserTargetPayload,
  reject: UserTargetPayload,
  "update-room-settings": UpdateSettingsPayload,
  "end-room": RoomScopedPayload,
  "chat-send": ChatSendPayload,
  "chat-delete": ChatDeletePayload,
  "auth-renew": AuthRenewPayload,
} satisfies Partial<Record<ClientEventName, TSchema>>;

export type SignallingEventName = keyof typeof ClientEventSchemas;

// ---------------------------------------------------------------- recording events (issue 6, packages/protocol/src/recording.ts)
import type { RecordingClientEvents, RecordingServerEvents } from "./recording.js";
export interface ClientToServerEvents extends RecordingClientEvents {}
export interface ServerToClientEvents extends RecordingServerEvents {}
