import type {
  ConnectTransportResult,
  ConsumeParams,
  ConsumeResult,
  CreateTransportResult,
  MediaEvent,
  MediaHealth,
  MediaRoomInfo,
  MediaRoomSummary,
  MediaStats,
  ProduceParams,
  ProduceResult,
  ProducerInfo,
  ProducerSource,
  SessionDescriptionDto,
  SimulcastLayer,
  TransportDirection,
} from "./types.js";
import type { PipeHealth, PipeOrigin } from "./pipe/PipeIn.js";

/** A pipe end in a status listing, with its room. */
export type PipeStatus = PipeHealth & { roomId: string };

/**
 * Between the shards (workers, nodes) of one room only; the sharded service calls them when a
 * subscriber's shard needs a producer published on another (docs/ARCHITECTURE.md "Pipes").
 * Callers of the MediaService never need them.
 */
export interface PipeOperations {
  /** On the producer's shard: open the sending end of a pipe for one producer. */
  pipeOut(roomId: string, producerId: string): Promise<{ origin: PipeOrigin; producer: ProducerInfo }>;
  /** On a subscriber's shard: a pipe producer with the origin's producer id, fed from `origin`. */
  pipeIn(roomId: string, origin: PipeOrigin, producer: ProducerInfo): Promise<void>;
  /** Either end (idempotent: a pipe already gone is fine). */
  closePipe(roomId: string, pipeId: string): Promise<void>;
  /** Every pipe end of the shard, with its health. */
  pipeStatus(): Promise<PipeStatus[]>;
}

export interface JoinPeerResult {
  roomId: string;
  peerId: string;
  /** Every producer already in the room (for a late joiner to consume). */
  producers: ProducerInfo[];
}

export interface CloseProducersFilter {
  /** Only these sources (e.g. ["microphone"] to mute). All when absent. */
  sources?: ProducerSource[];
}

/**
 * The one interface the rest of the server uses to talk to media. Implemented in-process
 * (worker threads, `createMediaService`) and remotely (HTTP to `vtp media` nodes). Every method
 * throws AppError with a code from the protocol (ROOM_NOT_FOUND, PARTICIPANT_NOT_FOUND,
 * TRANSPORT_NOT_FOUND, PRODUCER_NOT_FOUND, CONSUMER_NOT_FOUND, INVALID_SDP, WRONG_DIRECTION,
 * VALIDATION_FAILED, MEDIA_UNAVAILABLE). The flow is documented in docs/MEDIA.md.
 */
export interface MediaOperations {
  health(): Promise<MediaHealth>;
  listRooms(): Promise<MediaRoomSummary[]>;
  /** ROOM_NOT_FOUND when no peer has joined media in that room. */
  getRoom(roomId: string): Promise<MediaRoomInfo>;
  /** Creates the room's router on first join, where the placement policy says (Placement.ts). Idempotent. */
  joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult>;
  /** Closes all of the peer's transports, producers and consumers; the room closes with its last peer. */
  leavePeer(roomId: string, peerId: string): Promise<void>;
  createTransport(roomId: string, peerId: string, direction: TransportDirection): Promise<CreateTransportResult>;
  /**
   * SDP exchange. "send" transport: `description` is the client's offer (initial or renegotiation),
   * the result carries the server's answer. "recv" transport: `description` is the client's answer
   * to the offer returned by the last consume.
   */
  connectTransport(roomId: string, peerId: string, transportId: string, description: SessionDescriptionDto): Promise<ConnectTransportResult>;
  produce(roomId: string, peerId: string, params: ProduceParams): Promise<ProduceResult>;
  /** Adds an m-line to the recv transport; the result carries the offer to answer. */
  consume(roomId: string, peerId: string, params: ConsumeParams): Promise<ConsumeResult>;
  /** With `peerId`, the producer must belong to that peer (PRODUCER_NOT_FOUND otherwise). */
  closeProducer(roomId: string, producerId: string, peerId?: string): Promise<void>;
  /** With `peerId`, the consumer must belong to that peer (CONSUMER_NOT_FOUND otherwise). */
  closeConsumer(roomId: string, consumerId: string, peerId?: string): Promise<void>;
  /** Mute = { sources: ["microphone"] }, demote = no filter. Returns the closed producer ids. */
  closeProducersOf(roomId: string, peerId: string, filter?: CloseProducersFilter): Promise<string[]>;
  /** With `peerId`, the consumer must belong to that peer (CONSUMER_NOT_FOUND otherwise). */
  setPreferredLayer(roomId: string, consumerId: string, layer: SimulcastLayer, peerId?: string): Promise<void>;
  requestKeyFrame(roomId: string, consumerId: string): Promise<void>;
  /** Pause or resume forwarding to a consumer (low-bandwidth mode). With `peerId`, the consumer must belong to that peer. */
  setConsumerPaused(roomId: string, consumerId: string, paused: boolean, peerId?: string): Promise<void>;
  stats(): Promise<MediaStats>;
}

/** What a shard (a worker, a node) answers: the media operations and the pipe set-up between shards. */
export interface ShardOperations extends MediaOperations, PipeOperations {}

export type MediaEventListener = (event: MediaEvent) => void;

export interface MediaService extends MediaOperations {
  /** Subscribe to media events; returns the unsubscribe function. */
  onEvent(listener: MediaEventListener): () => void;
  /** Close every room and stop the workers (or the event stream of a remote node). */
  close(): Promise<void>;
}

export type MediaMethod = keyof ShardOperations;
