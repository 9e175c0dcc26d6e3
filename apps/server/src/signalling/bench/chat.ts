/**
 * `npm run bench:chat` (apps/server/bin/vtp-bench-chat.js): not a test. One class of N students
 * chatting: each student sends M messages at random moments of a window; every message goes to
 * every socket in the class. Measured per scenario: fan-out latency (send → arrival at each
 * socket) p50/p95/p99/max, deliveries lost, `/health` latency during the load, and the servers'
 * CPU per delivered message (µs, /proc of the server processes while messages flow).
 *
 * Servers are real `vtp start` processes on a throwaway PostgreSQL database (two of them share
 * Redis); the load generator is another process (chat-load.ts). `--baseline <git ref>` runs the
 * same scenarios against that commit too (a temporary git worktree), side by side in one run.
 *
 * `--burst`: every student sends all its messages at the same moment (500 × 3 = 1,500 messages,
 * 751,500 deliveries at once); the latency then measures how long the backlog takes to drain,
 * and CPU µs per delivery is the figure to compare.
 *
 * `--code <ref>` runs that commit (a worktree too) instead of this checkout's files, so that the
 * figures belong to a commit even while the working tree changes.
 *
 * The load generator runs in `--load-processes` processes (default: one per 500 students), and
 * the busiest one's CPU share is reported: a generator at 100 % of a core measures itself.
 *
 * Flags: --students 200,500,1000  --nodes 1,2  --messages 3  --window-seconds 30  --burst  --baseline <ref>  --code <ref>  --load-processes <n>
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchClass, benchTrees, flag, list, repoRoot } from "../../bench/servers.js";
import type { ChildMessage, LoadPlan, LoadShardResult, ParentMessage } from "./chat-load.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface LoadResult {
  sockets: number;
  sent: number;
  refused: Record<string, number>;
  expectedDeliveries: number;
  deliveries: number;
  lost: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  healthMs: { p50: number; p99: number; max: number; probes: number };
  joinSeconds: number;
  /** The load generator processes' CPU (user + system) from the first send to the end, in all. */
  cpuSeconds: number;
  /** The busiest load generator process's CPU over that span, as a share of one core (%). */
  busiestLoadCpuPercent: number;
  loadProcesses: number;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** One result from every load generator process's share. */
function merge(shards: LoadShardResult[], sent: number, refused: Record<string, number>): LoadResult {
  const bins = new Map<number, number>();
  for (const shard of shards) for (const [bin, count] of shard.latencyBins) bins.set(bin, (bins.get(bin) ?? 0) + count);
  const sorted = [...bins].sort((a, b) => a[0] - b[0]);
  const deliveries = shards.reduce((sum, s) => sum + s.deliveries, 0);
  const quantile = (q: number) => {
    const rank = Math.min(deliveries - 1, Math.floor(q * deliveries));
    let seen = 0;
    for (const [bin, count] of sorted) {
      seen += count;
      if (seen > rank) return bin / 10;
    }
    return Number.NaN;
  };
  const health = shards.flatMap((s) => s.health).sort((a, b) => a - b);
  const pct = (q: number) => health[Math.min(health.length - 1, Math.floor(q * health.length))] ?? Number.NaN;
  const sockets = shards.reduce((sum, s) => sum + s.sockets, 0);
  return {
    sockets,
    sent,
    refused,
    expectedDeliveries: sent * sockets,
    deliveries,
    lost: sent * sockets - deliveries,
    latencyMs: { p50: round(quantile(0.5)), p95: round(quantile(0.95)), p99: round(quantile(0.99)), max: round((sorted.at(-1)?.[0] ?? Number.NaN) / 10) },
    healthMs: { p50: round(pct(0.5)), p99: round(pct(0.99)), max: round(health.at(-1) ?? Number.NaN), probes: health.length },
    joinSeconds: round(Math.max(...shards.map((s) => s.joinSeconds))),
    cpuSeconds: shards.reduce((sum, s) => sum + s.cpuSeconds, 0),
    busiestLoadCpuPercent: Math.round(Math.max(...shards.map((s) => (100 * s.cpuSeconds) / Math.max(1e-9, s.wallSeconds)))),
    loadProcesses: shards.length,
  };
}

