import { randomUUID } from "node:crypto";
import { RTCPeerConnection, type PeerConfig, type RTCRtpTransceiver } from "werift";
import { AppError } from "../errors/index.js";
import { TypedEmitter } from "./TypedEmitter.js";
import { Producer } from "./Producer.js";
import { Consumer } from "./Consumer.js";
import { announceIp, assertSdp, keepInactiveInBundle, toInvalidSdp, unbundleRejected } from "./sdp.js";
import type { Mutex } from "./Mutex.js";
import type { RtpSink } from "./rtp/RtpSink.js";
import { enlargeSocketBuffers, type SocketBufferSizes } from "./rtp/socketBuffers.js";
import { admissionGate, tolerateLoopStalls, type AdmissionSettings } from "./admission/index.js";
import { sendRembCap } from "./rembCap.js";
import type { MediaKind, ProducerSource, SessionDescriptionDto, TransportCloseReason, TransportDirection, TransportInfo } from "./types.js";

export interface TransportEvents {
  close: [reason: TransportCloseReason];
  producer: [producer: Producer];
  consumer: [consumer: Consumer];
}

export interface TransportOptions {
  peerId: string;
  userId: string;
  direction: TransportDirection;
  pcConfig: Partial<PeerConfig>;
  announcedIp?: string;
  pliThrottleMs: number;
  negotiationTimeoutMs: number;
  inactivityTimeoutMs: number;
  rembBps: Record<ProducerSource, number>;
  /** Kernel receive/send buffer for each UDP socket of the peer connection (see socketBuffers.ts). */
  udpBufferBytes: number;
  /** The worker's admission settings (MEDIA_ADMISSION_*): set-ups wait for this thread's gate. */
  admission: AdmissionSettings;
  /** Serializes ICE gathering in the worker (werift picks a free port by probing, which races). */
  gatherLock: Mutex;
  /** Builds the sink a consumer writes to. */
  makeSink: (transceiver: RTCRtpTransceiver) => RtpSink;
}

const DISCONNECT_GRACE_MS = 5000;

/**
 * One werift RTCPeerConnection of one participant in one direction (mediasoup's WebRtcTransport).
 * "send": the client offers (connect with an offer, get the answer) and its m-lines become
 * producers. "recv": every consume adds a sendonly m-line and returns a new server offer; the
 * client answers through connect. Offers on a recv transport are handed out one at a time.
 */
export class Transport extends TypedEmitter<TransportEvents> {
  /** werift peer connections created and not yet closed, in this thread. */
  static livePeerConnections = 0;
  readonly id = randomUUID();
  readonly pc: RTCPeerConnection;
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  closed = false;
  #gathered = false;
  #negotiating: Promise<void> = Promise.resolve();
  /** The client's offers on a send transport, answered one after the other. */
  #offers: Promise<unknown> = Promise.resolve();
  #releaseOffer: (() => void) | undefined;
  #offerTimer: NodeJS.Timeout | undefined;
  #disconnectTimer: NodeJS.Timeout | undefined;
  #unconfirmed: Consumer[] = [];
  #lastRx = -1;
  #lastRxAt = Date.now();
  #watchingDtls = false;
  /** The admission place held while this transport's ICE + DTLS set-up runs (admission/). */
  #releaseSetup: (() => void) | undefined;
  /** The set-up was admitted (or is waiting): later SDP exchanges are renegotiations, never queued. */
  #admitting: Promise<void> | undefined;
  /** What the kernel granted the transport's UDP sockets, once gathered. */
  socketBuffers: SocketBufferSizes | undefined;

