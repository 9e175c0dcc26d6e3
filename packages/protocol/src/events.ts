import { Type, type Static, type TObject, type TSchema } from "@sinclair/typebox";
import { RoomDto } from "./rooms.js";
import { ChatMessageDto } from "./chat.js";
import { AddMarkerPayload, AddMarkerResult, RecordingServerEventSchemas } from "./recording.js";
import { PollClientEventSchemas, PollServerEventSchemas } from "./polls.js";
import { QuizClientEventSchemas, QuizServerEventSchemas } from "./quizzes.js";
import { BoardClientEventSchemas, BoardServerEventSchemas } from "./board.js";
import { MaterialServerEventSchemas } from "./materials.js";
import { QualityClientEventSchemas, QualityServerEventSchemas } from "./quality.js";
import { BreakoutClientEventSchemas, BreakoutServerEventSchemas } from "./breakout.js";
import {
  AnswerPayload,
  AuthRenewPayload,
  ChatDeletePayload,
  ChatSendPayload,
  HandQueueEntry,
  IceCandidate,
  IceCandidatePayload,
  JoinRoomPayload,
  JoinRoomResult,
  LeaveReason,
  LowerHandPayload,
  MediaEventSchemas,
  OfferPayload,
  ParticipantDto,
  RoomInfoResult,
  RoomScopedPayload,
  SessionDescription,
  TargetPayload,
  UpdateSettingsPayload,
  UserTargetPayload,
  WaitingDto,
  type Ack,
} from "./signalling.js";
import type {
  ConnectTransportResult as ConnectTransportResultDto,
  ConsumeResult as ConsumeResultDto,
  ConsumerCloseReason as ConsumerCloseReasonDto,
  CreateTransportResult as CreateTransportResultDto,
  ProduceResult as ProduceResultDto,
  ProducerCloseReason as ProducerCloseReasonDto,
  ProducerInfo as ProducerInfoDto,
} from "./media.js";

/**
 * The socket event maps, the one place where every event of both directions is named: for a
 * client → server event its payload schema (validated by the server before its handler runs)
 * and the schema of its ack's result; for a server → client event the schema of its payload.
 * `ClientToServerEvents` and `ServerToClientEvents` (the Socket.IO typings of the server, the
 * browser and the tests) are derived from them, so renaming an event or a field breaks the
 * type-check of every side. Described event by event in docs/PROTOCOL.md.
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

// ---------------------------------------------------------------- media ack and event DTOs

const MediaKind = literals(["audio", "video"] as const);
const ProducerSource = literals(["camera", "microphone", "screen", "screen-audio"] as const);
const SessionDescriptionDto = Type.Object({ type: literals(["offer", "answer"] as const), sdp: Type.String() });

export const ProducerInfoSchema = Type.Object({
  producerId: Type.String(),
  peerId: Type.String(),
  userId: Type.String(),
  kind: MediaKind,
  source: ProducerSource,
  codec: Type.Optional(Type.String()),
  layers: Type.Array(Type.String()),
  paused: Type.Boolean(),
});
export const CreateTransportAck = Type.Object({
  transportId: Type.String(),
  direction: literals(["send", "recv"] as const),
  /** Everything already published in the room (to consume). */
  producers: Type.Array(ProducerInfoSchema),
});
export const ConnectTransportAck = Type.Object({ transportId: Type.String(), answer: Type.Optional(SessionDescriptionDto) });
export const ProduceAck = Type.Object({ producerId: Type.String() });
export const ConsumeAck = Type.Object({
  consumerId: Type.String(),
  producerId: Type.String(),
  producerPeerId: Type.String(),
  kind: MediaKind,
  source: ProducerSource,
  mid: Type.String(),
  offer: SessionDescriptionDto,
});
const ProducerCloseReason = literals(["closed", "transport-closed", "peer-left", "room-closed"] as const);
const ConsumerCloseReason = literals(["closed", "producer-closed", "transport-closed", "peer-left", "room-closed"] as const);

