/**
 * BENCH_HEAP_DIR=<dir> (bench:sfu knob): after each measuring window the bench asks every SFU
 * process for V8 heap snapshots (its main thread and each media worker thread) and a memory
 * split (/proc status, main thread process.memoryUsage, v8 heap statistics), written as
 * <dir>/<label>-n<N>-{main,w<i>}.heapsnapshot and <label>-n<N>-mem.json. Used to see where a
 * subscriber's memory goes (docs/BENCHMARKS.md). The SFU side listens for SIGUSR2.
 * BENCH_HEAP_MEM_ONLY=1: only the memory split, no snapshots (writing one grows the RSS of later steps).
 */
import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import v8 from "node:v8";
import type { Worker } from "node:worker_threads";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** In the SFU process: remember worker threads; on SIGUSR2 write what <dir>/request-<pid> names. */
export function serveHeapSnapshots(dir: string): void {
  const workers: Worker[] = [];
  process.on("worker", (w: Worker) => workers.push(w));
  process.on("SIGUSR2", () => {
    const reqFile = path.join(dir, `request-${process.pid}`);
    const label = fs.readFileSync(reqFile, "utf8").trim();
    void (async () => {
      const status = fs.readFileSync("/proc/self/status", "utf8");
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
      const mem = {
        rssKB: kb("VmRSS"),
        rssAnonKB: kb("RssAnon"),
        rssFileKB: kb("RssFile"),
        threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0),
        mainMemoryUsage: process.memoryUsage(),
        mainHeap: v8.getHeapStatistics(),
        mainSpaces: v8.getHeapSpaceStatistics().map((s) => ({ space: s.space_name, used: s.space_used_size, size: s.space_size })),
        workersMemoryUsage: await workersMemoryUsage(),
      };
      fs.writeFileSync(path.join(dir, `${label}-mem.json`), JSON.stringify(mem, null, 2));
      // BENCH_HEAP_MEM_ONLY=1: the memory split only (a snapshot inflates the RSS of later steps).
      if (process.env.BENCH_HEAP_MEM_ONLY !== "1")
        for (const [i, w] of workers.entries()) {
          await pipeline(await w.getHeapSnapshot(), fs.createWriteStream(path.join(dir, `${label}-w${i}.heapsnapshot`)));
        }
      if (process.env.BENCH_HEAP_MEM_ONLY !== "1") v8.writeHeapSnapshot(path.join(dir, `${label}-main.heapsnapshot`));
      fs.writeFileSync(path.join(dir, `${label}.done`), "");
    })();
  });
}

/** process.memoryUsage() of every worker thread, read through the inspector (Node 20 has no Worker API for it). */
async function workersMemoryUsage(): Promise<unknown[]> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  const sessions: string[] = [];
  session.on("NodeWorker.attachedToWorker", (m: { params: { sessionId: string } }) => sessions.push(m.params.sessionId));
  const replies = new Map<string, (value: unknown) => void>();
  session.on("NodeWorker.receivedMessageFromWorker", (m: { params: { sessionId: string; message: string } }) => {
    const msg = JSON.parse(m.params.message) as { id?: number; result?: { result?: { value?: string } } };
    if (msg.id === 1) replies.get(m.params.sessionId)?.(JSON.parse(msg.result?.result?.value ?? "null"));
  });
  await post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  await sleep(200);
  const out = await Promise.all(
    sessions.map(async (sessionId) => {
      const reply = new Promise((resolve) => replies.set(sessionId, resolve));
      const params = { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true };
      await post("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id: 1, method: "Runtime.evaluate", params }) });
      return reply;
    }),
  );
  await post("NodeWorker.disable", {});
  session.disconnect();
  return out;
}

/** In the bench: snapshot every SFU process under one label and wait until all are written. */
export async function snapshotSfus(pids: number[], label: string): Promise<void> {
  const dir = process.env.BENCH_HEAP_DIR;
  if (!dir || label.startsWith("janus")) return; // VTP media nodes only: SIGUSR2 would end Janus
  for (const [i, pid] of pids.entries()) {
    const name = `${label.replace(/\W+/g, "_")}-p${i}`;
    fs.writeFileSync(path.join(dir, `request-${pid}`), name);
    process.kill(pid, "SIGUSR2");
    const deadline = Date.now() + 300_000;
    while (!fs.existsSync(path.join(dir, `${name}.done`))) {
      if (Date.now() > deadline) throw new Error(`heap snapshot of ${pid} not written`);
      await sleep(200);
    }
  }
}
