import { MessageChannel, Worker } from "node:worker_threads";
import { AppError } from "../errors/index.js";
import { TypedEmitter } from "./TypedEmitter.js";
import { ChannelClient, serveChannel } from "./worker/Channel.js";
import { WorkerCore, type WorkerCoreOptions } from "./WorkerCore.js";
import type { MediaMethod, ShardOperations } from "./MediaService.js";
import type { MediaEvent } from "./types.js";
import { levelOf, type MediaLogger } from "./log.js";

export interface MediaWorkerEvents {
  event: [event: MediaEvent];
  /** The worker thread exited unexpectedly; its rooms are gone. */
  died: [error: Error];
}

/**
 * One media worker (mediasoup's Worker): a worker_thread running a WorkerCore, or ("inline")
 * a WorkerCore in this thread behind the same message channel. Requests and events go through
 * worker/Channel.ts only.
 */
export class MediaWorker extends TypedEmitter<MediaWorkerEvents> {
  #channel!: ChannelClient;
  #thread: Worker | undefined;
  #inline: { core: WorkerCore; close: () => void } | undefined;
  closed = false;
  died = false;

  private constructor(
    readonly id: string,
    readonly mode: "thread" | "inline",
    private readonly log: MediaLogger,
  ) {
    super();
  }

  static async start(options: WorkerCoreOptions, mode: "thread" | "inline", log: MediaLogger): Promise<MediaWorker> {
    const worker = new MediaWorker(options.workerId, mode, log);
    const onEvent = (event: MediaEvent) => worker.emit("event", event);
    if (mode === "thread") {
      const thread = new Worker(new URL("./worker/boot.mjs", import.meta.url), {
        workerData: { ...options, logLevel: levelOf(log) } satisfies WorkerCoreOptions,
        name: `media-${options.workerId}`,
      });
      worker.#thread = thread;
      worker.#channel = new ChannelClient(thread, onEvent, log);
      const failed = new Promise<never>((_, reject) => {
        thread.once("error", (err) => reject(err));
        thread.once("exit", (code) => reject(new Error(`media worker exited with code ${code}`)));
      });
      thread.on("error", (err) => worker.#die(err instanceof Error ? err : new Error(String(err))));
      thread.on("exit", (code) => worker.#die(new Error(`media worker exited with code ${code}`)));
      await Promise.race([worker.#channel.ready, failed]);
    } else {
      const { port1, port2 } = new MessageChannel();
      const core = new WorkerCore(options);
      serveChannel(port2, core, log);
      worker.#channel = new ChannelClient(port1, onEvent, log);
      worker.#inline = {
        core,
        close: () => {
          port1.close();
          port2.close();
        },
      };
      await worker.#channel.ready;
    }
    return worker;
  }

  #die(err: Error): void {
    if (this.closed || this.died) return;
    this.died = true;
    this.log.error({ err, workerId: this.id, pending: this.#channel.pendingCount }, "media worker died; its rooms are lost");
    this.#channel.failAll(new AppError("MEDIA_UNAVAILABLE", `Media worker ${this.id} stopped: ${err.message}`));
    this.emit("died", err);
  }

  request<M extends MediaMethod>(method: M, ...args: Parameters<ShardOperations[M]>): ReturnType<ShardOperations[M]> {
    if (this.closed || this.died) {
      return Promise.reject(new AppError("MEDIA_UNAVAILABLE", `Media worker ${this.id} is not running`)) as ReturnType<ShardOperations[M]>;
    }
    return this.#channel.request(method, args);
  }

  /** For tests: stop the thread (or the inline core) as if it crashed. */
  async crashForTest(): Promise<void> {
    if (this.#thread) await this.#thread.terminate();
    else this.#die(new Error("crashed (test)"));
  }

  /** Close every router of the worker, then stop the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.died) {
      await this.#channel.request("close", []).catch((err: unknown) => this.log.warn({ err, workerId: this.id }, "media worker did not close its rooms"));
    }
    this.closed = true;
    this.#channel.detach();
    if (this.#thread) await this.#thread.terminate();
    this.#inline?.close();
    this.removeAllListeners();
  }
}
