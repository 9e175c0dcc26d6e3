import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const VTP_BIN = path.join(REPO_ROOT, "apps/server/bin/vtp.js");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface VtpProcess {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a `vtp` command to completion and returns its exit code and output. With `killAfterMs`
 * a command that is still running then is killed (code null), so a command that should have
 * refused to run cannot hang the test.
 */
export function runVtp(
  args: string[],
  env: Record<string, string>,
  opts: { killAfterMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [VTP_BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (chunk) => (stdout += chunk));
    proc.stderr!.on("data", (chunk) => (stderr += chunk));
    const killer = opts.killAfterMs ? setTimeout(() => proc.kill("SIGKILL"), opts.killAfterMs) : undefined;
    proc.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the real `vtp start` process and waits until /health answers. */
export async function startVtp(env: Record<string, string> = {}, opts: { timeoutMs?: number } = {}): Promise<VtpProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const dataDir = env.VTP_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "vtp-proc-"));
  const fullEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    BCRYPT_COST: "4",
    LOG_LEVEL: "info",
    AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...env,
    PORT: String(port),
    VTP_DATA_DIR: dataDir,
  };
  const proc = spawn(process.execPath, [VTP_BIN, "start"], { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (chunk) => (out += chunk));
  proc.stderr!.on("data", (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // A last guard only: a cold start (TypeScript transform, PGlite, migrations) on a loaded 2-core
  // machine has taken over a minute.
  const deadline = Date.now() + (opts.timeoutMs ?? 150_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`vtp exited with ${proc.exitCode} before it was ready:\n${out}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`vtp did not become healthy in time:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return {
    url,
    port,
    dataDir,
    proc,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** One JSON request to a spawned server's REST API; `body` is the parsed JSON answer (undefined when empty). */
export async function callApi(server: Pick<VtpProcess, "url">, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the route it called.
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}
