import type { PeerConfig, RTCRtpTransceiver } from "werift";
import { AppError } from "../errors/index.js";
import { TypedEmitter } from "./TypedEmitter.js";
import { Transport } from "./Transport.js";
import type { Producer } from "./Producer.js";
import type { Consumer } from "./Consumer.js";
import type { Mutex } from "./Mutex.js";
import type { MediaConfig } from "./config.js";
import type { RtpSink } from "./rtp/RtpSink.js";
import { QualityMeters } from "./quality.js";
import type { PipeIn } from "./pipe/PipeIn.js";
import type { PipeOut } from "./pipe/PipeOut.js";
import type { MediaEvent, MediaPeerInfo, SpeakingTime, MediaRoomInfo, MediaRoomSummary, ProducerInfo, ProducerSource, TransportDirection } from "./types.js";

export interface RouterEvents {
  close: [];
  event: [event: MediaEvent];
}

export interface RouterOptions {
  roomId: string;
  workerId: string;
  config: MediaConfig;
  pcConfig: Partial<PeerConfig>;
  gatherLock: Mutex;
  makeSink: (transceiver: RTCRtpTransceiver) => RtpSink;
}

interface Peer {
  peerId: string;
  userId: string;
  transports: Map<string, Transport>;
}

export interface RouterStats {
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
  packetsForwarded: number;
  bytesForwarded: number;
  /** Sum of the fraction lost (0..1) last reported by each consumer's subscriber, and how many reported. */
  lossSum: number;
  lossReports: number;
}

const TICK_MS = 1000;
/** Speaking time is reported every this many ticks (and a microphone's rest when it closes). */
const SPEAKING_TIME_TICKS = 5;

/**
 * One room on one worker (mediasoup's Router). Owns the peers' transports and, through them,
 * every producer and consumer of the room. Emits the media events of the room.
 */
export class Router extends TypedEmitter<RouterEvents> {
  private readonly peers = new Map<string, Peer>();
  private readonly producers = new Map<string, Producer>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly transports = new Map<string, Transport>();
  closed = false;
  /** Packets and bytes forwarded by consumers that are closed now (for stats). */
  closedForwarded = 0;
  closedBytesForwarded = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastTick = Date.now();
  #ticks = 0;
  readonly #quality = new QualityMeters();
  /** The pipe ends of this room on this shard (to and from its other shards), by pipe id. */
  readonly pipes = new Map<string, PipeIn | PipeOut>();

  constructor(readonly opts: RouterOptions) {
    super();
  }

  get roomId(): string {
    return this.opts.roomId;
  }

