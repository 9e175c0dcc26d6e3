import { WorkerSlot } from "./WorkerSlot.js";
import { ShardedMediaService } from "./ShardedMediaService.js";
import { workerPortRange, type MediaConfig } from "./config.js";

/**
 * Start `config.workers` media workers and return the in-process MediaService over them.
 * `fastPath` false selects werift's own RTCRtpSender path (benchmark reference).
 */
export async function startLocalMedia(config: MediaConfig, fastPath = process.env.MEDIA_FAST_PATH !== "0"): Promise<ShardedMediaService> {
  const workers: WorkerSlot[] = [];
  try {
    for (let i = 0; i < config.workers; i++) {
      workers.push(
        await WorkerSlot.start(
          { workerId: `w${i}`, config, portRange: workerPortRange(config, i, config.workers), fastPath },
          config.workerMode,
        ),
      );
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    throw err;
  }
  return new ShardedMediaService(workers, false);
}
