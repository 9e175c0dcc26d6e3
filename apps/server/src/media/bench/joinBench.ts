/**
 * `npm run bench:joins` — how many joins per second one media worker takes while it forwards to a
 * class: one publisher and a class of BENCH_JOIN_BASE (50) subscribers on one worker
 * (MEDIA_WORKERS=1, a media node in its own process), then BENCH_JOINERS (100) more within
 * BENCH_JOIN_WINDOW_MS (10000), the machine's other core kept busy (BENCH_JOIN_SPIN=0: not).
 * Reports joins/s (joiners receiving media ÷ seconds from the storm's start to the last one's
 * first packet), connect times, the class's longest gap without packets, and any failed transport.
 * BENCH_SFU_NODE_ARGS: flags of the SFU process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * Every MEDIA_ADMISSION_* variable set here reaches the SFU.
 */
import os from "node:os";
import { runJoinStorm } from "./joinStorm.js";

export async function runJoinBench(): Promise<void> {
  const sfuEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith("MEDIA_ADMISSION_") && v !== undefined) sfuEnv[k] = v;
  const base = Number(process.env.BENCH_JOIN_BASE ?? 50);
  const joiners = Number(process.env.BENCH_JOINERS ?? 100);
  const window = Number(process.env.BENCH_JOIN_WINDOW_MS ?? 10_000);
  const load0 = os.loadavg()[0];
  const result = await runJoinStorm({
    base,
    joiners,
    joinWindowMs: window,
    joinerProcesses: Number(process.env.BENCH_JOIN_PROCESSES ?? 2),
    spin: process.env.BENCH_JOIN_SPIN !== "0",
    ports: [56000, 57999],
    sfuEnv,
    sfuNodeArgs: (process.env.BENCH_SFU_NODE_ARGS ?? "").split(" ").filter(Boolean),
    deadlineMs: Number(process.env.BENCH_JOIN_DEADLINE_MS ?? 180_000),
    log: (line) => console.error(line),
  });
  const received = result.joiners.filter((j) => j.firstPacketAt !== undefined).length;
  const baseFailed = result.base.filter((b) => b.states.includes("failed")).length;
  const gaps = [...result.baseMaxGapMs].sort((a, b) => a - b);
  const summary = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
    base,
    joiners,
    windowMs: window,
    admission: sfuEnv,
    joinersReceiving: received,
    joinsPerSecond: result.joinsPerSecond,
    secondsToLastJoin: result.allJoinedAt ? +((result.allJoinedAt - result.stormStartedAt) / 1000).toFixed(1) : undefined,
    connectP50Ms: result.connectP50Ms,
    connectMaxMs: result.connectMaxMs,
    classFailedClientSide: baseFailed,
    publisherStates: result.publisher.states,
    serverTransportsFailed: result.serverFailed.length,
    serverTransportsFailedOfClass: result.serverFailed.filter((id) => id === "pub-0" || Number(id.slice(4)) < base).length,
    producersClosed: result.producersClosed,
    busyAnswers: result.busyAnswers,
    classGapP50Ms: gaps[Math.floor(gaps.length / 2)],
    classGapMaxMs: gaps[gaps.length - 1],
    classFinalStates: Object.fromEntries(
      [...new Set(result.base.map((b) => b.state))].map((state) => [state, result.base.filter((b) => b.state === state).length]),
    ),
    joinerErrors: [...new Set(result.joiners.map((j) => j.error).filter(Boolean))],
  };
  console.log(JSON.stringify(summary, null, 2));
}
