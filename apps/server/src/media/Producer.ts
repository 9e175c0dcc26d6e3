import { randomUUID } from "node:crypto";
import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from "werift";
import { TypedEmitter } from "./TypedEmitter.js";
import { keyframeDetectorFor, type KeyframeDetector } from "./rtp/keyframe.js";
import { audioLevelIdOf, audioLevelOf, TalkMeter } from "./rtp/audioLevel.js";
import type { Consumer } from "./Consumer.js";
import type { MediaKind, ProducerCloseReason, ProducerInfo, ProducerSource, SimulcastLayer } from "./types.js";

export interface ProducerEvents {
  close: [reason: ProducerCloseReason];
}

const LAYER_RANK: Record<string, number> = { l: 0, q: 0, m: 1, h: 2, f: 2 };
const NO_EXTENSIONS: never[] = [];

/** One incoming RTP stream of a producer: the single stream, or one simulcast layer (rid). */
export class ProducerLayer {
  /** Consumers currently forwarded from this layer. A plain array: iterated per packet. */
  consumers: Consumer[] = [];
  /** Consumers waiting for a keyframe on this layer before they switch to it. */
  pending: Consumer[] = [];
  ssrc: number | undefined;
  lastPliAt = 0;
  octets = 0;
  /** Measured bitrate (bits/s), updated by the router's tick. */
  bitrate = 0;
  packets = 0;
  unsubscribe: (() => void) | undefined;

  constructor(
    readonly rid: string | undefined,
    /** The publisher's track; undefined for a layer that arrives over a pipe (pipe/PipeIn.ts). */
    readonly track: MediaStreamTrack | undefined,
  ) {}
}

/** Where a producer's every packet also goes: the pipes to the other shards of its room (pipe/PipeOut.ts). */
export interface ProducerTap {
  send(buf: Buffer): void;
}

/** A producer fed by a pipe instead of a transceiver: its id, its codec, where its keyframe requests go. */
export interface PipedInput {
  producerId: string;
  mimeType: string | undefined;
  /** A keyframe request for one layer's SSRC: goes back over the pipe to the origin. */
  requestKeyFrame(ssrc: number): void;
}

/**
 * An incoming track of a participant (mediasoup's Producer). It receives RTP from one transceiver
 * of a "send" transport and forwards each packet to its consumers: the publisher's header
 * extensions are stripped and the packet is serialized once; every consumer gets the same Buffer.
 */
export class Producer extends TypedEmitter<ProducerEvents> {
  readonly id: string;
  readonly layers: ProducerLayer[] = [];
  readonly consumers = new Set<Consumer>();
  /** Pipes to other shards: they get every packet of every layer (a plain array: iterated per packet). */
  taps: ProducerTap[] = [];
  /** Set for a pipe producer (the copy of a producer of another shard). */
  readonly piped: PipedInput | undefined;
  closed = false;
  #isKeyframe: KeyframeDetector | undefined;
  #unsubscribeTrack: (() => void) | undefined;
  /** Talk time of a microphone (RFC 6464 audio levels); undefined for every other source. */
  readonly talk: TalkMeter | undefined;
  /** The audio-level extension id of the publisher's connection (-1: not negotiated). */
  #levelId = -1;
  /** The transceiver.headerExtensions #levelId was read from (werift replaces it on renegotiation). */
  #levelIdOf: unknown;

  constructor(
    readonly peerId: string,
    readonly userId: string,
    readonly kind: MediaKind,
    readonly source: ProducerSource,
    /** The publisher's m-line; undefined for a pipe producer (`piped`). */
    readonly transceiver: RTCRtpTransceiver | undefined,
    private readonly pliThrottleMs: number,
    piped?: PipedInput,
  ) {
    super();
    this.id = piped?.producerId ?? randomUUID();
    this.piped = piped;
    // Talk time is measured once, where the microphone is published (not again on each pipe's end).
    this.talk = source === "microphone" && !piped ? new TalkMeter() : undefined;
    if (transceiver) {
      for (const track of transceiver.receiver.tracks) this.#addTrack(track);
      this.#unsubscribeTrack = transceiver.onTrack.subscribe((track) => this.#addTrack(track)).unSubscribe;
    }
  }

