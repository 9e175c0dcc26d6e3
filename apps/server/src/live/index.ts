import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import type { AppContext } from "../context.js";
import type { DB } from "../db/index.js";
import { findFfmpeg } from "../recording/ffmpeg.js";
import type { RecorderSourceFactory } from "../recording/source.js";
import type { SignallingServer } from "../signalling/index.js";
import { liveRoutes } from "./routes.js";
import { LiveService } from "./service.js";
import { S3Storage } from "../storage/index.js";

export { LiveStream, RENDITIONS } from "./LiveStream.js";
export { LiveService } from "./service.js";
export { validRtmpUrl, liveComposeArgs } from "./args.js";

/**
 * Builds live streaming: the service over the recorder's media source (the stream joins the
 * room as the recorder does), stopped with the class. Wired by the composition root.
 */
export function createLive(opts: { config: Config; db: DB; log: Logger; sourceFactory?: RecorderSourceFactory; signalling: SignallingServer }): LiveService {
  const { config } = opts;
  const ffmpeg = findFfmpeg(config.recording)?.ffmpeg;
  const live = new LiveService({
    db: opts.db,
    log: opts.log.child({ module: "live" }),
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    secret: createHash("sha256").update(`live-playback:${config.jwtSecret}`).digest("hex"),
    ffmpeg,
    sourceFactory: opts.sourceFactory,
    // The bucket behind LIVE_CDN_URL (the config requires S3_BUCKET with it).
    cdn: config.live.cdnUrl && config.storage.s3 ? { storage: new S3Storage(config.storage.s3), url: config.live.cdnUrl } : undefined,
  });
  opts.signalling.hooks.on("room-ended", ({ roomId }) => live.stopRoom(roomId));
  return live;
}

/** The REST routes under /api/v1. */
export async function livePlugin(app: FastifyInstance, opts: { ctx: AppContext; live: LiveService }) {
  await app.register(liveRoutes, { prefix: "/api/v1", ctx: opts.ctx, live: opts.live });
}
