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
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { AccessTokens } from "../../auth/tokens.js";
import type { ChildMessage, LoadPlan, LoadShardResult, ParentMessage } from "./chat-load.js";

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

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../../..");
const PG_ADMIN = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SECRET = "bench-secret-bench-secret-bench-secret-0123";

function flag(name: string, fallback: string): string {
  const flagAt = process.argv.indexOf(`--${name}`);
  return (flagAt >= 0 && process.argv[flagAt + 1]) || fallback;
}
const list = (csv: string) =>
  csv
    .split(",")
    .map((x) => Number(x.trim()))
    .filter((x) => Number.isFinite(x) && x > 0);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) of a process and its descendants, from /proc. */
function treeCpuSeconds(rootPid: number): number {
  const hz = 100;
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / hz });
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const todo = [rootPid];
  while (todo.length) {
    const pid = todo.pop() ?? 0;
    total += stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return total;
}

/** A worktree of `ref` whose node_modules are this checkout's, except its own workspace packages. */
function baselineTree(ref: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "vtp-bench-base-"));
  execFileSync("git", ["-C", repoRoot, "worktree", "add", "--detach", dir, ref], { stdio: "ignore" });
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(repoRoot, "node_modules"))) {
    if (entry === "@vtp") continue;
    symlinkSync(path.join(repoRoot, "node_modules", entry), path.join(modules, entry));
  }
  mkdirSync(path.join(modules, "@vtp"));
  symlinkSync("../../packages/protocol", path.join(modules, "@vtp", "protocol"));
  symlinkSync("../../apps/server", path.join(modules, "@vtp", "server"));
  return { dir, remove: () => execFileSync("git", ["-C", repoRoot, "worktree", "remove", "--force", dir], { stdio: "ignore" }) };
}

interface Server {
  url: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

async function startServer(tree: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-bench-data-"));
  // BENCH_CPU_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(process.env.BENCH_CPU_PROFILE)] : [];
  const proc = spawn(process.execPath, [...profile, path.join(tree, "apps/server/bin/vtp.js"), "start"], {
    cwd: tree,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      VTP_DATA_DIR: dataDir,
      JWT_SECRET: SECRET,
      LOG_LEVEL: "warn",
      MEDIA_WORKERS: "1",
      AUTH_RATE_LIMIT_PER_MINUTE: "1000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server in ${tree} exited (${proc.exitCode})`);
    const ok = await fetch(`${url}/health`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error("the server did not become healthy");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    proc,
    stop: async () => {
      proc.kill("SIGTERM");
      await new Promise((resolve) => (proc.exitCode !== null ? resolve(undefined) : proc.once("exit", resolve)));
      rmSync(dataDir, { recursive: true, force: true });
    },
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
  const db = `vtp_bench_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${db}`);
  const databaseUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${db}`);
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, ...(nodes > 1 ? { REDIS_URL: REDIS, VTP_REDIS_PREFIX: `bench${Date.now()}:` } : {}) };
  const servers: Server[] = [];
  try {
    for (let i = 0; i < nodes; i++) servers.push(await startServer(tree, env));
    // People, straight into the database (passwords are never used: tokens are signed here).
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const insert = async (role: string, count: number) =>
      (
        await client.query<{ id: string }>(
          `insert into users (email, password_hash, full_name, role, email_verified_at) select 'bench' || g || '-' || $1 || '@bench.test', 'x', 'Student ' || g, $1, now() from generate_series(1, $2) g returning id`,
          [role, count],
        )
      ).rows.map((r) => r.id);
    const [teacherId] = await insert("teacher", 1);
    const studentIds = await insert("student", students);
    await client.end();
    const tokens = new AccessTokens(SECRET);
    if (!teacherId) throw new Error("no teacher was inserted");
    const hostToken = await tokens.sign({ id: teacherId, role: "teacher" });
    const studentTokens = await Promise.all(studentIds.map((id) => tokens.sign({ id, role: "student" })));
    const created = await fetch(`${servers[0]?.url}/api/v1/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${hostToken}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Chat benchmark", settings: { maxParticipants: Math.min(1000, students + 1), waitingRoom: false } }),
    }).then((res) => res.json() as Promise<{ room?: { id: string } }>);
    if (!created.room) throw new Error(`could not create the room: ${JSON.stringify(created)}`);
    // The load generator: `loadProcesses` processes, each with a contiguous share of the students.
    const share = Math.ceil(students / loadProcesses);
    const plans: LoadPlan[] = Array.from({ length: loadProcesses }, (_, p) => ({
      urls: servers.map((s) => s.url),
      roomId: created.room?.id ?? "",
      hostToken: p === 0 ? hostToken : undefined,
      studentTokens: studentTokens.slice(p * share, (p + 1) * share),
      firstStudent: p * share,
      messagesPerStudent: messages,
      windowMs,
      burst,
      joinConcurrency: Math.max(1, Math.round(20 / loadProcesses)),
      probeHealth: p === 0,
    }));
    const cpu = () => servers.reduce((sum, s) => sum + treeCpuSeconds(s.proc.pid ?? 0), 0);
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
    for (const s of servers) await s.stop().catch(() => {});
    await admin.query(`drop database if exists ${db} with (force)`).catch(() => {});
    await admin.end();
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
  const code = codeRef ? baselineTree(codeRef) : undefined;
  const trees: { name: string; dir: string; remove?: () => void }[] = [
    code ? { name: codeRef, dir: code.dir, remove: code.remove } : { name: "this checkout", dir: repoRoot },
  ];
  if (baselineRef) {
    const baseline = baselineTree(baselineRef);
    trees.unshift({ name: `baseline ${baselineRef}`, dir: baseline.dir, remove: baseline.remove });
  }
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
    for (const t of trees) t.remove?.();
  }
}

await main();
