import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runVtp, startVtp, type VtpProcess } from "../../helpers/process.js";

/**
 * The embedded database belongs to one process: the real `vtp` commands against one
 * VTP_DATA_DIR, with and without a running server.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const BASE_ENV = { BCRYPT_COST: "4", LOG_LEVEL: "warn", DATABASE_URL: "" };
/** A command that should refuse is killed if it is still running after this (it then fails the test). */
const REFUSE_WITHIN = { killAfterMs: 150_000 };
/** Each test starts several processes; on a loaded 2-core machine each start takes a while. */
const SLOW = { timeout: 600_000 };

function newDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "vtp-lock-"));
}

async function start(dataDir: string, env: Record<string, string> = {}): Promise<VtpProcess> {
  const server = await startVtp({ ...BASE_ENV, ...env, VTP_DATA_DIR: dataDir }, { timeoutMs: 150_000 });
  cleanups.push(() => server.stop("SIGKILL"));
  return server;
}

async function login(server: VtpProcess, email: string, password: string) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: (await res.json()) as { user?: { role: string; fullName: string }; error?: { code: string } } };
}

const lockFile = (dataDir: string) => path.join(dataDir, "vtp.lock");

describe("vtp create-admin while the platform runs", SLOW, () => {
  it("asks the running server, and the admin signs in at once and after a restart", async () => {
    const dataDir = newDataDir();
    const server = await start(dataDir);
    const env = { ...BASE_ENV, VTP_DATA_DIR: dataDir };

    const made = await runVtp(["create-admin", "--email", "Head@School.test", "--password", "head password 1", "--name", "The Head"], env);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Created admin head@school\.test .*through the running server/);
    const first = await login(server, "head@school.test", "head password 1");
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ role: "admin", fullName: "The Head" });

    // The same validation as everywhere else, and no success printed for a refused write.
    const weak = await runVtp(["create-admin", "--email", "weak@school.test", "--password", "short"], env, REFUSE_WITHIN);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/WEAK_PASSWORD/);
    expect(weak.stdout).not.toMatch(/admin/);

    // Running it again makes the existing account admin with the new password.
    const again = await runVtp(["create-admin", "--email", "head@school.test", "--password", "head password 2"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Updated admin head@school\.test/);
    expect((await login(server, "head@school.test", "head password 2")).status).toBe(200);

    // The admin socket is reachable by this user only.
    const socketDir = path.join(dataDir, "run");
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(socketDir, "admin.sock")).mode & 0o777).toBe(0o600);

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    const restarted = await start(dataDir);
    expect((await login(restarted, "head@school.test", "head password 2")).status).toBe(200);
    expect((await login(restarted, "head@school.test", "head password 1")).status).toBe(401);
    expect(await restarted.stop("SIGTERM")).toBe(0);
  });

  it("still works without a server, and says what to do when the holder has no admin channel", async () => {
    const dataDir = newDataDir();
    const env = { ...BASE_ENV, VTP_DATA_DIR: dataDir };
    const made = await runVtp(["create-admin", "--email", "solo@school.test", "--password", "solo password 1"], env);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^Created admin solo@school\.test \(/);
    expect(existsSync(lockFile(dataDir))).toBe(false);

    // A live process (this test) holds the directory as `vtp migrate` would: nothing to ask.
    writeFileSync(lockFile(dataDir), JSON.stringify({ pid: process.pid, command: "vtp migrate", hostname: hostname(), since: new Date().toISOString() }));
    const blocked = await runVtp(["create-admin", "--email", "late@school.test", "--password", "late password 1"], env, REFUSE_WITHIN);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/in use by `vtp migrate` \(pid \d+/);
    expect(blocked.stderr).toMatch(/Wait for it to finish/);
    expect(blocked.stdout).toBe("");
  });
});

describe("one process per embedded data directory", SLOW, () => {
  it("refuses a second vtp start, migrate or worker while a server runs", async () => {
    const dataDir = newDataDir();
    const server = await start(dataDir);
    const env = { ...BASE_ENV, VTP_DATA_DIR: dataDir };

    const second = await startVtp({ ...env }, { timeoutMs: 150_000 }).catch((err: Error) => err);
    if (!(second instanceof Error)) {
      await second.stop("SIGKILL");
      expect.fail("a second vtp start ran on the same data directory");
    }
    expect(second.message).toMatch(/exited with 1/);
    expect(second.message).toMatch(/data directory .* is in use by `vtp start` \(pid \d+/);
    expect(second.message).toMatch(/stop it .* first/);

    const migrate = await runVtp(["migrate"], env, REFUSE_WITHIN);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/in use by `vtp start`/);
    const worker = await runVtp(["worker"], env, REFUSE_WITHIN);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toMatch(/in use by `vtp start`/);

    // The first server is untouched and keeps working.
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    const holder = JSON.parse(readFileSync(lockFile(dataDir), "utf8"));
    expect(holder).toMatchObject({ pid: server.proc.pid, command: "vtp start" });
    expect(await server.stop("SIGTERM")).toBe(0);
  });

  it("a kill -9 of the owner frees the directory for the next start and for create-admin", async () => {
    const dataDir = newDataDir();
    const env = { ...BASE_ENV, VTP_DATA_DIR: dataDir };
    const first = await start(dataDir);
    expect(await first.stop("SIGKILL")).toBeNull();
    expect(existsSync(lockFile(dataDir))).toBe(true); // left behind, and stale

    const made = await runVtp(["create-admin", "--email", "after@school.test", "--password", "after password 1"], env);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^Created admin after@school\.test/);

    const second = await start(dataDir);
    expect((await login(second, "after@school.test", "after password 1")).status).toBe(200);
    expect(await second.stop("SIGKILL")).toBeNull();
    const third = await start(dataDir);
    expect((await login(third, "after@school.test", "after password 1")).status).toBe(200);
    expect(await third.stop("SIGTERM")).toBe(0);
  });
});