async function scenario(
  tree: string,
  students: number,
  nodes: number,
  messages: number,
  windowMs: number,
  burst: boolean,
  loadProcesses: number,
): Promise<LoadResult & { cpuUsPerDelivery: number }> {
  const bench = await benchClass(tree, students, nodes, "Chat benchmark");
  const { servers, hostToken, studentTokens } = bench;
  try {
    // The load generator: `loadProcesses` processes, each with a contiguous share of the students.
    const share = Math.ceil(students / loadProcesses);
    const plans: LoadPlan[] = Array.from({ length: loadProcesses }, (_, p) => ({
      urls: servers.map((s) => s.url),
      roomId: bench.roomId,
      hostToken: p === 0 ? hostToken : undefined,
      studentTokens: studentTokens.slice(p * share, (p + 1) * share),
      firstStudent: p * share,
      messagesPerStudent: messages,
      windowMs,
      burst,
      joinConcurrency: Math.max(1, Math.round(20 / loadProcesses)),
      probeHealth: p === 0,
    }));
    const cpu = () => bench.serverCpuSeconds();
    const children = plans.map((plan) => {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "chat-load.ts"), "--child"], {
        cwd: repoRoot,
        stdio: ["ignore", "inherit", "pipe", "ipc"],
      });
      let err = "";
      child.stderr?.on("data", (chunk) => (err += chunk));
      const inbox: ChildMessage[] = [];
      const waiters: (() => void)[] = [];
      child.on("message", (message: ChildMessage) => {
        inbox.push(message);
        for (const wake of waiters.splice(0)) wake();
      });
      // "close", not "exit": by then every message the child sent has been received.
      let closed = false;
      const exited = new Promise<void>((resolve) =>
        child.once("close", () => {
          closed = true;
          for (const wake of waiters.splice(0)) wake();
          resolve();
        }),
      );
      const receive = async <T extends ChildMessage["type"]>(type: T): Promise<Extract<ChildMessage, { type: T }>> => {
        for (;;) {
          const failure = inbox.find((m) => m.type === "error");
          if (failure?.type === "error") throw new Error(`the load generator failed: ${failure.error}`);
          const found = inbox.find((m) => m.type === type);
          if (found) return found as Extract<ChildMessage, { type: T }>;
          if (closed) throw new Error(`the load generator exited: ${err.slice(-2000)}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      };
      child.send({ type: "plan", plan } satisfies ParentMessage);
      return { child, receive, exited };
    });
    try {
      await Promise.all(children.map((c) => c.receive("joined")));
      // Let the joins' participant updates drain before measuring.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const cpuAtSend = cpu();
      for (const c of children) c.child.send({ type: "go" } satisfies ParentMessage);
      const sentReports = await Promise.all(children.map((c) => c.receive("sent")));
      const sent = sentReports.reduce((sum, r) => sum + r.sent, 0);
      const refused: Record<string, number> = {};
      for (const r of sentReports) for (const [code, n] of Object.entries(r.refused)) refused[code] = (refused[code] ?? 0) + n;
      for (const c of children) c.child.send({ type: "expect", sent } satisfies ParentMessage);
      const shards = (await Promise.all(children.map((c) => c.receive("result")))).map((m) => m.result);
      const cpuSeconds = cpu() - cpuAtSend;
      const result = merge(shards, sent, refused);
      return { ...result, cpuUsPerDelivery: Math.round(((cpuSeconds * 1e6) / Math.max(1, result.deliveries)) * 100) / 100 };
    } finally {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
      await Promise.all(children.map((c) => c.exited));
    }
  } finally {
    await bench.close();
  }
}

async function main() {
  const studentsList = list(flag("students", "200,500,1000"));
  const nodesList = list(flag("nodes", "1,2"));
  const messages = Number(flag("messages", "3"));
  const windowMs = Number(flag("window-seconds", "30")) * 1000;
  const baselineRef = flag("baseline", "");
  const burst = process.argv.includes("--burst");
  const codeRef = flag("code", "");
  // Load generator processes: by default one per 500 students (one process decoding 1,000 sockets' deliveries saturates a core).
  const loadProcessesFlag = Number(flag("load-processes", "0"));
  const loadProcessesFor = (students: number) => (loadProcessesFlag > 0 ? loadProcessesFlag : Math.max(1, Math.ceil(students / 500)));
  const { trees, removeAll } = benchTrees(codeRef, baselineRef);
  console.log(
    `chat fan-out: ${messages} messages per student ${burst ? "all at once (burst)" : `over ${windowMs / 1000} s`}; load generator in its own process; servers on PostgreSQL${nodesList.some((n) => n > 1) ? " (+ Redis for 2 nodes)" : ""}`,
  );
  console.log(
    "| code | nodes | students | sockets | sent | lost | p50 ms | p95 ms | p99 ms | max ms | /health p99 ms | server CPU µs per delivery | load generator CPU µs per delivery | load gen. processes, busiest's CPU % | join s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const nodes of nodesList) {
      for (const students of studentsList) {
        for (const tree of trees) {
          const result = await scenario(tree.dir, students, nodes, messages, windowMs, burst, loadProcessesFor(students));
          const refused = Object.entries(result.refused)
            .map(([k, v]) => `${k}×${v}`)
            .join(" ");
          console.log(
            `| ${tree.name} | ${nodes} | ${students} | ${result.sockets} | ${result.sent}${refused ? ` (refused ${refused})` : ""} | ${result.lost} | ${result.latencyMs.p50} | ${result.latencyMs.p95} | ${result.latencyMs.p99} | ${result.latencyMs.max} | ${result.healthMs.p99} | ${result.cpuUsPerDelivery} | ${Math.round(((result.cpuSeconds * 1e6) / Math.max(1, result.deliveries)) * 100) / 100} | ${result.loadProcesses}, ${result.busiestLoadCpuPercent} % | ${result.joinSeconds} |`,
          );
        }
      }
    }
  } finally {
    removeAll();
  }
}

await main();
