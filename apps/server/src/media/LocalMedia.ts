import { WorkerSlot } from "./WorkerSlot.js";
import { ShardedMediaService } from "./ShardedMediaService.js";
import { workerPortRange, type MediaConfig } from "./config.js";
import { leastLoaded, spreadAfter } from "./Placement.js";
import { defaultMediaLogger, type MediaLogger } from "./log.js";

/**
 * Start `config.workers` media workers and return the in-process MediaService over them; a new
 * room goes to the least-loaded worker, and its peers after the first `config.spreadThreshold`
 * on that worker to the least-loaded one (pipes carry its producers there). `fastPath` false selects werift's own RTCRtpSender path
 * (benchmark reference).
 */
export async function startLocalMedia(
  config: MediaConfig,
  fastPath = process.env.MEDIA_FAST_PATH !== "0",
  log: MediaLogger = defaultMediaLogger(),
): Promise<ShardedMediaService> {
  const workers: WorkerSlot[] = [];
  try {
    for (let i = 0; i < config.workers; i++) {
      workers.push(
        await WorkerSlot.start({ workerId: `w${i}`, config, portRange: workerPortRange(config, i, config.workers), fastPath }, config.workerMode, log),
      );
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    throw err;
  }
  return new ShardedMediaService(workers, { placement: leastLoaded, spread: spreadAfter(config.spreadThreshold), discover: false, log });
}