  #event(event: MediaEvent): void {
    this.emit("event", event);
  }

  peer(peerId: string): Peer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new AppError("PARTICIPANT_NOT_FOUND", `Peer ${peerId} has not joined media in this room`);
    return peer;
  }

  transport(peerId: string, transportId: string): Transport {
    const transport = this.transports.get(transportId);
    if (!transport || transport.peerId !== peerId) throw new AppError("TRANSPORT_NOT_FOUND", `Transport ${transportId} not found`);
    return transport;
  }

  producer(producerId: string): Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw new AppError("PRODUCER_NOT_FOUND", `Producer ${producerId} not found (closed or never existed)`);
    return producer;
  }

  consumer(consumerId: string): Consumer {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw new AppError("CONSUMER_NOT_FOUND", `Consumer ${consumerId} not found`);
    return consumer;
  }

  /** Join (idempotent; a second join with another user id is a conflict). */
  join(peerId: string, userId: string): void {
    const existing = this.peers.get(peerId);
    if (existing) {
      if (existing.userId !== userId) throw new AppError("ALREADY_IN_ROOM", `Peer ${peerId} is already joined by another user`);
      return;
    }
    this.peers.set(peerId, { peerId, userId, transports: new Map() });
  }

  /** Leave: close every transport of the peer (cascading to its producers and consumers). */
  leave(peerId: string): void {
    const peer = this.peer(peerId);
    for (const t of [...peer.transports.values()]) t.close("peer-left");
    this.peers.delete(peerId);
  }

  createTransport(peerId: string, direction: TransportDirection): Transport {
    const peer = this.peer(peerId);
    const cfg = this.opts.config;
    // Each transport is a peer connection with its own UDP socket: a client may not pile them up.
    if (peer.transports.size >= cfg.maxTransportsPerPeer) {
      throw new AppError("TOO_MANY_TRANSPORTS", `A participant may hold at most ${cfg.maxTransportsPerPeer} transports at once`);
    }
    const transport = new Transport({
      peerId,
      userId: peer.userId,
      direction,
      pcConfig: this.opts.pcConfig,
      announcedIp: cfg.rtcAnnouncedIp,
      pliThrottleMs: cfg.pliThrottleMs,
      negotiationTimeoutMs: cfg.negotiationTimeoutMs,
      inactivityTimeoutMs: cfg.inactivityTimeoutMs,
      rembBps: cfg.rembBps,
      udpBufferBytes: cfg.udpBufferBytes,
      admission: cfg.admission,
      gatherLock: this.opts.gatherLock,
      makeSink: this.opts.makeSink,
    });
    peer.transports.set(transport.id, transport);
    this.transports.set(transport.id, transport);
    transport.on("producer", (producer) => {
      this.producers.set(producer.id, producer);
      producer.once("close", (reason) => {
        this.producers.delete(producer.id);
        const talkMs = producer.talk?.takeMs() ?? 0;
        if (talkMs > 0) this.#event({ type: "speaking-time", roomId: this.roomId, peers: [{ peerId, talkMs }] });
        this.#event({ type: "producer-closed", roomId: this.roomId, peerId, producerId: producer.id, reason });
      });
      this.#event({ type: "producer-new", roomId: this.roomId, peerId, producer: producer.info() });
    });
    transport.on("consumer", (consumer) => {
      this.consumers.set(consumer.id, consumer);
      consumer.on("layerchange", (layer) => this.#event({ type: "consumer-layer-changed", roomId: this.roomId, peerId, consumerId: consumer.id, layer }));
      consumer.once("close", (reason) => {
        this.consumers.delete(consumer.id);
        this.closedForwarded += consumer.forwarded;
        this.closedBytesForwarded += consumer.bytesForwarded;
        this.#event({
          type: "consumer-closed",
          roomId: this.roomId,
          peerId,
          consumerId: consumer.id,
          producerId: consumer.producer.id,
          reason,
        });
      });
    });
    transport.once("close", (reason) => {
      peer.transports.delete(transport.id);
      this.transports.delete(transport.id);
      this.#event({ type: "transport-closed", roomId: this.roomId, peerId, transportId: transport.id, direction, reason });
      if (this.transports.size === 0) this.#stopTimer();
    });
    this.#startTimer();
    return transport;
  }

  /**
   * A pipe end of this room. A pipe producer (`PipeIn`) joins the room's producers under the
   * origin's producer id, so consumers here find it; it announces nothing (the origin's shard did).
   */
  addPipe(pipe: PipeIn | PipeOut): void {
    this.pipes.set(pipe.id, pipe);
    pipe.onClose = () => this.pipes.delete(pipe.id);
    if ("producer" in pipe && pipe.producer.piped) {
      const producer = pipe.producer;
      this.producers.set(producer.id, producer);
      producer.once("close", () => {
        if (this.producers.get(producer.id) === producer) this.producers.delete(producer.id);
      });
    }
  }

  /** Close the producers of a peer, optionally only some sources (mute = microphone, demote = all). */
  closeProducersOf(peerId: string, sources?: ProducerSource[]): string[] {
    this.peer(peerId);
    const closed: string[] = [];
    for (const p of [...this.producers.values()]) {
      if (p.peerId !== peerId) continue;
      if (sources && !sources.includes(p.source)) continue;
      p.close("closed");
      closed.push(p.id);
    }
    return closed;
  }

  #startTimer(): void {
    if (this.#timer) return;
    this.#lastTick = Date.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.#lastTick) / 1000);
    this.#lastTick = now;
    for (const p of this.producers.values()) p.tick(seconds);
    for (const t of [...this.transports.values()]) t.tick(now);
    for (const c of this.consumers.values()) c.adapt();
    for (const { peerId, quality } of this.#quality.tick(this.consumers.values(), seconds))
      this.#event({ type: "peer-quality", roomId: this.roomId, peerId, quality });
    if (++this.#ticks % SPEAKING_TIME_TICKS === 0) this.#reportSpeakingTime();
  }

  /** One `speaking-time` event with each peer's speech since the last one (none when nobody spoke). */
  #reportSpeakingTime(): void {
    let peers: SpeakingTime[] | undefined;
    for (const p of this.producers.values()) {
      const talkMs = p.talk?.takeMs() ?? 0;
      if (talkMs === 0) continue;
      peers ??= [];
      const known = peers.find((entry) => entry.peerId === p.peerId);
      if (known) known.talkMs += talkMs;
      else peers.push({ peerId: p.peerId, talkMs });
    }
    if (peers) this.#event({ type: "speaking-time", roomId: this.roomId, peers });
  }

  summary(): MediaRoomSummary {
    return {
      roomId: this.roomId,
      workerId: this.opts.workerId,
      peers: this.peers.size,
      producers: this.producers.size,
      consumers: this.consumers.size,
    };
  }

  get peerCount(): number {
    return this.peers.size;
  }

  producerInfos(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => p.info());
  }

  /**
   * Counts for the stats RPC. Packets and bytes include the consumers closed meanwhile; the loss
   * is what subscribers last reported (RTCP receiver reports), summed over the consumers that did.
   */
  stats(): RouterStats {
    let packetsForwarded = this.closedForwarded;
    let bytesForwarded = this.closedBytesForwarded;
    let lossSum = 0;
    let lossReports = 0;
    for (const consumer of this.consumers.values()) {
      packetsForwarded += consumer.forwarded;
      bytesForwarded += consumer.bytesForwarded;
      const loss = consumer.reportedLoss();
      if (loss !== undefined) {
        lossSum += loss;
        lossReports++;
      }
    }
    return {
      peers: this.peers.size,
      transports: this.transports.size,
      producers: this.producers.size,
      consumers: this.consumers.size,
      packetsForwarded,
      bytesForwarded,
      lossSum,
      lossReports,
    };
  }

  info(): MediaRoomInfo {
    const peerList: MediaPeerInfo[] = [...this.peers.values()].map((peer) => {
      const transports = [...peer.transports.values()];
      return {
        peerId: peer.peerId,
        userId: peer.userId,
        transports: transports.map((t) => t.info()),
        producers: transports.flatMap((t) => [...t.producers.values()].map((p) => p.info())),
        consumers: transports.flatMap((t) => [...t.consumers.values()].map((c) => c.info())),
      };
    });
    return { ...this.summary(), peerList };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of [...this.peers.values()]) {
      for (const t of [...peer.transports.values()]) t.close("room-closed");
    }
    this.peers.clear();
    for (const pipe of [...this.pipes.values()]) pipe.close();
    this.#stopTimer();
    this.#event({ type: "room-closed", roomId: this.roomId, reason: "empty" });
    this.emit("close");
    this.removeAllListeners();
  }
}
