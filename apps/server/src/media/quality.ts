import type { Consumer } from "./Consumer.js";
import type { PeerQuality } from "./types.js";

/**
 * Each subscriber's download quality, measured on the SFU from what its browser reports about
 * the streams we send it: the fraction lost and the round-trip time of its RTCP receiver reports,
 * and its bandwidth estimate (REMB, the same figure Consumer.adapt picks simulcast layers with).
 *
 * Levels (docs/MEDIA.md, "Poor networks"):
 * - poor: ≥ 10 % loss, or ≥ 600 ms round trip, or video held below the layer asked for with
 *   less than 350 kbit/s available (only the lowest layer, or not even that, fits);
 * - fair: ≥ 3 % loss, or ≥ 300 ms round trip, or video held below the layer asked for;
 * - good: otherwise.
 * A level is reported once it held for a few seconds (worse: 2 ticks, better: 3 ticks), so a
 * single bad report does not make the indicator flicker.
 */

export const POOR_LOSS = 0.1;
export const FAIR_LOSS = 0.03;
export const POOR_RTT_MS = 600;
export const FAIR_RTT_MS = 300;
export const POOR_AVAILABLE_KBPS = 350;
/** Ticks (seconds) a new level must hold before it is reported: getting worse, getting better. */
const WORSE_AFTER = 2;
const BETTER_AFTER = 3;
/** A report is repeated this often (ticks) with fresh figures even when the level holds. */
const REPEAT_EVERY = 5;

const RANK = { good: 0, fair: 1, poor: 2 } as const;

/** What one tick measured for one subscriber. */
export interface QualitySample {
  /** Fraction lost (0..1), smoothed. */
  loss: number;
  rttMs: number | null;
  availableKbps: number | null;
  receivingKbps: number;
  /** Some video it receives is held below the layer it asked for (bandwidth or loss). */
  constrained: boolean;
  /** It receives some video now (not paused). */
  receivesVideo: boolean;
}

type SenderStats = { rtt?: number; receiverEstimatedMaxBitrate?: bigint };

/** The level and advice for one sample (no hysteresis). */
export function judge(sample: QualitySample): PeerQuality {
  const lossPercent = Math.round(sample.loss * 1000) / 10;
  const rtt = sample.rttMs ?? 0;
  const starved = sample.constrained && sample.availableKbps !== null && sample.availableKbps < POOR_AVAILABLE_KBPS;
  const level =
    sample.loss >= POOR_LOSS || rtt >= POOR_RTT_MS || starved ? "poor" : sample.loss >= FAIR_LOSS || rtt >= FAIR_RTT_MS || sample.constrained ? "fair" : "good";
  return {
    level,
    lossPercent,
    rttMs: sample.rttMs,
    availableKbps: sample.availableKbps,
    receivingKbps: sample.receivingKbps,
    advice: adviceFor(level, sample.receivesVideo),
  };
}

/** Video costs the most: pause it first; without video, only the connection itself can improve. */
export function adviceFor(level: PeerQuality["level"], receivesVideo: boolean): PeerQuality["advice"] {
  if (level === "good") return "none";
  if (receivesVideo) return "turn-off-video";
  return level === "poor" ? "check-connection" : "none";
}

/** The layer index a video consumer could have: the best layer that flows, up to its preference. */
function ceilingOf(consumer: Consumer): number {
  const layers = consumer.producer.layers;
  const preferred = consumer.producer.layerIndexFor(consumer.preferredLayer);
  let best = -1;
  for (let i = 0; i <= preferred && i < layers.length; i++) if ((layers[i]?.bitrate ?? 0) > 0) best = i;
  return best;
}

/** One subscriber's meter: fed its consumers once a tick, says when to report. */
export class PeerQualityMeter {
  #loss = 0;
  #lastBytes = -1;
  #reported: PeerQuality["level"] | undefined;
  #candidate: PeerQuality["level"] | undefined;
  #candidateTicks = 0;
  #sinceReport = 0;

