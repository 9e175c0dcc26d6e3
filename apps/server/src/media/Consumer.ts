import { randomUUID } from "node:crypto";
import type { RTCRtpTransceiver, RtpHeader } from "werift";
import { TypedEmitter } from "./TypedEmitter.js";
import type { Producer } from "./Producer.js";
import type { RtpSink } from "./rtp/RtpSink.js";
import { keyframeDetectorFor } from "./rtp/keyframe.js";
import type { ConsumerCloseReason, ConsumerInfo, SimulcastLayer } from "./types.js";

/** Probing a layer up: calm ticks first (doubling after each failed probe), judged by loss for PROBE_TICKS. */
const PROBE_BACKOFF_MIN = 4;
const PROBE_BACKOFF_MAX = 32;
const PROBE_TICKS = 8;
/** A step up that held this many ticks succeeded (the backoff starts over). */
const PROBE_HELD = 20;

export interface ConsumerEvents {
  close: [reason: ConsumerCloseReason];
  layerchange: [layer: SimulcastLayer];
}

/**
 * An outgoing track bound to one producer (mediasoup's Consumer): one sendonly transceiver of a
 * subscriber's "recv" transport. For a simulcast producer it receives one layer at a time: the
 * layer the client prefers (setPreferredLayer), lowered by the server when the subscriber's
 * feedback (REMB, loss) says it cannot take it.
 */
export class Consumer extends TypedEmitter<ConsumerEvents> {
  readonly id = randomUUID();
  closed = false;
  /** Index into producer.layers of the layer being forwarded; -1 before the first keyframe. */
  currentLayerIndex = -1;
  /** The client's choice (highest layer it wants). */
  preferredLayer: SimulcastLayer = "h";
  /** Layer index the server currently aims for (≤ preferred). */
  targetLayerIndex = -1;
  /** Set once the subscriber's answer has been applied and its transport is connected. */
  started = false;
  forwarded = 0;
  bytesForwarded = 0;
  /** Paused by its subscriber (low-bandwidth mode): nothing is forwarded, not even to the sink. */
  paused = false;
  /** Resumed, waiting for the first packet to forward again (video: a keyframe's first packet). */
  #resuming = false;
  /** Layer adaptation: ticks left before REMB may lower a new layer; ticks REMB said "too much". */
  #settleTicks = 0;
  #overTicks = 0;
  /** Ticks the target layer has carried nothing while another layer did. */
  #silentTicks = 0;
  /** Probing up (see adapt): calm ticks so far, calm ticks needed, ticks left of a probe, tick of the last step up. */
  #calmTicks = 0;
  #probeBackoff = PROBE_BACKOFF_MIN;
  #probeTicks = 0;
  #ticks = 0;
  #upAt = -1;
  /** The REMB estimates of the last ticks, oldest first (is it still climbing?). */
  #estimates: number[] = [];

  constructor(
    readonly peerId: string,
    readonly producer: Producer,
    readonly transceiver: RTCRtpTransceiver,
    readonly sink: RtpSink,
  ) {
    super();
  }

  get kind() {
    return this.producer.kind;
  }

  get mid(): string {
    return this.transceiver.mid ?? "";
  }

