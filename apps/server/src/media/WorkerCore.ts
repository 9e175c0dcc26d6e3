import {
  useAbsSendTime,
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
import type { MediaLogLevel } from "./log.js";
import type { CloseProducersFilter, JoinPeerResult, MediaOperations } from "./MediaService.js";
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
export class WorkerCore implements MediaOperations {
  readonly routers = new Map<string, Router>();
  readonly #gatherLock = new Mutex();
  readonly #pcConfig: Partial<PeerConfig>;
  readonly #listeners = new Set<(e: MediaEvent) => void>();
  #forwardedByClosed = 0;
  #bytesForwardedByClosed = 0;

  constructor(readonly opts: WorkerCoreOptions) {
    const cfg = opts.config;
    const feedback = () => [useNACK(), usePLI(), useREMB()];
    this.#pcConfig = {
      iceServers: [],
      iceUseIpv6: false,
      icePortRange: opts.portRange,
      iceInterfaceAddresses: cfg.rtcListenIp ? { udp4: cfg.rtcListenIp } : undefined,
      bundlePolicy: "max-bundle",
      codecs: {
        video: [useVP8({ rtcpFeedback: feedback() }), useH264({ rtcpFeedback: feedback() })],
        audio: [useOPUS()],
      },
      // No transport-cc: it collapses Chromium's estimate on the publisher leg; REMB instead.
      headerExtensions: {
        video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId(), useAbsSendTime()],
        audio: [useSdesMid(), useAbsSendTime()],
      },
    };
  }

  onEvent(listener: (e: MediaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: MediaEvent): void {
    for (const l of this.#listeners) callListener(l, e, "event", "WorkerCore");
  }

  #makeSink = (transceiver: RTCRtpTransceiver): RtpSink => (this.opts.fastPath ? new FastSink(transceiver) : new WeriftSink(transceiver.sender));

  #router(roomId: string): Router {
    const r = this.routers.get(roomId);
    if (!r) throw new AppError("ROOM_NOT_FOUND", `No media room ${roomId}`);
    return r;
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
      const r = router;
      r.on("event", (e) => this.#emit(e));
      r.once("close", () => {
        this.#forwardedByClosed += r.closedForwarded;
        this.#bytesForwardedByClosed += r.closedBytesForwarded;
        this.routers.delete(roomId);
      });
      this.routers.set(roomId, r);
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
    const t = this.#router(roomId).createTransport(peerId, direction);
    return { transportId: t.id, direction };
  }

  async connectTransport(roomId: string, peerId: string, transportId: string, description: SessionDescriptionDto): Promise<ConnectTransportResult> {
    const t = this.#router(roomId).transport(peerId, transportId);
    const answer = await t.connect(description);
    return answer ? { transportId: t.id, answer } : { transportId: t.id };
  }

  async produce(roomId: string, peerId: string, params: ProduceParams): Promise<ProduceResult> {
    const router = this.#router(roomId);
    const { kind, source, mid, transportId } = params;
    if (SOURCE_KIND[source] !== kind) throw new AppError("VALIDATION_FAILED", `source ${source} must be ${SOURCE_KIND[source]}`);
    const t = router.transport(peerId, transportId);
    const producer = t.produce(kind, source, mid);
    // Any consumer that asked before the keyframe would otherwise wait: nothing to do yet.
    return { producerId: producer.id };
  }

  async consume(roomId: string, peerId: string, params: ConsumeParams): Promise<ConsumeResult> {
    const router = this.#router(roomId);
    const producer = router.producer(params.producerId);
    const t = router.transport(peerId, params.transportId);
    if (producer.peerId === peerId) throw new AppError("VALIDATION_FAILED", "A peer cannot consume its own producer");
    const { consumer, offer } = await t.consume(producer);
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
    const p = this.#router(roomId).producer(producerId);
    if (peerId !== undefined && p.peerId !== peerId) throw new AppError("PRODUCER_NOT_FOUND", "Not your producer");
    p.close("closed");
  }

  async closeConsumer(roomId: string, consumerId: string, peerId?: string): Promise<void> {
    const c = this.#router(roomId).consumer(consumerId);
    if (peerId !== undefined && c.peerId !== peerId) throw new AppError("CONSUMER_NOT_FOUND", "Not your consumer");
    c.close("closed");
  }

  async closeProducersOf(roomId: string, peerId: string, filter?: CloseProducersFilter): Promise<string[]> {
    return this.#router(roomId).closeProducersOf(peerId, filter?.sources);
  }

  async setPreferredLayer(roomId: string, consumerId: string, layer: SimulcastLayer, peerId?: string): Promise<void> {
    const c = this.#router(roomId).consumer(consumerId);
    if (peerId !== undefined && c.peerId !== peerId) throw new AppError("CONSUMER_NOT_FOUND", "Not your consumer");
    c.setPreferredLayer(layer);
  }

  async requestKeyFrame(roomId: string, consumerId: string): Promise<void> {
    this.#router(roomId).consumer(consumerId).requestKeyFrame();
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
    for (const r of this.routers.values()) {
      const s = r.stats();
      peers += s.peers;
      transports += s.transports;
      producers += s.producers;
      consumers += s.consumers;
      forwarded += s.packetsForwarded;
      bytesForwarded += s.bytesForwarded;
      receiverLossSum += s.lossSum;
      receiverLossReports += s.lossReports;
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