  get mid(): string {
    return this.transceiver?.mid ?? "";
  }

  get mimeType(): string | undefined {
    if (this.piped) return this.piped.mimeType;
    return this.transceiver?.codecs[0]?.mimeType ?? this.layers[0]?.track?.codec?.mimeType;
  }

  get simulcast(): boolean {
    return this.layers.length > 1 || this.layers[0]?.rid !== undefined;
  }

  #addTrack(track: MediaStreamTrack): void {
    if (this.closed || this.layers.some((l) => l.track === track)) return;
    const layer = this.#addLayer(track.rid || undefined, track, track.ssrc);
    layer.unsubscribe = track.onReceiveRtp.subscribe((rtp) => this.#onRtp(layer, rtp)).unSubscribe;
  }

  /** A pipe producer's layer, announced by the origin (rid and SSRC); the pipe feeds it with `receivePiped`. */
  addPipedLayer(rid: string | undefined, ssrc: number): ProducerLayer {
    const known = this.layers.find((l) => l.ssrc === ssrc);
    return known ?? this.#addLayer(rid, undefined, ssrc);
  }

  /** One packet that came over the pipe for `layer` (a layer of this pipe producer). */
  receivePiped(layer: ProducerLayer, rtp: RtpPacket): void {
    if (!this.closed) this.#onRtp(layer, rtp);
  }

