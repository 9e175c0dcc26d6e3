import type { AppContext } from "../context.js";
import type { MediaBridge } from "../signalling/index.js";
import type { RecordingModule } from "../recording/index.js";
import type { MediaService } from "../media/index.js";

/** One queue's jobs in one status, and how long the oldest of them has been there. */
export interface JobDepth {
  queue: string;
  status: string;
  count: number;
  oldestAgeSeconds: number;
}

/** What the app server's /metrics reads at each scrape; each part may fail on its own. */
export interface AppMetricSources {
  version: string;
  /** Socket.IO sockets connected to this process. */
  socketsConnected(): number;
  /** Live rooms of the cluster, with their participants (from the shared live state). */
  liveRooms(): Promise<{ participantsOnline: number; participantsReconnecting: number }[]>;
  /** The media service when this process has started it (never starts it); undefined otherwise. */
  media(): Promise<MediaService | undefined>;
  recordingsByStatus(): Promise<Record<string, number>>;
  jobs(): Promise<JobDepth[]>;
  /** `select 1` through the database handle. */
  databasePing(): Promise<boolean>;
  /** The database's connections: "postgres" (the pool's total, idle, waiting) or the embedded "pglite" (total 1 while open). */
  databasePool(): { kind: "pglite" | "postgres"; open: boolean; total: number; idle: number; waiting: number };
  redisUrl?: string;
}

/** The sources from the app's services, through their public methods. */
export function appMetricSources(opts: { ctx: AppContext; media: MediaBridge | undefined; recording: () => RecordingModule | undefined }): AppMetricSources {
  const { ctx, media } = opts;
  return {
    version: ctx.version,
    socketsConnected: () => ctx.signalling.localSocketCount,
    liveRooms: () => ctx.roomStats.live(),
    media: async () => (media && (await media.status()).started ? media.service() : undefined),
    recordingsByStatus: async () => opts.recording()?.service.countByStatus() ?? {},
    jobs: async () => opts.recording()?.jobs.depth() ?? [],
    databasePing: () => ctx.database.ping(),
    databasePool: () => ({ kind: ctx.database.kind, ...ctx.database.poolStats() }),
    redisUrl: ctx.config.redisUrl,
  };
}
