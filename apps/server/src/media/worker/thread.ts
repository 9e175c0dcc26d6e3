/** Entry point of a media worker thread. Everything goes through the channel (Channel.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { WorkerCore, type WorkerCoreOptions } from "../WorkerCore.js";
import { serveChannel } from "./Channel.js";

if (!parentPort) throw new Error("media worker: must run as a worker thread");
const core = new WorkerCore(workerData as WorkerCoreOptions);
serveChannel(parentPort, core);
