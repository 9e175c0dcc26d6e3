import { Counter, Gauge, type Registry } from "prom-client";
import type { MediaService, MediaStats } from "../media/index.js";

/** The stats of one shard of a media service: a worker thread, or a remote media node. */
export interface ShardStats {
  shardId: string;
  /** null: the shard did not answer (a dead worker being replaced, an unreachable node). */
  stats: MediaStats | null;
}

interface ShardedStats {
  statsByShard(): Promise<ShardStats[]>;
}

/** Per shard when the service is sharded (in-process workers, remote nodes), else one "all" row. */
export async function mediaStatsByShard(media: MediaService): Promise<ShardStats[]> {
  const sharded = media as Partial<ShardedStats>;
  if (typeof sharded.statsByShard === "function") return sharded.statsByShard();
  return [{ shardId: "all", stats: await media.stats().catch((): null => null) }];
}

/**
 * The media metrics, labelled by shard (`w0`, `w1`… for worker threads, the node URL for remote
 * nodes). Counters are read from the workers' own totals at each scrape (they restart from zero
 * when a worker is replaced; Prometheus' rate() handles that reset).
 */
export class MediaMetrics {
  readonly #up: Gauge<"shard">;
  readonly #gauges: { key: keyof MediaStats; gauge: Gauge<"shard"> }[];
  readonly #packets: Counter<"shard">;
  readonly #bytes: Counter<"shard">;
  readonly #busy: Counter<"shard">;
  readonly #loss: Gauge<"shard">;
  readonly #started: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#started = new Gauge({ name: "vtp_media_started", help: "1 when this process runs (or reaches) the media service", registers });
    this.#up = new Gauge({ name: "vtp_media_shard_up", help: "1 when the media worker or node answered its stats", labelNames: ["shard"], registers });
    const gauge = (key: keyof MediaStats, name: string, help: string) => ({ key, gauge: new Gauge({ name, help, labelNames: ["shard"] as const, registers }) });
    this.#gauges = [
      gauge("rooms", "vtp_media_rooms", "Rooms (routers) on the media worker or node"),
      gauge("peers", "vtp_media_peers", "Peers joined to media"),
      gauge("transports", "vtp_media_transports", "WebRTC transports (peer connections) open"),
      gauge("producers", "vtp_media_producers", "Producers (incoming tracks)"),
      gauge("consumers", "vtp_media_consumers", "Consumers (outgoing tracks)"),
      gauge("udpSockets", "vtp_media_udp_sockets", "UDP sockets open in the media worker threads or node"),
    ];
    this.#packets = new Counter({ name: "vtp_media_packets_forwarded_total", help: "RTP packets forwarded to consumers", labelNames: ["shard"], registers });
    this.#bytes = new Counter({ name: "vtp_media_bytes_forwarded_total", help: "Bytes of RTP forwarded to consumers", labelNames: ["shard"], registers });
    this.#busy = new Counter({
      name: "vtp_media_worker_event_loop_busy_seconds_total",
      help: "Seconds the media worker's event loop was busy (rate() = worker thread utilization, 0..1 per worker)",
      labelNames: ["shard"],
      registers,
    });
    this.#loss = new Gauge({
      name: "vtp_media_receiver_loss_ratio",
      help: "Mean fraction of packets lost (0..1) in the subscribers' last RTCP receiver reports",
      labelNames: ["shard"],
      registers,
    });
  }

  /** Sets every media metric from one reading; `shards` undefined = media not started here. */
  update(shards: ShardStats[] | undefined): void {
    for (const m of [this.#up, this.#packets, this.#bytes, this.#busy, this.#loss, ...this.#gauges.map((g) => g.gauge)]) m.reset();
    this.#started.set(shards ? 1 : 0);
    for (const { shardId, stats } of shards ?? []) {
      const shard = { shard: shardId };
      this.#up.set(shard, stats ? 1 : 0);
      if (!stats) continue;
      for (const { key, gauge } of this.#gauges) gauge.set(shard, Number(stats[key] ?? 0));
      this.#packets.inc(shard, stats.packetsForwarded ?? 0);
      this.#bytes.inc(shard, stats.bytesForwarded ?? 0);
      this.#busy.inc(shard, (stats.eventLoopActiveMs ?? 0) / 1000);
      if (stats.receiverLossReports > 0) this.#loss.set(shard, stats.receiverLossSum / stats.receiverLossReports);
    }
  }
}