  /** Per packet: hand the already-serialized packet to the sink. */
  forward(buf: Buffer, header: RtpHeader): void {
    if (this.paused) return;
    if (this.#resuming) {
      if (!this.#startsKeyframe(buf)) return;
      // Continue the sequence numbers and timestamps where the pause left them (no "lost" gap).
      this.#resuming = false;
      this.sink.rebase(header);
      this.#resyncVp8 = true;
    }
    this.forwarded++;
    this.bytesForwarded += buf.length;
    this.#vp8 ??= this.producer.simulcast && this.producer.mimeType?.toLowerCase() === "video/vp8";
    this.sink.send(this.#vp8 ? this.#continueVp8(buf) : buf);
  }

  // VP8 simulcast: each layer numbers its frames (PictureID, TL0PICIDX) from its own random start.
  // The subscriber's receiver drops frames whose id is not ahead of the last decoded one (even a
  // keyframe), so after a layer switch the ids must continue from the old layer's: offsets below.
  #vp8: boolean | undefined;
  #resyncVp8 = false;
  #picOffset = 0;
  #tl0Offset = 0;
  #lastPic = -1;
  #lastTl0 = -1;

  /** Rewrite the VP8 payload descriptor's PictureID/TL0PICIDX (in a copy: `buf` is shared). */
  #continueVp8(buf: Buffer): Buffer {
    let descStart = 12 + (buf[0] & 0x0f) * 4;
    if (buf[0] & 0x10) {
      if (buf.length < descStart + 4) return buf;
      descStart += 4 + buf.readUInt16BE(descStart + 2) * 4;
    }
    const end = buf[0] & 0x20 ? buf.length - buf[buf.length - 1] : buf.length;
    if (descStart + 2 >= end || (buf[descStart] & 0x80) === 0) return buf; // no payload, or no extension (no ids)
    const ext = buf[descStart + 1];
    let pos = descStart + 2;
    let picPos = -1;
    let wide = false;
    if (ext & 0x80) {
      picPos = pos;
      wide = (buf[pos] & 0x80) !== 0;
      pos += wide ? 2 : 1;
    }
    const tl0Pos = ext & 0x40 ? pos++ : -1;
    if (pos > end) return buf;
    const pic = picPos < 0 ? -1 : wide ? ((buf[picPos] & 0x7f) << 8) | buf[picPos + 1] : buf[picPos] & 0x7f;
    const tl0 = tl0Pos < 0 ? -1 : buf[tl0Pos];
    if (this.#resyncVp8) {
      // The first packet from the new layer (its keyframe): continue right after the last ids sent.
      this.#resyncVp8 = false;
      if (pic >= 0 && this.#lastPic >= 0) this.#picOffset = (this.#lastPic + 1 - pic) & 0x7fff;
      if (tl0 >= 0 && this.#lastTl0 >= 0) this.#tl0Offset = (this.#lastTl0 + 1 - tl0) & 0xff;
    }
    const outPic = pic < 0 ? -1 : (pic + this.#picOffset) & (wide ? 0x7fff : 0x7f);
    const outTl0 = tl0 < 0 ? -1 : (tl0 + this.#tl0Offset) & 0xff;
    if (outPic >= 0 && (this.#lastPic < 0 || ((outPic - this.#lastPic) & 0x7fff) < 0x4000)) this.#lastPic = outPic;
    if (outTl0 >= 0 && (this.#lastTl0 < 0 || ((outTl0 - this.#lastTl0) & 0xff) < 0x80)) this.#lastTl0 = outTl0;
    if (outPic === pic && outTl0 === tl0) return buf;
    const out = Buffer.allocUnsafe(buf.length);
    buf.copy(out);
    if (picPos >= 0) {
      if (wide) out.writeUInt16BE(0x8000 | outPic, picPos);
      else out[picPos] = outPic;
    }
    if (tl0Pos >= 0) out[tl0Pos] = outTl0;
    return out;
  }

  /** Audio: any packet; video: the first packet of a keyframe (the decoder can start there). */
  #startsKeyframe(buf: Buffer): boolean {
    if (this.kind === "audio") return true;
    const detect = keyframeDetectorFor(this.producer.mimeType);
    if (!detect) return true;
    const payloadStart = 12 + (buf[0] & 0x0f) * 4;
    return payloadStart < buf.length && detect(buf.subarray(payloadStart));
  }

  /**
   * Pause or resume forwarding (the subscriber's low-bandwidth mode). A paused consumer costs the
   * subscriber nothing; on resume it restarts at a keyframe (asked of the publisher at once).
   */
  setPaused(paused: boolean): void {
    if (this.closed || paused === this.paused) return;
    this.paused = paused;
    this.#resuming = !paused && this.forwarded > 0;
    if (!paused) {
      this.#settleTicks = 3;
      this.requestKeyFrame();
    }
  }

  /** Called by the producer when this consumer moves to `index` at a keyframe. */
  onLayerSwitched(index: number, header: RtpHeader): void {
    const changed = this.currentLayerIndex !== -1 && this.currentLayerIndex !== index;
    if (this.currentLayerIndex !== -1) this.sink.rebase(header);
    if (changed) this.#resyncVp8 = true;
    this.#settleTicks = 2;
    this.currentLayerIndex = index;
    if (changed || this.producer.simulcast) this.emit("layerchange", this.producer.layerName(index));
  }

  /** Start forwarding (the subscriber's leg is ready): pick a layer and ask for a keyframe. */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    this.#retarget(this.producer.layerIndexFor(this.preferredLayer));
    this.producer.requestKeyFrame(this.targetLayerIndex >= 0 ? this.targetLayerIndex : -1, true);
  }

  setPreferredLayer(layer: SimulcastLayer): void {
    this.preferredLayer = layer;
    const index = this.producer.layerIndexFor(layer);
    // Asked for more: the subscriber's REMB lags the new layer's rate; only loss may undo it at first.
    if (index > this.targetLayerIndex) this.#probeTicks = PROBE_TICKS;
    if (this.started && index !== this.targetLayerIndex) this.#retarget(index);
  }

  requestKeyFrame(): void {
    const idx = this.currentLayerIndex >= 0 ? this.currentLayerIndex : this.targetLayerIndex;
    this.producer.requestKeyFrame(idx);
  }

  #retarget(index: number): void {
    this.targetLayerIndex = index;
    this.producer.setConsumerLayer(this, index);
  }

  /**
   * Called once a second by the router: adapt the layer of a simulcast consumer to what the
   * subscriber can take (its REMB estimate and the loss it reports), never above the preference.
   */
  adapt(): void {
    if (!this.started || this.closed || this.paused || this.producer.layers.length < 2) return;
    const preferred = this.producer.layerIndexFor(this.preferredLayer);
    const sender = this.transceiver.sender;
    const estimate = Number(sender.receiverEstimatedMaxBitrate ?? 0n);
    const loss = this.reportedLoss() ?? 0;
    const layers = this.producer.layers;
    let target = this.targetLayerIndex < 0 ? preferred : this.targetLayerIndex;
    if (target > preferred) target = preferred;
    const current = layers[target];
    // A subscriber's REMB lags a switch (its estimator has only seen the old layer's rate, and
    // starts low): act on "estimate below the layer's rate" only once it held for two ticks and
    // the new layer has flowed for two ticks. Otherwise a client's "h" was undone a second later.
    this.#ticks++;
    if (this.#settleTicks > 0) this.#settleTicks--;
    if (this.#probeTicks > 0) this.#probeTicks--;
    if (this.#upAt >= 0 && this.#ticks - this.#upAt >= PROBE_HELD) {
      this.#upAt = -1;
      this.#probeBackoff = PROBE_BACKOFF_MIN;
    }
    // An estimate below the layer's rate that still climbs is REMB catching up with a new layer
    // (Chrome raises it a few percent a second); one that fell or stalled for two ticks is congestion.
    const climbing = this.#estimates.length >= 2 && estimate > (this.#estimates[0] ?? 0) * 1.02;
    this.#estimates.push(estimate);
    if (this.#estimates.length > 2) this.#estimates.shift();
    const overEstimate = estimate > 0 && current !== undefined && current.bitrate > estimate * 1.05 && !climbing && this.#probeTicks === 0;
    this.#overTicks = overEstimate && this.#settleTicks === 0 ? this.#overTicks + 1 : 0;
    // A publisher stops sending its upper layers when its own bandwidth or CPU runs short (Chrome
    // does): a consumer whose forwarded layer went silent would freeze. Two silent ticks while
    // another layer carries media: move to the best live layer (it comes back up below once the
    // layer returns). A silent *target* alone is no freeze (the current layer keeps flowing until
    // the target's keyframe), e.g. a top layer Chrome has not started yet: keep waiting for it.
    const live = (layerIndex: number) => (layers[layerIndex]?.bitrate ?? 0) > 0;
    const forwarded = this.currentLayerIndex;
    this.#silentTicks = forwarded >= 0 && !live(forwarded) && layers.some((_, i) => live(i)) ? this.#silentTicks + 1 : 0;
    if (this.#silentTicks >= 2) {
      let best = -1;
      for (let i = 0; i <= preferred && i < layers.length; i++) if (live(i)) best = i;
      if (best < 0) for (let i = preferred + 1; i < layers.length && best < 0; i++) if (live(i)) best = i;
      if (best >= 0) target = best;
      this.#silentTicks = 0;
    } else if (loss > 0.1 || this.#overTicks >= 2) {
      // Down to the best layer the estimate carries (one step at least): a subscriber whose
      // bandwidth collapsed reaches the lowest layer in one switch, not one layer per tick pair.
      let fits = Math.max(0, target - 1);
      if (estimate > 0) while (fits > 0 && (layers[fits]?.bitrate ?? 0) > estimate * 0.9) fits--;
      target = fits;
      this.#overTicks = 0;
      this.#calmTicks = 0;
      this.#probeTicks = 0;
      // Down again soon after a step up: that probe failed, wait twice as long before the next.
      if (this.#upAt >= 0) this.#probeBackoff = Math.min(PROBE_BACKOFF_MAX, this.#probeBackoff * 2);
      this.#upAt = -1;
    } else if (target < preferred && loss < 0.02) {
      // Up when the estimate carries the next layer. Chrome's REMB never climbs far above what
      // flows (1.5× the incoming rate), so a subscriber moved down would stay down: after some
      // calm ticks, probe the next layer anyway, judged by loss (not REMB) for PROBE_TICKS.
      const next = layers[target + 1];
      const fits = estimate === 0 || (next !== undefined && next.bitrate * 1.2 < estimate);
      const probe = ++this.#calmTicks >= this.#probeBackoff;
      if (next && live(target + 1) && (fits || probe)) {
        target = target + 1;
        this.#calmTicks = 0;
        this.#upAt = this.#ticks;
        if (!fits) this.#probeTicks = PROBE_TICKS;
      }
    } else this.#calmTicks = 0;
    if (target !== this.targetLayerIndex) this.#retarget(target);
  }

  /** The fraction lost (0..1) in the subscriber's last receiver report; undefined before the first. */
  reportedLoss(): number | undefined {
    if (!this.started) return undefined;
    return (this.transceiver.sender as unknown as { remoteFractionLost?: number }).remoteFractionLost;
  }

  info(): ConsumerInfo {
    return {
      consumerId: this.id,
      producerId: this.producer.id,
      peerId: this.peerId,
      kind: this.kind,
      currentLayer: this.producer.simulcast && this.currentLayerIndex >= 0 ? this.producer.layerName(this.currentLayerIndex) : undefined,
      preferredLayer: this.producer.simulcast ? this.preferredLayer : undefined,
    };
  }

  close(reason: ConsumerCloseReason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.producer.removeConsumer(this);
    this.sink.close();
    this.emit("close", reason);
    this.removeAllListeners();
  }
}
