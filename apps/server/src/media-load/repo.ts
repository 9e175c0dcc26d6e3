import { sql } from "kysely";
import type { DB } from "../db/index.js";

/** One node's reading in one minute. */
export interface MediaLoadSample {
  nodeId: string;
  at: Date;
  spanSeconds: number;
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
  /** null on a node's first reading (no earlier one to measure from). */
  bitsPerSecond: number | null;
  packetsPerSecond: number | null;
  cpuCores: number | null;
}

/**
 * The media_load table's writes. A row is one node's minute: a second reading of the same
 * node in the same minute (from this app server or another one sampling the same remote node)
 * keeps the highest of each number, so the node counts once.
 */
export class MediaLoadRepo {
  constructor(private readonly db: DB) {}

  async write(samples: MediaLoadSample[]): Promise<void> {
    for (const sample of samples) {
      await sql`
        insert into media_load (node_id, minute, at, span_seconds, peers, transports, producers, consumers, bits_per_second, packets_per_second, cpu_cores)
        values (${sample.nodeId}, date_trunc('minute', ${sample.at}::timestamptz), ${sample.at}, ${sample.spanSeconds}, ${sample.peers}, ${sample.transports},
          ${sample.producers}, ${sample.consumers}, ${sample.bitsPerSecond}, ${sample.packetsPerSecond}, ${sample.cpuCores})
        on conflict (node_id, minute) do update set
          at = greatest(media_load.at, excluded.at),
          span_seconds = greatest(media_load.span_seconds, excluded.span_seconds),
          peers = greatest(media_load.peers, excluded.peers),
          transports = greatest(media_load.transports, excluded.transports),
          producers = greatest(media_load.producers, excluded.producers),
          consumers = greatest(media_load.consumers, excluded.consumers),
          bits_per_second = greatest(media_load.bits_per_second, excluded.bits_per_second),
          packets_per_second = greatest(media_load.packets_per_second, excluded.packets_per_second),
          cpu_cores = greatest(media_load.cpu_cores, excluded.cpu_cores)`.execute(this.db);
    }
  }

  /** Deletes the rows older than `days` days; returns how many. */
  async prune(days: number, now = new Date()): Promise<number> {
    const result = await sql`delete from media_load where minute < ${now}::timestamptz - make_interval(days => ${days})`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