  constructor(readonly opts: TransportOptions) {
    super();
    this.pc = new RTCPeerConnection(opts.pcConfig);
    Transport.livePeerConnections++;
    this.pc.connectionStateChange.subscribe((state) => this.#onState(state));
  }

  get direction(): TransportDirection {
    return this.opts.direction;
  }

  get peerId(): string {
    return this.opts.peerId;
  }

  get connected(): boolean {
    return this.pc.connectionState === "connected";
  }

  get hasPendingOffer(): boolean {
    return this.#releaseOffer !== undefined;
  }

  #onState(state: string): void {
    if (this.closed) return;
    if (state === "connected" || state === "failed" || state === "closed") this.#endSetup();
    if (state === "connected") {
      clearTimeout(this.#disconnectTimer);
      this.#disconnectTimer = undefined;
      for (const c of this.consumers.values()) if (!this.#unconfirmed.includes(c)) c.start();
      this.#watchDtls();
      tolerateLoopStalls(this.pc);
    } else if (state === "failed") {
      this.close("failed");
    } else if (state === "closed") {
      this.close("remote-closed");
    } else if (state === "disconnected" && !this.#disconnectTimer) {
      this.#disconnectTimer = setTimeout(() => {
        this.#disconnectTimer = undefined;
        if (this.pc.connectionState !== "connected") this.close("failed");
      }, DISCONNECT_GRACE_MS);
    }
  }