  #addLayer(rid: string | undefined, track: MediaStreamTrack | undefined, ssrc: number | undefined): ProducerLayer {
    const layer = new ProducerLayer(rid, track);
    layer.ssrc = ssrc;
    this.layers.push(layer);
    this.layers.sort((a, b) => (LAYER_RANK[a.rid ?? ""] ?? 9) - (LAYER_RANK[b.rid ?? ""] ?? 9));
    // Consumers started before the publisher's first stream was known (no a=ssrc in its offer,
    // or a simulcast layer that arrives late) have no layer yet: route them now.
    for (const c of this.consumers) {
      if (c.started && !c.closed && c.currentLayerIndex < 0 && !this.layers.some((l) => l.pending.includes(c))) {
        this.setConsumerLayer(c, this.layerIndexFor(c.preferredLayer));
      }
    }
    return layer;
  }

  /** The per-packet path. Keep it free of allocations beyond the one serialization. */
  #onRtp(layer: ProducerLayer, rtp: RtpPacket): void {
    const header = rtp.header;
    if (layer.ssrc === undefined) layer.ssrc = header.ssrc;
    layer.packets++;
    layer.octets += rtp.payload.length;
    const talk = this.talk;
    if (talk !== undefined && this.transceiver) {
      const negotiated = this.transceiver.headerExtensions;
      if (negotiated !== this.#levelIdOf) {
        this.#levelIdOf = negotiated;
        this.#levelId = audioLevelIdOf(negotiated);
      }
      if (this.#levelId > 0) talk.onPacket(audioLevelOf(header.extensions, this.#levelId), header.timestamp);
    }
    const pending = layer.pending;
    const consumers = layer.consumers;
    const taps = this.taps;
    if (consumers.length === 0 && pending.length === 0 && taps.length === 0) return;
    header.extensions = NO_EXTENSIONS; // ids belong to the publisher's connection
    header.extension = false; // else werift still writes X=1 and an empty block (BE DE 00 00)
    const buf = rtp.serialize();
    // Every layer crosses each pipe (with its own SSRC): the far end chooses layers per subscriber.
    for (let i = 0; i < taps.length; i++) taps[i].send(buf);
    if (pending.length !== 0 && this.#isKeyframeStart(rtp.payload)) this.#switchPending(layer, header);
    for (let i = 0; i < consumers.length; i++) consumers[i].forward(buf, header);
  }

  #isKeyframeStart(payload: Buffer): boolean {
    if (this.kind === "audio") return true;
    this.#isKeyframe ??= keyframeDetectorFor(this.mimeType);
    return this.#isKeyframe ? this.#isKeyframe(payload) : true;
  }

  #switchPending(layer: ProducerLayer, header: RtpPacket["header"]): void {
    for (const consumer of layer.pending) {
      const from = consumer.currentLayerIndex;
      if (from >= 0 && from !== this.layers.indexOf(layer)) {
        const old = this.layers[from];
        if (old) old.consumers = old.consumers.filter((c) => c !== consumer);
      }
      consumer.onLayerSwitched(this.layers.indexOf(layer), header);
      layer.consumers.push(consumer);
    }
    layer.pending = [];
  }

  /** Ask the publisher for a keyframe on one layer (throttled per layer). */
  requestKeyFrame(layerIndex = -1, force = false): void {
    if (this.closed || this.kind !== "video") return;
    const targets = layerIndex >= 0 ? [this.layers[layerIndex]] : this.layers;
    const now = Date.now();
    for (const layer of targets) {
      if (!layer || layer.ssrc === undefined) continue;
      if (!force && now - layer.lastPliAt < this.pliThrottleMs) continue;
      layer.lastPliAt = now;
      if (this.piped) this.piped.requestKeyFrame(layer.ssrc);
      else this.transceiver?.receiver.sendRtcpPLI(layer.ssrc).catch(() => {});
    }
  }

  /**
   * Route a consumer to a layer index. A consumer that already receives a layer keeps it until a
   * keyframe arrives on the new one (no freeze); a new consumer waits for the first keyframe.
   */
  setConsumerLayer(consumer: Consumer, index: number): void {
    if (this.closed) return;
    for (const l of this.layers) l.pending = l.pending.filter((c) => c !== consumer);
    const target = this.layers[index];
    if (!target) return;
    if (consumer.currentLayerIndex === index) return;
    target.pending.push(consumer);
    this.requestKeyFrame(index);
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.add(consumer);
  }

  removeConsumer(consumer: Consumer): void {
    this.consumers.delete(consumer);
    for (const l of this.layers) {
      if (l.consumers.includes(consumer)) l.consumers = l.consumers.filter((c) => c !== consumer);
      if (l.pending.includes(consumer)) l.pending = l.pending.filter((c) => c !== consumer);
    }
  }

  /** Index of the layer for a rid name or l/m/h, clamped to the layers that exist. */
  layerIndexFor(layer: SimulcastLayer): number {
    if (this.layers.length <= 1) return 0;
    const byRid = this.layers.findIndex((l) => l.rid === layer);
    if (byRid >= 0) return byRid;
    const rank = LAYER_RANK[layer] ?? 2;
    return Math.min(rank, this.layers.length - 1);
  }

  layerName(index: number): SimulcastLayer {
    const rid = this.layers[index]?.rid;
    if (rid === "l" || rid === "m" || rid === "h") return rid;
    return (["l", "m", "h"] as const)[Math.min(index, 2)];
  }

  /**
   * Called once a second by the router: measure per-layer bitrates, and ask again for a
   * keyframe on every layer that consumers are still waiting on. A PLI can be lost, skipped
   * (the layer's SSRC not known yet) or answered by a keyframe whose first packet was lost;
   * without a retry such a consumer would receive nothing until the publisher's next keyframe.
   */
  tick(seconds: number): void {
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      layer.bitrate = (layer.octets * 8) / seconds;
      layer.octets = 0;
      if (layer.pending.length !== 0) this.requestKeyFrame(i);
    }
  }

  info(): ProducerInfo {
    return {
      producerId: this.id,
      peerId: this.peerId,
      userId: this.userId,
      kind: this.kind,
      source: this.source,
      codec: this.mimeType,
      layers: this.layers.flatMap((l) => (l.rid ? [l.rid] : [])),
      paused: false,
    };
  }

  /** Close: stop receiving, close every consumer (they tell their owners), then tell the owner. */
  close(reason: ProducerCloseReason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.#unsubscribeTrack?.();
    for (const l of this.layers) {
      l.unsubscribe?.();
      l.consumers = [];
      l.pending = [];
    }
    for (const c of [...this.consumers]) c.close("producer-closed");
    this.consumers.clear();
    this.taps = [];
    this.emit("close", reason);
    this.removeAllListeners();
  }
}
