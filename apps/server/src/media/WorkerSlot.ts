import { AppError } from "../errors/index.js";
import { TypedEmitter } from "./TypedEmitter.js";
import { MediaWorker, type MediaWorkerEvents } from "./MediaWorker.js";
import type { WorkerCoreOptions } from "./WorkerCore.js";
import type { MediaMethod, ShardOperations } from "./MediaService.js";
import type { MediaShard } from "./ShardedMediaService.js";
import type { MediaLogger } from "./log.js";

/**
 * One in-process media worker that comes back when it dies (mediasoup leaves that to the
 * application; we do it here): the dead worker's rooms are reported lost (`died`, so their
 * people start their media over), and a fresh worker with the same ports starts after a short
 * backoff (1 s, doubling up to 30 s while it keeps failing). Meanwhile requests answer
 * MEDIA_UNAVAILABLE and placement skips this slot (its health fails).
 */
export class WorkerSlot extends TypedEmitter<MediaWorkerEvents> implements MediaShard {
  #worker: MediaWorker | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #delay = 1000;
  /** Workers started in this slot (1 = never respawned). */
  generation = 0;

  private constructor(
    readonly id: string,
    private readonly options: WorkerCoreOptions,
    private readonly mode: "thread" | "inline",
    private readonly log: MediaLogger,
  ) {
    super();
  }

  static async start(options: WorkerCoreOptions, mode: "thread" | "inline", log: MediaLogger): Promise<WorkerSlot> {
    const slot = new WorkerSlot(options.workerId, options, mode, log);
    slot.#attach(await MediaWorker.start(options, mode, log));
    return slot;
  }

  #attach(worker: MediaWorker): void {
    this.#worker = worker;
    this.generation++;
    this.#delay = 1000;
    worker.on("event", (event) => this.emit("event", event));
    worker.once("died", (err) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.emit("died", err);
      void worker.close().catch((closeErr: unknown) => this.log.warn({ err: closeErr, workerId: this.id }, "closing a dead media worker failed"));
      this.#respawn();
    });
  }

  #respawn(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      MediaWorker.start(this.options, this.mode, this.log).then(
        (worker) => {
          if (this.#closed) void worker.close();
          else {
            this.#attach(worker);
            this.log.info({ workerId: this.id, generation: this.generation }, "media worker restarted");
          }
        },
        (err: unknown) => {
          this.#delay = Math.min(this.#delay * 2, 30_000);
          this.log.error({ err, workerId: this.id, retryInMs: this.#delay }, "media worker failed to start");
          this.#respawn();
        },
      );
    }, this.#delay);
    this.#timer.unref?.();
  }

  request<M extends MediaMethod>(method: M, ...args: Parameters<ShardOperations[M]>): ReturnType<ShardOperations[M]> {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new AppError("MEDIA_UNAVAILABLE", `Media worker ${this.id} is restarting`)) as ReturnType<ShardOperations[M]>;
    return worker.request(method, ...args);
  }

  /** For tests: make the worker die as if it crashed. */
  crashForTest(): Promise<void> {
    return this.#worker?.crashForTest() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#worker?.close();
    this.removeAllListeners();
  }
}
