/**
 * The media RPC, declared once: for every MediaOperations method its positional parameters
 * (name and schema), its result schema, how the sharded service routes it, and its route on a
 * media node. The worker channel's allow-list and argument checks (worker/Channel.ts), the media
 * node's routes (node/MediaNode.ts), the node client's methods (node/MediaNodeClient.ts) and the
 * sharded service's room-scoped methods (ShardedMediaService.ts) are all derived from it.
 */
import { Type, type TSchema } from "@sinclair/typebox";
import type { ErrorCode } from "@vtp/protocol";
import type { MediaMethod } from "../MediaService.js";
import {
  ClosedProducerIdsSchema,
  CloseProducersFilterSchema,
  ConnectTransportResultSchema,
  ConsumeParamsSchema,
  ConsumeResultSchema,
  CreateTransportResultSchema,
  JoinPeerResultSchema,
  MediaHealthSchema,
  MediaIdSchema,
  MediaRoomInfoSchema,
  MediaRoomSummarySchema,
  MediaStatsSchema,
  NoResultSchema,
  PipeHealthSchema,
  PipeOriginSchema,
  PipeOutResultSchema,
  ProducerInfoSchema,
  ProduceParamsSchema,
  ProduceResultSchema,
  SessionDescriptionSchema,
  SimulcastLayerSchema,
  TransportDirectionSchema,
} from "./schemas.js";

export interface MediaParam {
  name: string;
  schema: TSchema;
  /** May be left out (undefined). */
  optional?: boolean;
  /** Over HTTP, an object whose fields sit directly in the body (instead of under `name`). */
  spread?: boolean;
  /** The error code of a bad value (default VALIDATION_FAILED). */
  code?: ErrorCode;
}

export interface MediaRoute {
  verb: "GET" | "POST";
  /** `:name` segments are the parameters of that name; the other parameters go in the JSON body. */
  path: string;
  /** The result sits under this key of the response body (e.g. `{ rooms: [...] }`). */
  resultKey?: string;
  /** Fields the node adds to the result (not part of MediaOperations; the client drops them). */
  nodeFields?: readonly string[];
}

export interface MediaRpcMethod {
  params: readonly MediaParam[];
  result: TSchema;
  /**
   * "room": the first parameter is the room id and the room's shard answers; "service": the
   * service itself; "pipe": between shards only (the sharded service sets pipes up itself).
   */
  scope: "room" | "service" | "pipe";
  http: MediaRoute;
}

const roomId: MediaParam = { name: "roomId", schema: MediaIdSchema };
const peerId: MediaParam = { name: "peerId", schema: MediaIdSchema };
const optionalPeerId: MediaParam = { ...peerId, optional: true };
const consumerId: MediaParam = { name: "consumerId", schema: MediaIdSchema };

export const MEDIA_RPC = {
  health: { params: [], result: MediaHealthSchema, scope: "service", http: { verb: "GET", path: "/health", nodeFields: ["bootId"] } },
  listRooms: { params: [], result: Type.Array(MediaRoomSummarySchema), scope: "service", http: { verb: "GET", path: "/rooms", resultKey: "rooms" } },
  getRoom: { params: [roomId], result: MediaRoomInfoSchema, scope: "room", http: { verb: "GET", path: "/rooms/:roomId" } },
  joinPeer: {
    params: [roomId, peerId, { name: "userId", schema: MediaIdSchema }],
    result: JoinPeerResultSchema,
    scope: "service",
    http: { verb: "POST", path: "/rooms/:roomId/peers" },
  },
  leavePeer: { params: [roomId, peerId], result: NoResultSchema, scope: "room", http: { verb: "POST", path: "/rooms/:roomId/peers/:peerId/leave" } },
  createTransport: {
    params: [roomId, peerId, { name: "direction", schema: TransportDirectionSchema }],
    result: CreateTransportResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/transports" },
  },
  connectTransport: {
    params: [roomId, peerId, { name: "transportId", schema: MediaIdSchema }, { name: "description", schema: SessionDescriptionSchema, code: "INVALID_SDP" }],
    result: ConnectTransportResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/transports/:transportId/connect" },
  },
  produce: {
    params: [roomId, peerId, { name: "params", schema: ProduceParamsSchema, spread: true }],
    result: ProduceResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/producers" },
  },
  consume: {
    params: [roomId, peerId, { name: "params", schema: ConsumeParamsSchema, spread: true }],
    result: ConsumeResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/consumers" },
  },
  closeProducer: {
    params: [roomId, { name: "producerId", schema: MediaIdSchema }, optionalPeerId],
    result: NoResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/producers/:producerId/close" },
  },
  closeConsumer: {
    params: [roomId, consumerId, optionalPeerId],
    result: NoResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/consumers/:consumerId/close" },
  },
  closeProducersOf: {
    params: [roomId, peerId, { name: "filter", schema: CloseProducersFilterSchema, optional: true, spread: true }],
    result: ClosedProducerIdsSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/peers/:peerId/producers/close", resultKey: "producerIds" },
  },
  setPreferredLayer: {
    params: [roomId, consumerId, { name: "layer", schema: SimulcastLayerSchema }, optionalPeerId],
    result: NoResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/consumers/:consumerId/layer" },
  },
  requestKeyFrame: {
    params: [roomId, consumerId],
    result: NoResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/consumers/:consumerId/keyframe" },
  },
  setConsumerPaused: {
    params: [roomId, consumerId, { name: "paused", schema: Type.Boolean() }, optionalPeerId],
    result: NoResultSchema,
    scope: "room",
    http: { verb: "POST", path: "/rooms/:roomId/consumers/:consumerId/paused" },
  },
  stats: { params: [], result: MediaStatsSchema, scope: "service", http: { verb: "GET", path: "/stats" } },
  pipeOut: {
    params: [roomId, { name: "producerId", schema: MediaIdSchema }],
    result: PipeOutResultSchema,
    scope: "pipe",
    http: { verb: "POST", path: "/rooms/:roomId/pipes/out" },
  },
  pipeIn: {
    params: [roomId, { name: "origin", schema: PipeOriginSchema }, { name: "producer", schema: ProducerInfoSchema }],
    result: NoResultSchema,
    scope: "pipe",
    http: { verb: "POST", path: "/rooms/:roomId/pipes/in" },
  },
  closePipe: {
    params: [roomId, { name: "pipeId", schema: MediaIdSchema }],
    result: NoResultSchema,
    scope: "pipe",
    http: { verb: "POST", path: "/rooms/:roomId/pipes/:pipeId/close" },
  },
  pipeStatus: { params: [], result: Type.Array(PipeHealthSchema), scope: "pipe", http: { verb: "GET", path: "/pipes", resultKey: "pipes" } },
} as const satisfies Record<MediaMethod, MediaRpcMethod>;

/** Every media method, in the table's order. */
export const MEDIA_METHODS = Object.keys(MEDIA_RPC) as MediaMethod[];

/** The methods routed to the shard holding their room (first parameter). */
export type RoomScopedMethod = { [M in MediaMethod]: (typeof MEDIA_RPC)[M]["scope"] extends "room" ? M : never }[MediaMethod];
export const ROOM_SCOPED_METHODS = MEDIA_METHODS.filter((m): m is RoomScopedMethod => MEDIA_RPC[m].scope === "room");

export function isMediaMethod(name: unknown): name is MediaMethod {
  return typeof name === "string" && Object.hasOwn(MEDIA_RPC, name);
}

/** One method's descriptor, typed as the general shape (for code that loops over the table). */
export function describeMethod(method: MediaMethod): MediaRpcMethod {
  return MEDIA_RPC[method];
}
