/**
 * The public door of the media layer (the SFU). The rest of the server uses only what is
 * exported here: the MediaService interface, createMediaService(), and runMediaNode() for
 * `vtp media`. See docs/MEDIA.md.
 */
import { mediaConfigFromEnv, type MediaConfig, type MediaSettings } from "./config.js";
import { startLocalMedia } from "./LocalMedia.js";
import { RemoteMediaService } from "./node/RemoteMediaService.js";
import type { MediaService } from "./MediaService.js";
import { defaultMediaLogger, type MediaLogger } from "./log.js";
import { logListenerErrors, setListenerErrorHandler } from "./TypedEmitter.js";

export type {
  MediaService,
  MediaOperations,
  MediaEventListener,
  JoinPeerResult,
  CloseProducersFilter,
  PipeStatus,
} from "./MediaService.js";
export type { MediaConfig, MediaSettings } from "./config.js";
export { mediaConfigFromEnv, readMediaSettings } from "./config.js";
export { runMediaNode, type MediaNodeOptions, type MediaNodeHandle } from "./node/MediaNode.js";
export { MediaNodeClient } from "./node/MediaNodeClient.js";
export type { MediaLogger } from "./log.js";
export type { PlacementPolicy, PlacementCandidate } from "./Placement.js";
export { MEDIA_RPC, MEDIA_METHODS } from "./rpc/table.js";
export * from "./types.js";

export interface CreateMediaServiceOptions {
  /** Settings checked at start (Config.media); when given, `env` is not read. */
  settings?: MediaSettings;
  /** Environment to read (default process.env): MEDIA_NODES, MEDIA_SECRET, MEDIA_WORKERS, RTC_*. */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the settings read from the environment. */
  config?: Partial<MediaConfig>;
  /** Remote media node base URLs; when non-empty, media runs there (default: MEDIA_NODES). */
  nodes?: string[];
  /** Shared secret for remote nodes (default: MEDIA_SECRET). */
  secret?: string;
  /** Where the media layer logs (a pino logger; default: pino on stdout at LOG_LEVEL). */
  log?: MediaLogger;
}

/**
 * In-process media (worker threads, the default) or, when MEDIA_NODES lists node URLs, a client
 * of those standalone media nodes. Both implement the same MediaService.
 */
export async function createMediaService(options: CreateMediaServiceOptions = {}): Promise<MediaService> {
  const log = options.log ?? defaultMediaLogger();
  // Listener errors of this thread's media objects (node clients, workers' proxies) go there too.
  if (options.log) setListenerErrorHandler(logListenerErrors(options.log));
  if (options.settings) {
    const settings = options.settings;
    const nodes = options.nodes ?? settings.nodes;
    if (nodes.length > 0) return RemoteMediaService.connect(nodes, options.secret ?? settings.secret ?? "", undefined, log, settings.local.spreadThreshold);
    return startLocalMedia({ ...settings.local, ...options.config }, settings.fastPath, log);
  }
  const env = options.env ?? process.env;
  const nodes =
    options.nodes ??
    (env.MEDIA_NODES ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (nodes.length > 0) {
    const secret = options.secret ?? env.MEDIA_SECRET;
    if (!secret) throw new Error("MEDIA_SECRET is required when MEDIA_NODES is set");
    return RemoteMediaService.connect(nodes, secret, undefined, log, mediaConfigFromEnv(env, options.config).spreadThreshold);
  }
  return startLocalMedia(mediaConfigFromEnv(env, options.config), env.MEDIA_FAST_PATH !== "0", log);
}
