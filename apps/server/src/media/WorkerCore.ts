import {
  useAbsSendTime,
  useAudioLevelIndication,
  useH264,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
  type PeerConfig,
  type RTCRtpTransceiver,
} from "werift";
import { AppError } from "../errors/index.js";
import { Router } from "./Router.js";
import { Transport } from "./Transport.js";
import { Mutex } from "./Mutex.js";
import { performance } from "node:perf_hooks";
import { callListener } from "./TypedEmitter.js";
import { WeriftSink } from "./rtp/WeriftSink.js";
import { FastSink } from "./rtp/FastSink.js";
import type { RtpSink } from "./rtp/RtpSink.js";
import type { MediaConfig } from "./config.js";
import { iceListenOptions } from "../rtc/listen.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";
import type { MediaLogLevel } from "./log.js";
import type { CloseProducersFilter, JoinPeerResult, PipeStatus, ShardOperations } from "./MediaService.js";
import { PipeIn, type PipeOrigin } from "./pipe/PipeIn.js";
import { PipeOut } from "./pipe/PipeOut.js";
import {
  SOURCE_KIND,
  type ConnectTransportResult,
  type ConsumeParams,
  type ConsumeResult,
  type CreateTransportResult,
  type MediaEvent,
  type MediaHealth,
  type MediaRoomInfo,
  type MediaRoomSummary,
  type MediaStats,
  type ProducerInfo,
  type ProduceParams,
  type ProduceResult,
  type SessionDescriptionDto,
  type SimulcastLayer,
  type TransportDirection,
} from "./types.js";

export interface WorkerCoreOptions {
  workerId: string;
  config: MediaConfig;
  portRange: [number, number];
  /** false: forward through werift's RTCRtpSender.sendRtp (the reference path). */
  fastPath: boolean;
  /** Lowest level a worker thread posts to the main thread's logger (default info). */
  logLevel?: MediaLogLevel | "silent";
}

/**
 * What runs inside one media worker (a worker thread, or the main thread in "inline" mode):
 * the routers of the rooms placed on this worker. Implements the media operations for them;
 * the MediaWorker channel is the only way in, and it has checked every argument against the
 * media RPC table's schemas (rpc/table.ts) before a method here runs.
 */
export class WorkerCore implements ShardOperations {
  readonly routers = new Map<string, Router>();
  readonly #gatherLock = new Mutex();
  readonly #pcConfig: Partial<PeerConfig>;
  readonly #listeners = new Set<(event: MediaEvent) => void>();
  #forwardedByClosed = 0;
  #bytesForwardedByClosed = 0;

