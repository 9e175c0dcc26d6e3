import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError, lockHolder, LOCK_FILE } from "../../../apps/server/src/db/data-dir-lock.js";
import { REPO_ROOT } from "../../helpers/process.js";

/** The data directory's lock file on its own: holders, stale locks, and a race over one. */
const newDir = () => mkdtempSync(path.join(tmpdir(), "vtp-lockfile-"));
const lockPath = (dir: string) => path.join(dir, LOCK_FILE);

/** The pid of a process that has already exited. */
function deadPid(): number {
  const probe = spawnSync(process.execPath, ["-e", "0"]);
  return probe.pid!;
}

describe("data directory lock", () => {
  it("is held by one owner, names it, and is free again after release", () => {
    const dir = newDir();
    const lock = acquireDataDirLock(dir, "vtp start");
    expect(lockHolder(dir)).toMatchObject({ pid: process.pid, command: "vtp start" });
    let refused: unknown;
    try {
      acquireDataDirLock(dir, "vtp migrate");
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as DataDirLockedError).message).toMatch(/in use by `vtp start` \(pid \d+/);
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    acquireDataDirLock(dir, "vtp migrate").release();
  });

  it("takes over a lock whose process is gone (on this or a former host), whose pid was reused, or that is unreadable", () => {
    const dir = newDir();
    const stale = [
      { pid: deadPid(), command: "vtp start", hostname: hostname(), since: "2020-01-01T00:00:00.000Z" },
      // Left by a container that crashed; its successor has another hostname.
      { pid: deadPid(), command: "vtp start", hostname: "old-container", since: "2020-01-01T00:00:00.000Z" },
      // This very pid, but a process started at another time: the pid was reused.
      { pid: process.pid, startTicks: 1, command: "vtp start", hostname: hostname(), since: "2020-01-01T00:00:00.000Z" },
    ];
    for (const holder of stale) {
      writeFileSync(lockPath(dir), JSON.stringify(holder));
      expect(lockHolder(dir)).toBeUndefined();
      const lock = acquireDataDirLock(dir, "vtp start");
      expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).since).not.toBe(holder.since);
      lock.release();
    }
    // An empty lock may be one being written this instant; once it is old it is garbage.
    writeFileSync(lockPath(dir), "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(dir), old, old);
    acquireDataDirLock(dir, "vtp start").release();
  });

  it("lets exactly one of several processes racing over a stale lock win", async () => {
    const dir = newDir();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: deadPid(), command: "vtp start", hostname: hostname(), since: "2020-01-01T00:00:00.000Z" }));
    const moduleUrl = pathToFileURL(path.join(REPO_ROOT, "apps/server/src/db/data-dir-lock.ts")).href;
    // Each racer loads the module, says "ready", and tries when it reads "go" (sent to all at once).
    const script = `
      const { acquireDataDirLock } = await import(${JSON.stringify(moduleUrl)});
      process.stdin.once("data", () => {
        try { acquireDataDirLock(${JSON.stringify(dir)}, "racer"); console.log("won"); }
        catch (err) { console.log(err.name === "DataDirLockedError" ? "lost" : "error " + err.message); }
      });
      process.stdin.on("end", () => process.exit(0));
      console.log("ready");`;
    const racers = Array.from({ length: 6 }, () => {
      const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
      let out = "";
      proc.stdout!.on("data", (chunk) => (out += chunk));
      const line = (lineNo: number) =>
        new Promise<string>((resolve) => {
          const check = () => (out.split("\n").length > lineNo ? resolve(out.split("\n")[lineNo - 1]) : undefined);
          proc.stdout!.on("data", check);
          proc.on("exit", () => resolve(`exited: ${out}`));
          check();
        });
      return { p: proc, ready: line(1), answered: line(2) };
    });
    expect(await Promise.all(racers.map((r) => r.ready))).toEqual(racers.map(() => "ready"));
    for (const r of racers) r.p.stdin!.write("go\n");
    // Every racer answers while the winner still holds the lock.
    const answers = await Promise.all(racers.map((r) => r.answered));
    for (const r of racers) r.p.stdin!.end();
    await Promise.all(racers.map((r) => new Promise((resolve) => (r.p.exitCode !== null ? resolve(null) : r.p.on("exit", resolve)))));
    expect(answers.sort()).toEqual(["lost", "lost", "lost", "lost", "lost", "won"]);
    expect(existsSync(lockPath(dir))).toBe(false); // the winner released it on exit
  });
});
