import { ShardedMediaService } from "../ShardedMediaService.js";
import { rendezvousHashing, spreadAfter } from "../Placement.js";
import { defaultMediaLogger, type MediaLogger } from "../log.js";
import { MediaNodeClient } from "./MediaNodeClient.js";

/**
 * The MediaService over one or more `vtp media` nodes (MEDIA_NODES). A room lives on one node:
 * the node that already has it (asked with GET /rooms/:roomId, so several app servers agree),
 * else the node rendezvous hashing of the room id picks among the healthy ones.
 */
export class RemoteMediaService extends ShardedMediaService {
  private constructor(
    readonly clients: MediaNodeClient[],
    log: MediaLogger,
    spreadThreshold: number,
  ) {
    super(clients, { placement: rendezvousHashing, spread: spreadAfter(spreadThreshold), discover: true, log });
  }

  /** Connect to the nodes; waits up to `waitMs` for every event stream to open. */
  static async connect(
    urls: string[],
    secret: string,
    waitMs = 5000,
    log: MediaLogger = defaultMediaLogger(),
    spreadThreshold = Number.POSITIVE_INFINITY,
  ): Promise<RemoteMediaService> {
    const clients = urls.map((u) => new MediaNodeClient(u, secret, log));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(clients.map((c) => c.eventsReady)), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return new RemoteMediaService(clients, log, spreadThreshold);
  }
}