  constructor(readonly opts: WorkerCoreOptions) {
    disableWeriftDefaultStun();
    const cfg = opts.config;
    const feedback = () => [useNACK(), usePLI(), useREMB()];
    this.#pcConfig = {
      iceServers: [],
      iceUseIpv6: false,
      icePortRange: opts.portRange,
      // Sockets and host candidates on RTC_LISTEN_IP (one address for both).
      ...iceListenOptions(cfg.rtcListenIp),
      bundlePolicy: "max-bundle",
      codecs: {
        video: [useVP8({ rtcpFeedback: feedback() }), useH264({ rtcpFeedback: feedback() })],
        audio: [useOPUS()],
      },
      // No transport-cc: it collapses Chromium's estimate on the publisher leg; REMB instead.
      headerExtensions: {
        video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId(), useAbsSendTime()],
        // ssrc-audio-level (RFC 6464): the publisher's level per packet, read for talk time (rtp/audioLevel.ts).
        audio: [useSdesMid(), useAbsSendTime(), useAudioLevelIndication()],
      },
    };
  }

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: MediaEvent): void {
    for (const l of this.#listeners) callListener(l, event, "event", "WorkerCore");
  }

  #makeSink = (transceiver: RTCRtpTransceiver): RtpSink => (this.opts.fastPath ? new FastSink(transceiver) : new WeriftSink(transceiver.sender));

  #router(roomId: string): Router {
    const router = this.routers.get(roomId);
    if (!router) throw new AppError("ROOM_NOT_FOUND", `No media room ${roomId}`);
    return router;
  }

  async health(): Promise<MediaHealth> {
    let peers = 0;
    for (const r of this.routers.values()) peers += r.peerCount;
    return { ok: true, workers: 1, rooms: this.routers.size, peers };
  }

  async listRooms(): Promise<MediaRoomSummary[]> {
    return [...this.routers.values()].map((r) => r.summary());
  }

  async getRoom(roomId: string): Promise<MediaRoomInfo> {
    return this.#router(roomId).info();
  }

  async joinPeer(roomId: string, peerId: string, userId: string): Promise<JoinPeerResult> {
    let router = this.routers.get(roomId);
    if (!router) {
      router = new Router({
        roomId,
        workerId: this.opts.workerId,
        config: this.opts.config,
        pcConfig: this.#pcConfig,
        gatherLock: this.#gatherLock,
        makeSink: this.#makeSink,
      });
      const created = router;
      created.on("event", (event) => this.#emit(event));
      created.once("close", () => {
        this.#forwardedByClosed += created.closedForwarded;
        this.#bytesForwardedByClosed += created.closedBytesForwarded;
        this.routers.delete(roomId);
      });
      this.routers.set(roomId, created);
    }
    router.join(peerId, userId);
    return { roomId, peerId, producers: router.producerInfos() };
  }

  async leavePeer(roomId: string, peerId: string): Promise<void> {
    const router = this.#router(roomId);
    router.leave(peerId);
    if (router.peerCount === 0) router.close();
  }

  async createTransport(roomId: string, peerId: string, direction: TransportDirection): Promise<CreateTransportResult> {
    const transport = this.#router(roomId).createTransport(peerId, direction);
    return { transportId: transport.id, direction };
  }

  async connectTransport(roomId: string, peerId: string, transportId: string, description: SessionDescriptionDto): Promise<ConnectTransportResult> {
    const transport = this.#router(roomId).transport(peerId, transportId);
    const answer = await transport.connect(description);
    return answer ? { transportId: transport.id, answer } : { transportId: transport.id };
  }

  async produce(roomId: string, peerId: string, params: ProduceParams): Promise<ProduceResult> {
    const router = this.#router(roomId);
    const { kind, source, mid, transportId } = params;
    if (SOURCE_KIND[source] !== kind) throw new AppError("VALIDATION_FAILED", `source ${source} must be ${SOURCE_KIND[source]}`);
    const transport = router.transport(peerId, transportId);
    const producer = transport.produce(kind, source, mid);
    // Any consumer that asked before the keyframe would otherwise wait: nothing to do yet.
    return { producerId: producer.id };
  }

  async consume(roomId: string, peerId: string, params: ConsumeParams): Promise<ConsumeResult> {
    const router = this.#router(roomId);
    const producer = router.producer(params.producerId);
    const transport = router.transport(peerId, params.transportId);
    if (producer.peerId === peerId) throw new AppError("VALIDATION_FAILED", "A peer cannot consume its own producer");
    const { consumer, offer } = await transport.consume(producer);
    return {
      consumerId: consumer.id,
      producerId: producer.id,
      producerPeerId: producer.peerId,
      kind: producer.kind,
      source: producer.source,
      mid: consumer.mid,
      offer,
    };
  }

  async closeProducer(roomId: string, producerId: string, peerId?: string): Promise<void> {
    const producer = this.#router(roomId).producer(producerId);
    if (peerId !== undefined && producer.peerId !== peerId) throw new AppError("PRODUCER_NOT_FOUND", "Not your producer");
    producer.close("closed");
  }

  async closeConsumer(roomId: string, consumerId: string, peerId?: string): Promise<void> {
    const consumer = this.#router(roomId).consumer(consumerId);
    if (peerId !== undefined && consumer.peerId !== peerId) throw new AppError("CONSUMER_NOT_FOUND", "Not your consumer");
    consumer.close("closed");
  }

  async closeProducersOf(roomId: string, peerId: string, filter?: CloseProducersFilter): Promise<string[]> {
    return this.#router(roomId).closeProducersOf(peerId, filter?.sources);
  }

  async setPreferredLayer(roomId: string, consumerId: string, layer: SimulcastLayer, peerId?: string): Promise<void> {
    const consumer = this.#router(roomId).consumer(consumerId);
    if (peerId !== undefined && consumer.peerId !== peerId) throw new AppError("CONSUMER_NOT_FOUND", "Not your consumer");
    consumer.setPreferredLayer(layer);
  }

  async setConsumerPaused(roomId: string, consumerId: string, paused: boolean, peerId?: string): Promise<void> {
    const consumer = this.#router(roomId).consumer(consumerId);
    if (peerId !== undefined && consumer.peerId !== peerId) throw new AppError("CONSUMER_NOT_FOUND", "Not your consumer");
    consumer.setPaused(paused);
  }

  async requestKeyFrame(roomId: string, consumerId: string): Promise<void> {
    this.#router(roomId).consumer(consumerId).requestKeyFrame();
  }

  async pipeOut(roomId: string, producerId: string): Promise<{ origin: PipeOrigin; producer: ProducerInfo }> {
    const router = this.#router(roomId);
    const producer = router.producer(producerId);
    const pipe = await PipeOut.open(producer, this.opts.config.rtcListenIp);
    if (router.closed || producer.closed) {
      pipe.close();
      throw new AppError("PRODUCER_NOT_FOUND", `Producer ${producerId} was closed`);
    }
    router.addPipe(pipe);
    const ip = this.opts.config.rtcAnnouncedIp ?? pipe.ip;
    return { origin: { pipeId: pipe.id, ip, port: pipe.port, token: pipe.token }, producer: producer.info() };
  }

  async pipeIn(roomId: string, origin: PipeOrigin, producer: ProducerInfo): Promise<void> {
    const router = this.#router(roomId);
    if (router.pipes.has(origin.pipeId)) return;
    // A pipe rebuilt after it broke: the pipe producer here (and its consumers) stays, fed anew.
    for (const [pipeId, pipe] of router.pipes) {
      if (!(pipe instanceof PipeIn) || pipe.closed || pipe.producer.id !== producer.producerId) continue;
      pipe.retarget(origin);
      router.pipes.delete(pipeId);
      router.pipes.set(origin.pipeId, pipe);
      return;
    }
    const pipe = await PipeIn.open(producer, origin, this.opts.config.rtcListenIp, this.opts.config.pliThrottleMs);
    if (router.closed) {
      pipe.close();
      throw new AppError("ROOM_NOT_FOUND", `No media room ${roomId}`);
    }
    router.addPipe(pipe);
  }

  async closePipe(roomId: string, pipeId: string): Promise<void> {
    this.routers.get(roomId)?.pipes.get(pipeId)?.close();
  }

  async pipeStatus(): Promise<PipeStatus[]> {
    const now = Date.now();
    return [...this.routers.values()].flatMap((r) => [...r.pipes.values()].map((p) => ({ roomId: r.roomId, ...p.health(now) })));
  }

  async stats(): Promise<MediaStats> {
    let peers = 0;
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    let forwarded = this.#forwardedByClosed;
    let bytesForwarded = this.#bytesForwardedByClosed;
    let receiverLossSum = 0;
    let receiverLossReports = 0;
    for (const router of this.routers.values()) {
      const stats = router.stats();
      peers += stats.peers;
      transports += stats.transports;
      producers += stats.producers;
      consumers += stats.consumers;
      forwarded += stats.packetsForwarded;
      bytesForwarded += stats.bytesForwarded;
      receiverLossSum += stats.lossSum;
      receiverLossReports += stats.lossReports;
    }
    const resources = process.getActiveResourcesInfo();
    return {
      workers: 1,
      rooms: this.routers.size,
      peers,
      transports,
      peerConnections: Transport.livePeerConnections,
      producers,
      consumers,
      udpSockets: resources.filter((r) => r === "UDPWrap").length,
      timers: resources.filter((r) => r === "Timeout").length,
      packetsForwarded: forwarded,
      bytesForwarded,
      receiverLossSum,
      receiverLossReports,
      // Per thread when this core runs in a worker thread (each thread has its own event loop).
      eventLoopActiveMs: performance.eventLoopUtilization().active,
    };
  }

  async close(): Promise<void> {
    for (const r of [...this.routers.values()]) r.close();
  }
}
