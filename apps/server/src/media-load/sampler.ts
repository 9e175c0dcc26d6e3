import { hostname } from "node:os";
import type { Logger } from "pino";
import type { ShardStats } from "../metrics/media.js";
import type { MediaLoadRepo, MediaLoadSample } from "./repo.js";
import type { MediaLoadSettings } from "./settings.js";

/** The media this app server uses, per shard; undefined while it has not started media (the sampler never starts it). */
export type MediaLoadSource = () => Promise<ShardStats[] | undefined>;

/** A node's cumulative counters at one reading (to turn the next one into rates). */
interface Reading {
  atMs: number;
  packets: number;
  bytes: number;
  busyMs: number;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The node id a shard's sample is stored under. A remote media node (its id is its URL, the
 * same on every app server that lists it in MEDIA_NODES) is one node whoever samples it; an
 * in-process worker (`w0`, `w1`…) belongs to this app server alone, so its id carries this
 * host and process.
 */
export function mediaNodeId(shardId: string, serverId: string, host = hostname()): string {
  return /^https?:\/\//.test(shardId) ? shardId : `${host}/${serverId.slice(0, 8)}/${shardId}`;
}

/** Rate of a cumulative counter; null when there is no earlier reading or the counter restarted (a replaced worker). */
function rate(now: number, before: number | undefined, seconds: number): number | null {
  if (before === undefined || seconds <= 0 || now < before) return null;
  return (now - before) / seconds;
}

/**
 * Reads the media load this app server sees every `intervalSeconds` (its in-process workers, or
 * the remote media nodes it uses) and writes one row per node and minute (MediaLoadRepo);
 * deletes the rows older than the retention once an hour. Idle nodes (no one joined to media)
 * write nothing. A timer with a shutdown step (compose).
 */
export class MediaLoadSampler {
  readonly #previous = new Map<string, Reading>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastPrune = 0;
  #stopped = false;

  constructor(
    private readonly repo: MediaLoadRepo,
    private readonly source: MediaLoadSource,
    private readonly settings: MediaLoadSettings,
    /** This app server among the others (compose's node id): names its in-process workers. */
    private readonly serverId: string,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = this.sample()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, "media load not sampled"))
        .finally(() => {
          this.#running = undefined;
          if (!this.#stopped) this.#schedule();
        });
    }, this.settings.intervalSeconds * 1000);
    this.#timer.unref();
  }

  /** One reading of every node, written; returns what was written (also for tests). */
  async sample(now = new Date()): Promise<MediaLoadSample[]> {
    const shards = await this.source();
    const samples: MediaLoadSample[] = [];
    for (const { shardId, stats } of shards ?? []) {
      if (!stats) continue;
      const nodeId = mediaNodeId(shardId, this.serverId);
      const reading: Reading = { atMs: now.getTime(), packets: stats.packetsForwarded, bytes: stats.bytesForwarded, busyMs: stats.eventLoopActiveMs };
      const before = this.#previous.get(nodeId);
      this.#previous.set(nodeId, reading);
      if (stats.peers === 0 && stats.transports === 0) continue;
      const seconds = before ? (reading.atMs - before.atMs) / 1000 : 0;
      const bytesPerSecond = rate(reading.bytes, before?.bytes, seconds);
      const cpuMsPerSecond = rate(reading.busyMs, before?.busyMs, seconds);
      samples.push({
        nodeId,
        at: now,
        spanSeconds: Math.max(60, this.settings.intervalSeconds),
        peers: stats.peers,
        transports: stats.transports,
        producers: stats.producers,
        consumers: stats.consumers,
        bitsPerSecond: bytesPerSecond === null ? null : bytesPerSecond * 8,
        packetsPerSecond: rate(reading.packets, before?.packets, seconds),
        cpuCores: cpuMsPerSecond === null ? null : cpuMsPerSecond / 1000,
      });
    }
    if (samples.length) await this.repo.write(samples);
    if (now.getTime() - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now.getTime();
      const pruned = await this.repo.prune(this.settings.retentionDays, now);
      if (pruned) this.log.info({ pruned, retentionDays: this.settings.retentionDays }, "old media load samples deleted");
    }
    return samples;
  }

  /** Stops the timer and waits for a reading under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
