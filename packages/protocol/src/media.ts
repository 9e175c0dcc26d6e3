/**
 * Media (SFU) DTOs shared by the server, the standalone media node and the browser.
 * The flow is described in docs/MEDIA.md.
 */

export type MediaKind = "audio" | "video";
export type ProducerSource = "camera" | "microphone" | "screen" | "screen-audio";
/** "send": the client publishes to the server. "recv": the server sends to the client. */
export type TransportDirection = "send" | "recv";
/** Simulcast layer: low, medium, high (rid l/m/h). */
export type SimulcastLayer = "l" | "m" | "h";

export const MEDIA_KINDS: readonly MediaKind[] = ["audio", "video"];
export const PRODUCER_SOURCES: readonly ProducerSource[] = ["camera", "microphone", "screen", "screen-audio"];
export const TRANSPORT_DIRECTIONS: readonly TransportDirection[] = ["send", "recv"];
export const SIMULCAST_LAYERS: readonly SimulcastLayer[] = ["l", "m", "h"];

/** The kind each source must have. */
export const SOURCE_KIND: Readonly<Record<ProducerSource, MediaKind>> = {
  camera: "video",
  microphone: "audio",
  screen: "video",
  "screen-audio": "audio",
};

export interface SessionDescriptionDto {
  type: "offer" | "answer";
  sdp: string;
}

export interface CreateTransportResult {
  transportId: string;
  direction: TransportDirection;
  /**
   * For a "recv" transport: an initial offer is not made until the first consume.
   * For a "send" transport: the client makes the offer (connectTransport).
   */
}

export interface ConnectTransportResult {
  transportId: string;
  /** For a "send" transport (client offered): the server's answer. Absent for a "recv" transport. */
  answer?: SessionDescriptionDto;
}

export interface ProduceParams {
  transportId: string;
  kind: MediaKind;
  source: ProducerSource;
  /** The mid of the client's m-line carrying this track (recommended; otherwise the first unbound m-line of that kind). */
  mid?: string;
}

export interface ProduceResult {
  producerId: string;
}

export interface ConsumeParams {
  producerId: string;
  /** The consumer's "recv" transport. */
  transportId: string;
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  /** The peer who publishes the producer. */
  producerPeerId: string;
  kind: MediaKind;
  source: ProducerSource;
  /** The m-line of the recv transport that carries this consumer. */
  mid: string;
  /** New offer for the recv transport: apply it, answer, and send the answer with connectTransport. */
  offer: SessionDescriptionDto;
}

export interface ProducerInfo {
  producerId: string;
  peerId: string;
  userId: string;
  kind: MediaKind;
  source: ProducerSource;
  codec?: string;
  /** Simulcast layers seen so far (rids), empty for a single stream. */
  layers: string[];
  paused: boolean;
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: MediaKind;
  /** Layer currently forwarded (simulcast producers only). */
  currentLayer?: SimulcastLayer;
  preferredLayer?: SimulcastLayer;
}

export interface TransportInfo {
  transportId: string;
  direction: TransportDirection;
  connectionState: string;
}

export interface MediaPeerInfo {
  peerId: string;
  userId: string;
  transports: TransportInfo[];
  producers: ProducerInfo[];
  consumers: ConsumerInfo[];
}

export interface MediaRoomSummary {
  roomId: string;
  workerId: string;
  peers: number;
  producers: number;
  consumers: number;
}

export interface MediaRoomInfo extends MediaRoomSummary {
  peerList: MediaPeerInfo[];
}

/** Counters that must return to their starting values when everything is closed. */
export interface MediaStats {
  workers: number;
  rooms: number;
  peers: number;
  transports: number;
  peerConnections: number;
  producers: number;
  consumers: number;
  /** Open UDP sockets (libuv handles) in the media worker threads/process. */
  udpSockets: number;
  /** Active timers (libuv handles) in the media worker threads. */
  timers: number;
  /** Packets forwarded to consumers since start. */
  packetsForwarded: number;
  /** Bytes of RTP forwarded to consumers since start. */
  bytesForwarded: number;
  /** Fraction lost (0..1) in the subscribers' last receiver reports, summed over the consumers that sent one. */
  receiverLossSum: number;
  /** Consumers whose subscriber has sent a receiver report (divide receiverLossSum by it for the mean). */
  receiverLossReports: number;
  /** Milliseconds the media worker's event loop was busy since it started (summed over workers). */
  eventLoopActiveMs: number;
}

export interface MediaHealth {
  ok: boolean;
  workers: number;
  rooms: number;
  peers: number;
}

export type TransportCloseReason = "closed" | "peer-left" | "failed" | "remote-closed" | "room-closed";
export type ProducerCloseReason = "closed" | "transport-closed" | "peer-left" | "room-closed";
export type ConsumerCloseReason = "closed" | "producer-closed" | "transport-closed" | "peer-left" | "room-closed";

/** Events the media layer pushes to the signalling layer. */
/** One peer's speech (ms, from the RFC 6464 audio levels of its microphone) in a `speaking-time` media event. */
export interface SpeakingTime {
  peerId: string;
  talkMs: number;
}

/** A peer's download quality as the SFU measures it (see ConnectionQualityDto in quality.ts). */
export interface PeerQuality {
  level: "good" | "fair" | "poor";
  lossPercent: number;
  rttMs: number | null;
  availableKbps: number | null;
  receivingKbps: number;
  advice: "none" | "turn-off-video" | "check-connection";
}

export type MediaEvent =
  | { type: "producer-new"; roomId: string; peerId: string; producer: ProducerInfo }
  | { type: "producer-closed"; roomId: string; peerId: string; producerId: string; reason: ProducerCloseReason }
  | {
      type: "consumer-closed";
      roomId: string;
      peerId: string;
      consumerId: string;
      producerId: string;
      reason: ConsumerCloseReason;
    }
  | {
      type: "transport-closed";
      roomId: string;
      peerId: string;
      transportId: string;
      direction: TransportDirection;
      reason: TransportCloseReason;
    }
  | { type: "consumer-layer-changed"; roomId: string; peerId: string; consumerId: string; layer: SimulcastLayer }
  /**
   * Speech measured in the microphones of the room since the last such event (every few seconds,
   * and a peer's rest when its microphone closes, before its `producer-closed`): ms per peer.
   */
  | { type: "speaking-time"; roomId: string; peers: SpeakingTime[] }
  /** A peer's download quality, measured by the SFU (media/quality.ts): on a change of level and every few seconds. */
  | { type: "peer-quality"; roomId: string; peerId: string; quality: PeerQuality }
  /** `media-lost`: the worker or media node holding the room died; its people must start over. */
  | { type: "room-closed"; roomId: string; reason?: "empty" | "media-lost" };

export type MediaEventType = MediaEvent["type"];
