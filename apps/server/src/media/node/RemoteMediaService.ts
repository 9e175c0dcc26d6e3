import { ShardedMediaService } from "../ShardedMediaService.js";
import { MediaNodeClient } from "./MediaNodeClient.js";

/**
 * The MediaService over one or more `vtp media` nodes (MEDIA_NODES). A room lives on one node:
 * the node that already has it (asked with GET /rooms/:roomId, so several app servers agree),
 * else the node with the fewest peers.
 */
export class RemoteMediaService extends ShardedMediaService {
  private constructor(readonly clients: MediaNodeClient[]) {
    super(clients, true);
  }

  /** Connect to the nodes; waits up to `waitMs` for every event stream to open. */
  static async connect(urls: string[], secret: string, waitMs = 5000): Promise<RemoteMediaService> {
    const clients = urls.map((u) => new MediaNodeClient(u, secret));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clients.map((c) => c.eventsReady)),
      new Promise((r) => (timer = setTimeout(r, waitMs))),
    ]);
    clearTimeout(timer);
    return new RemoteMediaService(clients);
  }
}