  /** Measure; returns the quality to report now, or undefined (nothing to report this tick). */
  tick(consumers: Consumer[], seconds: number): PeerQuality | undefined {
    const sample = this.measure(consumers, seconds);
    if (!sample) return undefined;
    const now = judge(sample);
    if (now.level !== this.#candidate) {
      this.#candidate = now.level;
      this.#candidateTicks = 0;
    }
    this.#candidateTicks++;
    this.#sinceReport++;
    const reported = this.#reported;
    const needed = reported === undefined ? 1 : RANK[now.level] > RANK[reported] ? WORSE_AFTER : BETTER_AFTER;
    if (now.level !== reported && this.#candidateTicks >= needed) {
      this.#reported = now.level;
      this.#sinceReport = 0;
      return now;
    }
    if (reported !== undefined && this.#sinceReport >= REPEAT_EVERY) {
      this.#sinceReport = 0;
      return { ...now, level: reported, advice: adviceFor(reported, sample.receivesVideo) };
    }
    return undefined;
  }

  /** The raw figures of this tick (undefined: nothing is being received yet). */
  measure(consumers: Consumer[], seconds: number): QualitySample | undefined {
    const live = consumers.filter((c) => c.started && !c.closed);
    if (live.length === 0) return undefined;
    let bytes = 0;
    let lossMax = -1;
    let rttSum = 0;
    let rttCount = 0;
    let available = 0;
    let constrained = false;
    let receivesVideo = false;
    for (const consumer of live) {
      bytes += consumer.bytesForwarded;
      const stats = consumer.transceiver.sender as unknown as SenderStats;
      const estimate = Number(stats.receiverEstimatedMaxBitrate ?? 0n);
      if (estimate > available) available = estimate;
      if (consumer.paused || consumer.forwarded === 0) continue;
      const loss = consumer.reportedLoss();
      if (loss !== undefined && loss > lossMax) lossMax = loss;
      if (stats.rtt !== undefined) {
        rttSum += stats.rtt * 1000;
        rttCount++;
      }
      if (consumer.kind === "video") {
        receivesVideo = true;
        if (consumer.producer.layers.length > 1 && consumer.targetLayerIndex >= 0 && consumer.targetLayerIndex < ceilingOf(consumer)) constrained = true;
      }
    }
    const receivingKbps = this.#lastBytes < 0 ? 0 : Math.max(0, ((bytes - this.#lastBytes) * 8) / 1000 / Math.max(seconds, 0.001));
    this.#lastBytes = bytes;
    if (lossMax >= 0) this.#loss = this.#loss * 0.5 + lossMax * 0.5;
    return {
      loss: this.#loss,
      rttMs: rttCount > 0 ? Math.round(rttSum / rttCount) : null,
      availableKbps: available > 0 ? Math.round(available / 1000) : null,
      receivingKbps: Math.round(receivingKbps),
      constrained,
      receivesVideo,
    };
  }
}

/** The meters of one router's subscribers, by peer id. */
export class QualityMeters {
  readonly #meters = new Map<string, PeerQualityMeter>();

  /** One tick over every consumer of the room: the peers whose quality is to be reported now. */
  tick(consumers: Iterable<Consumer>, seconds: number): { peerId: string; quality: PeerQuality }[] {
    const byPeer = new Map<string, Consumer[]>();
    for (const consumer of consumers) {
      const list = byPeer.get(consumer.peerId);
      if (list) list.push(consumer);
      else byPeer.set(consumer.peerId, [consumer]);
    }
    for (const peerId of this.#meters.keys()) if (!byPeer.has(peerId)) this.#meters.delete(peerId);
    const out: { peerId: string; quality: PeerQuality }[] = [];
    for (const [peerId, list] of byPeer) {
      let meter = this.#meters.get(peerId);
      if (!meter) {
        meter = new PeerQualityMeter();
        this.#meters.set(peerId, meter);
      }
      const quality = meter.tick(list, seconds);
      if (quality) out.push({ peerId, quality });
    }
    return out;
  }
}