  #dtls() {
    return this.pc.getTransceivers()[0]?.dtlsTransport;
  }

  /** A browser's pc.close() sends a DTLS close_notify: close at once instead of waiting for ICE. */
  #watchDtls(): void {
    const dtls = this.#dtls();
    if (!dtls || this.#watchingDtls) return;
    this.#watchingDtls = true;
    dtls.onStateChange.subscribe((state) => {
      if (state === "closed" && !this.closed) this.close("remote-closed");
      else if (state === "failed" && !this.closed) this.close("failed");
    });
  }

  /** Close a connected transport that should hear from its client but has not for a while. */
  #checkActivity(now: number): void {
    const dtls = this.#dtls();
    let expecting = false;
    if (dtls && this.connected) {
      if (this.producers.size > 0) expecting = true;
      else for (const c of this.consumers.values()) if (c.started) expecting = true;
    }
    if (!expecting || !dtls) {
      this.#lastRxAt = now;
      return;
    }
    if (dtls.packetsReceived !== this.#lastRx) {
      this.#lastRx = dtls.packetsReceived;
      this.#lastRxAt = now;
    } else if (now - this.#lastRxAt > this.opts.inactivityTimeoutMs) {
      this.close("failed");
    }
  }

  async #setLocal(description: Parameters<RTCPeerConnection["setLocalDescription"]>[0]): Promise<void> {
    if (this.#gathered) {
      await this.pc.setLocalDescription(description);
      return;
    }
    await this.opts.gatherLock.run(async () => {
      if (this.closed) throw new AppError("TRANSPORT_NOT_FOUND", "The transport was closed");
      await this.pc.setLocalDescription(description);
    });
    this.#gathered = true;
    this.socketBuffers = enlargeSocketBuffers(this.pc, this.opts.udpBufferBytes);
  }

  #local(): SessionDescriptionDto {
    const local = this.pc.localDescription;
    if (!local) throw new AppError("INTERNAL_ERROR", "No local description");
    const sdp = announceIp(local.sdp, this.opts.announcedIp);
    return { type: local.type as "offer" | "answer", sdp: local.type === "offer" ? keepInactiveInBundle(sdp) : unbundleRejected(sdp) };
  }

  /**
   * Waits for this worker's admission gate before the transport's set-up starts: a send
   * transport's first offer (answering it starts the client's ICE checks), a recv transport's first
   * consume (its offer does). Admitting at the answer of a recv transport instead let the client's
   * ICE run while the server waited in the queue, and a werift client gave up (6.4 s of checks).
   * A refusal (MEDIA_BUSY) leaves the transport as it was: the client sends the same request again.
   */
  async #admit(): Promise<void> {
    if (this.#admitting) return this.#admitting;
    const pending = admissionGate(this.opts.admission)
      .admit()
      .then((release) => {
        if (this.closed) {
          release();
          throw new AppError("TRANSPORT_NOT_FOUND", "The transport was closed");
        }
        this.#releaseSetup = release;
      });
    this.#admitting = pending;
    try {
      await pending;
    } catch (err) {
      this.#admitting = undefined;
      throw err;
    }
  }

  #endSetup(): void {
    const release = this.#releaseSetup;
    this.#releaseSetup = undefined;
    release?.();
  }

  /**
   * The SDP exchange. "send": `description` is the client's offer (first one or a renegotiation
   * after adding/removing a track); returns the server's answer. "recv": `description` is the
   * client's answer to the last offer returned by consume.
   */
  async connect(description: SessionDescriptionDto): Promise<SessionDescriptionDto | undefined> {
    if (this.direction === "send") {
      assertSdp(description, "offer");
      // One offer at a time: a client that sends its offer again (its ack timed out while this one
      // waited for admission) must not interleave two setRemoteDescription/createAnswer runs on
      // one werift peer connection (a suspect for "Transceiver with mid=0 not found", not reproduced).
      const run = this.#offers.then(() => this.#answerOffer(description));
      this.#offers = run.catch(() => {});
      return run;
    }
    assertSdp(description, "answer");
    if (!this.#releaseOffer) throw new AppError("INVALID_SDP", "No offer is waiting for an answer on this transport");
    try {
      await this.pc.setRemoteDescription(description);
    } catch (err) {
      throw toInvalidSdp(err);
    }
    const confirmed = this.#unconfirmed;
    this.#unconfirmed = [];
    this.#finishOffer();
    if (this.connected) for (const c of confirmed) c.start();
    return undefined;
  }

  async #answerOffer(description: SessionDescriptionDto): Promise<SessionDescriptionDto> {
    await this.#admit();
    try {
      await this.pc.setRemoteDescription(description);
      const answer = await this.pc.createAnswer();
      await this.#setLocal(answer);
    } catch (err) {
      if (this.closed) throw new AppError("TRANSPORT_NOT_FOUND", "The transport was closed");
      throw toInvalidSdp(err);
    }
    return this.#local();
  }

  #finishOffer(): void {
    clearTimeout(this.#offerTimer);
    this.#offerTimer = undefined;
    const release = this.#releaseOffer;
    this.#releaseOffer = undefined;
    release?.();
  }

  /** Bind one of the client's m-lines to a new producer. */
  produce(kind: MediaKind, source: ProducerSource, mid: string | undefined): Producer {
    if (this.direction !== "send") {
      throw new AppError("WRONG_DIRECTION", 'Producing needs a transport created with direction "send"');
    }
    const bound = new Set([...this.producers.values()].map((p) => p.transceiver));
    const receiving = (candidate: RTCRtpTransceiver) =>
      candidate.kind === kind && !bound.has(candidate) && (candidate.direction === "recvonly" || candidate.direction === "sendrecv");
    const transceivers = this.pc.getTransceivers();
    const transceiver = mid !== undefined ? transceivers.find((t) => t.mid === mid) : transceivers.find((t) => receiving(t));
    if (!transceiver) {
      throw new AppError(
        "VALIDATION_FAILED",
        mid !== undefined
          ? `No m-line with mid "${mid}" on this transport: connect the transport with an offer that contains it first`
          : `No unused ${kind} m-line on this transport: connect the transport with an offer that contains it first`,
      );
    }
    if (transceiver.kind !== kind) throw new AppError("VALIDATION_FAILED", `m-line "${mid}" is ${transceiver.kind}, not ${kind}`);
    if (bound.has(transceiver)) throw new AppError("CONFLICT", `m-line "${transceiver.mid}" already has a producer`);
    if (!receiving(transceiver)) throw new AppError("VALIDATION_FAILED", `m-line "${transceiver.mid}" does not send media`);
    const producer = new Producer(this.peerId, this.opts.userId, kind, source, transceiver, this.opts.pliThrottleMs);
    this.producers.set(producer.id, producer);
    producer.once("close", () => this.producers.delete(producer.id));
    this.emit("producer", producer);
    return producer;
  }

  /** Add a sendonly m-line for `producer` and return the consumer with the new offer. */
  async consume(producer: Producer): Promise<{ consumer: Consumer; offer: SessionDescriptionDto }> {
    if (this.direction !== "recv") {
      throw new AppError("WRONG_DIRECTION", 'Consuming needs a transport created with direction "recv"');
    }
    // One offer at a time: wait until the previous offer was answered (or timed out).
    const previous = this.#negotiating;
    let release!: () => void;
    this.#negotiating = new Promise<void>((resolve) => (release = resolve));
    await previous;
    if (this.closed || producer.closed) {
      release();
      throw this.closed ? new AppError("TRANSPORT_NOT_FOUND", "The transport was closed") : new AppError("PRODUCER_NOT_FOUND", "The producer was closed");
    }
    // One consumer per producer and transport: a client looping `consume` must not make the
    // server forward the same stream to it many times over.
    for (const c of this.consumers.values()) {
      if (c.producer === producer && !c.closed) {
        release();
        throw new AppError("CONFLICT", "This transport already receives that producer");
      }
    }
    let consumer: Consumer | undefined;
    try {
      await this.#admit();
      if (this.closed || producer.closed)
        throw this.closed ? new AppError("TRANSPORT_NOT_FOUND", "The transport was closed") : new AppError("PRODUCER_NOT_FOUND", "The producer was closed");
      const transceiver = this.pc.addTransceiver(producer.kind, { direction: "sendonly" });
      const mime = producer.mimeType?.toLowerCase();
      const codecs = (this.pc.config.codecs[producer.kind] ?? []).filter((c) => !mime || c.mimeType.toLowerCase() === mime);
      if (codecs.length) transceiver.codecs = codecs;
      consumer = new Consumer(this.peerId, producer, transceiver, this.opts.makeSink(transceiver));
      const sender = transceiver.sender;
      const created = consumer;
      sender.onPictureLossIndication.subscribe(() => created.requestKeyFrame());
      this.consumers.set(consumer.id, consumer);
      this.#unconfirmed.push(consumer);
      consumer.once("close", () => {
        this.consumers.delete(created.id);
        this.#unconfirmed = this.#unconfirmed.filter((x) => x !== created);
        if (!this.closed && !transceiver.stopped) {
          transceiver.sender.stop();
          transceiver.setDirection("inactive");
          // The m-line stays where it is, inactive, for good. werift's addTransceiver takes over a
          // transceiver negotiated inactive that it does not know sent before — of any kind: a
          // consumer closed before its offer was answered left such a one, and the next consume (a
          // camera) took its mid and place (m=video where m=audio was), which Chromium refuses
          // ("The order of m-lines in subsequent offer doesn't match"). Never reused.
          transceiver.usedForSender = true;
        }
      });
      producer.addConsumer(consumer);
      await this.#setLocal(await this.pc.createOffer());
      this.#releaseOffer = release;
      this.#offerTimer = setTimeout(() => this.#finishOffer(), this.opts.negotiationTimeoutMs);
      this.emit("consumer", consumer);
      return { consumer, offer: this.#local() };
    } catch (err) {
      consumer?.close("closed");
      release();
      if (err instanceof AppError) throw err;
      throw new AppError("INTERNAL_ERROR", `Could not create the offer: ${(err as Error).message}`);
    }
  }

  /** Called once a second by the router: inactivity check, REMB caps to the publisher. */
  tick(now: number): void {
    if (this.closed) return;
    this.#checkActivity(now);
    if (this.closed || this.direction !== "send" || !this.connected) return;
    sendRembCap(this.producers.values(), this.opts.rembBps);
  }

  info(): TransportInfo {
    return { transportId: this.id, direction: this.direction, connectionState: this.pc.connectionState };
  }

  /** Close the producers and consumers (they tell their owners), the peer connection, then tell the owner. */
  close(reason: TransportCloseReason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.#endSetup();
    clearTimeout(this.#disconnectTimer);
    this.#finishOffer();
    const childReason = reason === "peer-left" || reason === "room-closed" ? reason : "transport-closed";
    for (const p of [...this.producers.values()]) p.close(childReason);
    for (const c of [...this.consumers.values()]) c.close(childReason);
    this.pc
      .close()
      .catch(() => {})
      .finally(() => Transport.livePeerConnections--);
    this.emit("close", reason);
    this.removeAllListeners();
  }
}