/** The schemas above say the same as the media DTOs of media.ts (the media layer's own types). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type MediaSchemasMatchTheirTypes = [
  Same<Static<typeof ProducerInfoSchema>, ProducerInfoDto>,
  Same<Static<typeof CreateTransportAck>, CreateTransportResultDto & { producers: ProducerInfoDto[] }>,
  Same<Static<typeof ConnectTransportAck>, ConnectTransportResultDto>,
  Same<Static<typeof ProduceAck>, ProduceResultDto>,
  Same<Static<typeof ConsumeAck>, ConsumeResultDto>,
  Same<Static<typeof ProducerCloseReason>, ProducerCloseReasonDto>,
  Same<Static<typeof ConsumerCloseReason>, ConsumerCloseReasonDto>,
] extends true[]
  ? true
  : never;
const mediaSchemasMatch: MediaSchemasMatchTheirTypes = true;
void mediaSchemasMatch;

// ---------------------------------------------------------------- client → server

/** The ack of an event that answers nothing but `ok`. */
const NoResult = Type.Object({});

/** Every client → server event: `payload` (validated by the server) and `result` (the ack's fields besides `ok`). */
export const ClientEvents = {
  "join-room": { payload: JoinRoomPayload, result: JoinRoomResult },
  "leave-room": { payload: RoomScopedPayload, result: NoResult },
  "get-room-info": { payload: RoomScopedPayload, result: RoomInfoResult },
  "get-participants": { payload: RoomScopedPayload, result: Type.Object({ participants: Type.Array(ParticipantDto) }) },

  "webrtc-offer": { payload: OfferPayload, result: NoResult },
  "webrtc-answer": { payload: AnswerPayload, result: NoResult },
  "ice-candidate": { payload: IceCandidatePayload, result: NoResult },

  "raise-hand": { payload: RoomScopedPayload, result: Type.Object({ position: Type.Integer({ minimum: 1 }) }) },
  "lower-hand": { payload: LowerHandPayload, result: NoResult },

  promote: { payload: TargetPayload, result: Type.Object({ participant: ParticipantDto }) },
  demote: { payload: TargetPayload, result: Type.Object({ participant: ParticipantDto }) },
  "mute-participant": { payload: TargetPayload, result: NoResult },
  "remove-participant": { payload: TargetPayload, result: NoResult },
  admit: { payload: UserTargetPayload, result: NoResult },
  reject: { payload: UserTargetPayload, result: NoResult },
  "update-room-settings": { payload: UpdateSettingsPayload, result: Type.Object({ room: RoomDto }) },
  "end-room": { payload: RoomScopedPayload, result: NoResult },

  "chat-send": { payload: ChatSendPayload, result: Type.Object({ message: ChatMessageDto }) },
  "chat-delete": { payload: ChatDeletePayload, result: NoResult },

  "auth-renew": { payload: AuthRenewPayload, result: Type.Object({ expiresAt: Type.Union([Type.String(), Type.Null()]) }) },

  "create-transport": { payload: MediaEventSchemas["create-transport"], result: CreateTransportAck },
  "connect-transport": { payload: MediaEventSchemas["connect-transport"], result: ConnectTransportAck },
  produce: { payload: MediaEventSchemas.produce, result: ProduceAck },
  consume: { payload: MediaEventSchemas.consume, result: ConsumeAck },
  "close-producer": { payload: MediaEventSchemas["close-producer"], result: NoResult },
  "close-consumer": { payload: MediaEventSchemas["close-consumer"], result: NoResult },
  "set-preferred-layer": { payload: MediaEventSchemas["set-preferred-layer"], result: NoResult },
  "leave-media": { payload: MediaEventSchemas["leave-media"], result: NoResult },

  "add-marker": { payload: AddMarkerPayload, result: AddMarkerResult },

  ...PollClientEventSchemas,
  ...QuizClientEventSchemas,
  ...BoardClientEventSchemas,
  ...BreakoutClientEventSchemas,
  ...QualityClientEventSchemas,
} satisfies Record<string, { payload: TSchema; result: TObject }>;

export type ClientEventName = keyof typeof ClientEvents;
export const CLIENT_EVENT_NAMES = Object.keys(ClientEvents) as ClientEventName[];
/** What a client sends with event `E`. */
export type EventPayload<E extends ClientEventName> = Static<(typeof ClientEvents)[E]["payload"]>;
/** The fields of event `E`'s ack besides `ok: true`. */
export type EventResult<E extends ClientEventName> = Static<(typeof ClientEvents)[E]["result"]>;

