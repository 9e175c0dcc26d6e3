/**
 * What the benchmarks (`npm run bench:chat`, `bench:poll`) share: real `vtp start` servers on a
 * throwaway PostgreSQL database (two share Redis), a class of N students put straight into the
 * database with signed tokens, a git worktree of another commit for `--baseline`/`--code`, and
 * the servers' CPU read from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { AccessTokens } from "../auth/tokens.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../../..");
export const PG_ADMIN = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
export const SECRET = "bench-secret-bench-secret-bench-secret-0123";

export function flag(name: string, fallback: string): string {
  const flagAt = process.argv.indexOf(`--${name}`);
  return (flagAt >= 0 && process.argv[flagAt + 1]) || fallback;
}
export const list = (csv: string) =>
  csv
    .split(",")
    .map((x) => Number(x.trim()))
    .filter((x) => Number.isFinite(x) && x > 0);

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) of a process and its descendants, from /proc. */
export function treeCpuSeconds(rootPid: number): number {
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
export function baselineTree(ref: string): { dir: string; remove: () => void } {
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

export interface Server {
  url: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

export async function startServer(tree: string, env: Record<string, string>): Promise<Server> {
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
      // BENCH_MEDIA_WORKERS: a benchmark that spreads rooms over several workers (bench:breakout).
      MEDIA_WORKERS: process.env.BENCH_MEDIA_WORKERS ?? "1",
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

/** A live class for a benchmark: its servers, its people's tokens, and how to take it all down. */
export interface BenchClass {
  servers: Server[];
  roomId: string;
  hostToken: string;
  studentTokens: string[];
  databaseUrl: string;
  /** CPU seconds (user + system) of every server process so far. */
  serverCpuSeconds(): number;
  close(): Promise<void>;
}

/** A throwaway database, `nodes` servers of `tree` on it (Redis between two), a teacher, `students` students and one class. */
export async function benchClass(tree: string, students: number, nodes: number, title: string): Promise<BenchClass> {
  const db = `vtp_bench_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${db}`);
  const databaseUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${db}`);
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, ...(nodes > 1 ? { REDIS_URL: REDIS, VTP_REDIS_PREFIX: `bench${Date.now()}:` } : {}) };
  const servers: Server[] = [];
  const close = async () => {
    for (const server of servers) await server.stop().catch(() => {});
    await admin.query(`drop database if exists ${db} with (force)`).catch(() => {});
    await admin.end();
  };
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
      body: JSON.stringify({ title, settings: { maxParticipants: Math.min(1000, students + 1), waitingRoom: false } }),
    }).then((res) => res.json() as Promise<{ room?: { id: string } }>);
    if (!created.room) throw new Error(`could not create the room: ${JSON.stringify(created)}`);
    return {
      servers,
      roomId: created.room.id,
      hostToken,
      studentTokens,
      databaseUrl,
      serverCpuSeconds: () => servers.reduce((sum, server) => sum + treeCpuSeconds(server.proc.pid ?? 0), 0),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The code a benchmark runs: this checkout or `--code <ref>`, and before it `--baseline <ref>` (worktrees, removed by `removeAll`). */
export interface BenchTree {
  name: string;
  dir: string;
  remove?: () => void;
}

export function benchTrees(codeRef: string, baselineRef: string): { trees: BenchTree[]; removeAll: () => void } {
  const code = codeRef ? baselineTree(codeRef) : undefined;
  const trees: BenchTree[] = [code ? { name: codeRef, dir: code.dir, remove: code.remove } : { name: "this checkout", dir: repoRoot }];
  if (baselineRef) {
    const baseline = baselineTree(baselineRef);
    trees.unshift({ name: `baseline ${baselineRef}`, dir: baseline.dir, remove: baseline.remove });
  }
  const removeAll = () => {
    for (const tree of trees) tree.remove?.();
  };
  return { trees, removeAll };
}
