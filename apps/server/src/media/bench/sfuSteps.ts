/**
 * The measuring loop of the SFU bench, shared by both SFUs under test (VTP's media node in
 * sfuBench.ts, Janus in janusBench.ts): a publisher-only window, then N steps up; per window the
 * SFU processes' CPU (/proc, user + sys), RSS, the packets forwarded and the packets counted at
 * the subscribers' sockets.
 */
import { procCpuMicros, procRssBytes, procsCpu } from "./measure.js";
import type { Publisher, Subscriber } from "./benchPeers.js";
import { snapshotSfus } from "./heapSnap.js";

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 8000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StepResult {
  path: string;
  subscribers: number;
  publishedPps: number;
  forwardedPps: number;
  receivedPps: number;
  sfuCpuPct: number;
  usPerForwarded: number | null;
  /** SFU CPU per packet received from the publisher (the publisher-only row). */
  usPerPublished: number | null;
  usUserPerForwarded: number | null;
  usSysPerForwarded: number | null;
  marginalUsPerForwarded: number | null;
  ratioToFloor: number | null;
  lossPct: number;
  /** null when the SFU rewrites sequence numbers (Janus), so sends cannot be matched to arrivals. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  sfuRssMB: number;
  /** Marginal: (RSS at N − RSS with the publisher only) / N. */
  rssPerSubscriberKB: number;
  benchClientCpuPct: number;
  failed?: string;
}

/** Forwarding latency: publisher's send time of (kind, seq) to arrival at a subscriber socket. */
export class LatencyProbe {
  #lat = new Float64Array(4_000_000);
  #n = 0;
  videoPt = -1;
  constructor(private readonly pub: Publisher) {}
  readonly onRtp = (pt: number, seq: number, now: number): void => {
    const sentAt = pt === this.videoPt ? this.pub.sentAt.video[seq] : this.pub.sentAt.audio[seq];
    if (sentAt && this.#n < this.#lat.length) this.#lat[this.#n++] = now - sentAt;
  };
  reset(): void {
    this.#n = 0;
  }
  percentiles(): { p50: number; p99: number } {
    const lat = this.#lat.subarray(0, this.#n).sort();
    return { p50: this.#n ? +lat[Math.floor(this.#n * 0.5)].toFixed(2) : 0, p99: this.#n ? +lat[Math.floor(this.#n * 0.99)].toFixed(2) : 0 };
  }
  free(): void {
    this.#lat = new Float64Array(0);
  }
}

export interface SfuUnderTest {
  label: string;
  pids: number[];
  pub: Publisher;
  subs: Subscriber[];
  addSubscriber(): Promise<void>;
  /** Packets the SFU forwarded so far (its own counter), or null: count the subscribers' sockets. */
  forwarded(): Promise<number | null>;
  /** null: no latency figure (see StepResult.latencyP50Ms). */
  latency: LatencyProbe | null;
  /** µs of the SRTP encrypt floor, for the "× floor" column. */
  floorUs: number;
}

/** The publisher-only row (N = 0, "idle" cost) first, then one row per step. */
export async function runSteps(sfu: SfuUnderTest, steps: number[], opts: { stopAtLossPct?: number } = {}): Promise<StepResult[]> {
  const { label, pids, pub, subs } = sfu;
  const window = async (subscribers: number): Promise<Omit<StepResult, "marginalUsPerForwarded"> & { cpuPerSec: number; rssBytes: number }> => {
    await sleep(SETTLE_MS);
    sfu.latency?.reset();
    const f0 = await sfu.forwarded();
    const cpu0 = pids.map(procCpuMicros).reduce((a, b) => a + b, 0);
    const split0 = procsCpu(pids);
    const me0 = process.cpuUsage();
    const sent0 = pub.sent.video + pub.sent.audio;
    const rx0 = subs.reduce((a, s) => a + s.received, 0);
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const dt = (performance.now() - t0) / 1000;
    const f1 = await sfu.forwarded();
    const cpu = pids.map(procCpuMicros).reduce((a, b) => a + b, 0) - cpu0;
    const split1 = procsCpu(pids);
    const me = process.cpuUsage(me0);
    const sent = pub.sent.video + pub.sent.audio - sent0;
    const rx = subs.reduce((a, s) => a + s.received, 0) - rx0;
    const fwd = f0 === null || f1 === null ? rx : f1 - f0;
    const lat = sfu.latency?.percentiles();
    const rss = pids.map(procRssBytes).reduce((a, b) => a + b, 0);
    const us = fwd ? cpu / fwd : null;
    return {
      path: label,
      subscribers,
      publishedPps: Math.round(sent / dt),
      forwardedPps: Math.round(fwd / dt),
      receivedPps: Math.round(rx / dt),
      sfuCpuPct: +(cpu / 1e4 / dt).toFixed(1),
      usPerForwarded: us === null ? null : +us.toFixed(1),
      usPerPublished: sent ? +(cpu / sent).toFixed(1) : null,
      usUserPerForwarded: fwd ? +((split1.user - split0.user) / fwd).toFixed(1) : null,
      usSysPerForwarded: fwd ? +((split1.sys - split0.sys) / fwd).toFixed(1) : null,
      ratioToFloor: us === null ? null : +(us / sfu.floorUs).toFixed(1),
      lossPct: subscribers ? +Math.max(0, (1 - rx / (sent * subscribers)) * 100).toFixed(2) : 0,
      latencyP50Ms: lat ? lat.p50 : null,
      latencyP99Ms: lat ? lat.p99 : null,
      sfuRssMB: +(rss / 1e6).toFixed(0),
      rssPerSubscriberKB: 0,
      benchClientCpuPct: +((me.user + me.system) / 1e4 / dt).toFixed(1),
      cpuPerSec: cpu / dt,
      rssBytes: rss,
    };
  };

  const results: StepResult[] = [];
  const base = await window(0);
  await snapshotSfus(pids, `${label}-n0`);
  console.error(`[${label}] publisher only: SFU CPU ${base.sfuCpuPct}%, RSS ${base.sfuRssMB} MB`);
  const { cpuPerSec: _base, rssBytes: _rss, ...baseRow } = base;
  results.push({ ...baseRow, marginalUsPerForwarded: null });
  for (const subscribers of steps) {
    const started = performance.now();
    try {
      while (subs.length < subscribers) await sfu.addSubscriber();
    } catch (err) {
      // An overloaded SFU misses ICE consent checks and drops the publisher: report and stop.
      console.error(`[${label}] could not add subscriber ${subs.length + 1}: ${(err as Error).message}`);
      results.push({
        ...results[results.length - 1],
        subscribers,
        failed: `SFU overloaded: could not add subscriber ${subs.length + 1} (${(err as { code?: string }).code ?? (err as Error).message})`,
      } as StepResult);
      break;
    }
    console.error(`[${label}] ${subscribers} subscribers connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const result = await window(subscribers);
    await snapshotSfus(pids, `${label}-n${subscribers}`);
    const marginal = result.forwardedPps ? (result.cpuPerSec - base.cpuPerSec) / result.forwardedPps : null;
    const { cpuPerSec: _c, rssBytes: _r, ...rest } = result;
    const step: StepResult = {
      ...rest,
      marginalUsPerForwarded: marginal === null ? null : +marginal.toFixed(1),
      rssPerSubscriberKB: Math.round((result.rssBytes - base.rssBytes) / 1000 / subscribers),
    };
    results.push(step);
    console.error(JSON.stringify(step));
    if (opts.stopAtLossPct !== undefined && step.lossPct >= opts.stopAtLossPct) break;
  }
  sfu.latency?.free();
  return results;
}