/** Events the browser sends. Every one takes an ack as its last argument. */
export type ClientToServerEvents = { [E in ClientEventName]: (payload: EventPayload<E>, ack: Ack<EventResult<E>>) => void };

export function isClientEventName(name: string): name is ClientEventName {
  return Object.hasOwn(ClientEvents, name);
}

// ---------------------------------------------------------------- server → client

const RoomOnly = Type.Object({ roomId: Type.String() });
const Relayed = Type.Object({ roomId: Type.String(), from: Type.String(), description: SessionDescription });

/** Every server → client event and its payload. */
export const ServerEvents = {
  "participant-joined": Type.Object({ roomId: Type.String(), participant: ParticipantDto }),
  "participant-left": Type.Object({ roomId: Type.String(), participantId: Type.String(), userId: Type.String(), reason: LeaveReason }),
  "participant-updated": Type.Object({ roomId: Type.String(), participant: ParticipantDto }),
  "hand-queue": Type.Object({ roomId: Type.String(), queue: Type.Array(HandQueueEntry) }),
  /** Hosts only. */
  "waiting-updated": Type.Object({ roomId: Type.String(), waiting: Type.Array(WaitingDto) }),
  /** To a waiting user: send join-room again. */
  admitted: RoomOnly,
  rejected: RoomOnly,
  /** To a removed participant: the socket has left the room. */
  removed: RoomOnly,
  /** To a muted participant (the media layer closes their microphone): `by` is the host's participant id, `byName` their name. */
  muted: Type.Object({ roomId: Type.String(), by: Type.String(), byName: Type.String() }),
  /**
   * To every connection of an account whose access changed, just before the server disconnects
   * them: `account-disabled` (an admin disabled it: show the message, sign out) or
   * `role-changed` (refresh the access token and reconnect to act with the new role).
   */
  "session-ended": Type.Object({ reason: literals(["account-disabled", "role-changed"] as const), message: Type.String() }),
  /** To the older connection when the same user joins the room from another tab. */
  "session-replaced": RoomOnly,
  "room-updated": Type.Object({ room: RoomDto }),
  "room-ended": RoomOnly,
  "chat-message": Type.Object({ roomId: Type.String(), message: ChatMessageDto }),
  "chat-deleted": Type.Object({ roomId: Type.String(), messageId: Type.String(), seq: Type.Integer() }),

  "webrtc-offer": Relayed,
  "webrtc-answer": Relayed,
  "ice-candidate": Type.Object({ roomId: Type.String(), from: Type.String(), candidate: Type.Union([IceCandidate, Type.Null()]) }),

  "new-producer": Type.Object({ roomId: Type.String(), peerId: Type.String(), producer: ProducerInfoSchema }),
  "producer-closed": Type.Object({ roomId: Type.String(), peerId: Type.String(), producerId: Type.String(), reason: ProducerCloseReason }),
  /** To the consumer's owner only. */
  "consumer-closed": Type.Object({ roomId: Type.String(), consumerId: Type.String(), producerId: Type.String(), reason: ConsumerCloseReason }),
  /**
   * My media is gone on the server: the media worker or node holding the room died
   * (`media-lost`, to everyone in the room), or the server closed one of my transports as failed
   * (`transport-failed`, to me). Start the media session over (`leave-media`, then new transports).
   */
  "media-reset": Type.Object({ roomId: Type.String(), reason: literals(["media-lost", "transport-failed"] as const) }),

  ...RecordingServerEventSchemas,
  ...PollServerEventSchemas,
  ...QuizServerEventSchemas,
  ...MaterialServerEventSchemas,
  ...BoardServerEventSchemas,
  ...BreakoutServerEventSchemas,
  ...QualityServerEventSchemas,
} satisfies Record<string, TSchema>;

export type ServerEventName = keyof typeof ServerEvents;
/** The payload of server event `E`. */
export type ServerEventPayload<E extends ServerEventName> = Static<(typeof ServerEvents)[E]>;

/** Events the server sends. */
export type ServerToClientEvents = { [E in ServerEventName]: (payload: ServerEventPayload<E>) => void };
