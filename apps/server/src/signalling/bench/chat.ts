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
 * Flags: --students 200,500,1000  --nodes 1,2  --messages 3  --window-seconds 30  --burst  --baseline <ref>  --code <ref>
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { AccessTokens } from "../../auth/tokens.js";
import type { LoadPlan, LoadResult } from "./chat-load.js";

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
    const plan: LoadPlan = {
      urls: servers.map((s) => s.url),
      roomId: created.room.id,
      hostToken,
      studentTokens,
      messagesPerStudent: messages,
      windowMs,
      burst,
      joinConcurrency: 20,
    };

    const load = spawn(process.execPath, ["--import", "tsx", path.join(here, "chat-load.ts"), "--child"], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let cpuAtSend = 0;
    const cpu = () => servers.reduce((sum, s) => sum + treeCpuSeconds(s.proc.pid ?? 0), 0);
    load.stdout.on("data", (chunk) => (out += chunk));
    load.stderr.on("data", (chunk) => {
      err += chunk;
      if (String(chunk).includes("phase:send")) cpuAtSend = cpu();
    });
    load.stdin.end(JSON.stringify(plan));
    const code = await new Promise<number | null>((resolve) => load.once("exit", resolve));
    const cpuSeconds = cpu() - cpuAtSend;
    if (code !== 0) throw new Error(`the load generator failed: ${err.slice(-2000)}`);
    const result = JSON.parse(out.trim().split("\n").at(-1) ?? "null") as LoadResult;
    return { ...result, cpuUsPerDelivery: Math.round(((cpuSeconds * 1e6) / Math.max(1, result.deliveries)) * 100) / 100 };
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
    "| code | nodes | students | sockets | sent | lost | p50 ms | p95 ms | p99 ms | max ms | /health p99 ms | server CPU µs per delivery | load generator CPU µs per delivery | join s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const nodes of nodesList) {
      for (const students of studentsList) {
        for (const tree of trees) {
          const result = await scenario(tree.dir, students, nodes, messages, windowMs, burst);
          const refused = Object.entries(result.refused)
            .map(([k, v]) => `${k}×${v}`)
            .join(" ");
          console.log(
            `| ${tree.name} | ${nodes} | ${students} | ${result.sockets} | ${result.sent}${refused ? ` (refused ${refused})` : ""} | ${result.lost} | ${result.latencyMs.p50} | ${result.latencyMs.p95} | ${result.latencyMs.p99} | ${result.latencyMs.max} | ${result.healthMs.p99} | ${result.cpuUsPerDelivery} | ${Math.round(((result.cpuSeconds * 1e6) / Math.max(1, result.deliveries)) * 100) / 100} | ${result.joinSeconds} |`,
          );
        }
      }
    }
  } finally {
    for (const t of trees) t.remove?.();
  }
}

await main();
