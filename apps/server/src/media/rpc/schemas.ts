/**
 * TypeBox schemas of the media RPC's parameters and results. The types they describe are the
 * protocol's media DTOs (packages/protocol/src/media.ts); the checks at the bottom of this file
 * fail to compile when a schema and its DTO drift apart.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { JoinPeerResult, CloseProducersFilter } from "../MediaService.js";
import type {
  ConnectTransportResult,
  ConsumeParams,
  ConsumeResult,
  CreateTransportResult,
  MediaHealth,
  MediaRoomInfo,
  MediaRoomSummary,
  MediaStats,
  ProduceParams,
  ProduceResult,
  ProducerInfo,
  SessionDescriptionDto,
} from "../types.js";

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** Room, peer, user, transport, producer and consumer ids. */
export const MediaIdSchema = Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,128}$" });
export const MediaKindSchema = literals(["audio", "video"] as const);
export const ProducerSourceSchema = literals(["camera", "microphone", "screen", "screen-audio"] as const);
export const TransportDirectionSchema = literals(["send", "recv"] as const);
export const SimulcastLayerSchema = literals(["l", "m", "h"] as const);

export const SessionDescriptionSchema = Type.Object({ type: literals(["offer", "answer"] as const), sdp: Type.String() });
export const ProduceParamsSchema = Type.Object({
  transportId: MediaIdSchema,
  kind: MediaKindSchema,
  source: ProducerSourceSchema,
  mid: Type.Optional(Type.String({ maxLength: 32 })),
});
export const ConsumeParamsSchema = Type.Object({ producerId: MediaIdSchema, transportId: MediaIdSchema });
export const CloseProducersFilterSchema = Type.Object({ sources: Type.Optional(Type.Array(ProducerSourceSchema)) });

export const MediaHealthSchema = Type.Object({
  ok: Type.Boolean(),
  workers: Type.Number(),
  rooms: Type.Number(),
  peers: Type.Number(),
});

export const ProducerInfoSchema = Type.Object({
  producerId: Type.String(),
  peerId: Type.String(),
  userId: Type.String(),
  kind: MediaKindSchema,
  source: ProducerSourceSchema,
  codec: Type.Optional(Type.String()),
  layers: Type.Array(Type.String()),
  paused: Type.Boolean(),
});
const ConsumerInfoSchema = Type.Object({
  consumerId: Type.String(),
  producerId: Type.String(),
  peerId: Type.String(),
  kind: MediaKindSchema,
  currentLayer: Type.Optional(SimulcastLayerSchema),
  preferredLayer: Type.Optional(SimulcastLayerSchema),
});
const TransportInfoSchema = Type.Object({
  transportId: Type.String(),
  direction: TransportDirectionSchema,
  connectionState: Type.String(),
});
const summaryFields = {
  roomId: Type.String(),
  workerId: Type.String(),
  peers: Type.Number(),
  producers: Type.Number(),
  consumers: Type.Number(),
};
export const MediaRoomSummarySchema = Type.Object(summaryFields);
export const MediaRoomInfoSchema = Type.Object({
  ...summaryFields,
  peerList: Type.Array(
    Type.Object({
      peerId: Type.String(),
      userId: Type.String(),
      transports: Type.Array(TransportInfoSchema),
      producers: Type.Array(ProducerInfoSchema),
      consumers: Type.Array(ConsumerInfoSchema),
    }),
  ),
});
export const JoinPeerResultSchema = Type.Object({
  roomId: Type.String(),
  peerId: Type.String(),
  producers: Type.Array(ProducerInfoSchema),
});
export const CreateTransportResultSchema = Type.Object({ transportId: Type.String(), direction: TransportDirectionSchema });
export const ConnectTransportResultSchema = Type.Object({
  transportId: Type.String(),
  answer: Type.Optional(SessionDescriptionSchema),
});
export const ProduceResultSchema = Type.Object({ producerId: Type.String() });
export const ConsumeResultSchema = Type.Object({
  consumerId: Type.String(),
  producerId: Type.String(),
  producerPeerId: Type.String(),
  kind: MediaKindSchema,
  source: ProducerSourceSchema,
  mid: Type.String(),
  offer: SessionDescriptionSchema,
});
/** The counters of MediaStats (each a number, summed over shards). */
export const MEDIA_STAT_NAMES = [
  "workers",
  "rooms",
  "peers",
  "transports",
  "peerConnections",
  "producers",
  "consumers",
  "udpSockets",
  "timers",
  "packetsForwarded",
  "bytesForwarded",
  "receiverLossSum",
  "receiverLossReports",
  "eventLoopActiveMs",
] as const satisfies readonly (keyof MediaStats)[];
export const MediaStatsSchema = Type.Object(
  Object.fromEntries(MEDIA_STAT_NAMES.map((k) => [k, Type.Number()])) as { [K in (typeof MEDIA_STAT_NAMES)[number]]: ReturnType<typeof Type.Number> },
);
export const ClosedProducerIdsSchema = Type.Array(Type.String());
/** A pipe's origin end (`pipeOut`'s answer, `pipeIn`'s argument): where it listens and the token that lets the far end in. */
export const PipeOriginSchema = Type.Object({
  pipeId: MediaIdSchema,
  ip: Type.String({ maxLength: 64 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  token: Type.String({ pattern: "^[0-9a-f]{32}$" }),
});
export const PipeOutResultSchema = Type.Object({ origin: PipeOriginSchema, producer: ProducerInfoSchema });
export const PipeHealthSchema = Type.Object({
  roomId: Type.String(),
  pipeId: Type.String(),
  producerId: Type.String(),
  side: literals(["out", "in"] as const),
  state: literals(["connecting", "ok", "silent", "closed"] as const),
  packets: Type.Number(),
  bytes: Type.Number(),
  keyFrameRequests: Type.Number(),
  nacks: Type.Number(),
});
/** Operations that answer nothing. Over HTTP their answer is `{ ok: true }`. */
export const NoResultSchema = Type.Void();

// Compile-time checks: each schema describes exactly its DTO (same keys, each assignable both ways).
type Same<S extends TSchema, T> = [Static<S>, keyof Static<S>] extends [T, keyof T]
  ? [T, keyof T] extends [Static<S>, keyof Static<S>]
    ? true
    : false
  : false;
type AllTrue<T extends Record<string, true>> = T;
export type SchemasMatchDtos = AllTrue<{
  description: Same<typeof SessionDescriptionSchema, SessionDescriptionDto>;
  produce: Same<typeof ProduceParamsSchema, ProduceParams>;
  consume: Same<typeof ConsumeParamsSchema, ConsumeParams>;
  filter: Same<typeof CloseProducersFilterSchema, CloseProducersFilter>;
  health: Same<typeof MediaHealthSchema, MediaHealth>;
  producer: Same<typeof ProducerInfoSchema, ProducerInfo>;
  summary: Same<typeof MediaRoomSummarySchema, MediaRoomSummary>;
  room: Same<typeof MediaRoomInfoSchema, MediaRoomInfo>;
  join: Same<typeof JoinPeerResultSchema, JoinPeerResult>;
  createTransport: Same<typeof CreateTransportResultSchema, CreateTransportResult>;
  connectTransport: Same<typeof ConnectTransportResultSchema, ConnectTransportResult>;
  produceResult: Same<typeof ProduceResultSchema, ProduceResult>;
  consumeResult: Same<typeof ConsumeResultSchema, ConsumeResult>;
  stats: Same<typeof MediaStatsSchema, MediaStats>;
}>;
