/** Entry point of a media worker thread. Everything goes through the channel (Channel.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { WorkerCore, type WorkerCoreOptions } from "../WorkerCore.js";
import { logListenerErrors, setListenerErrorHandler } from "../TypedEmitter.js";
import { ThreadLogger } from "../log.js";
import { serveChannel, type ChannelMessage } from "./Channel.js";

if (!parentPort) throw new Error("media worker: must run as a worker thread");
const port = parentPort;
const options = workerData as WorkerCoreOptions;
const log = new ThreadLogger((record) => port.postMessage({ log: record } satisfies ChannelMessage), options.logLevel ?? "info", {
  workerId: options.workerId,
});
setListenerErrorHandler(logListenerErrors(log));
const core = new WorkerCore(options);
serveChannel(port, core, log);
