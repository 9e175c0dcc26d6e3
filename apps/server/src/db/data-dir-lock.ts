import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * One process at a time owns an embedded data directory: PGlite keeps its pages in memory and
 * writes them back on its own schedule, so a second process opening the same files would
 * silently overwrite the other's writes. The owner holds `<dataDir>/vtp.lock`, a small JSON
 * record of who it is. A holder that is gone (its pid no longer runs, or the pid now belongs
 * to a process started at another time) leaves a stale lock that the next opener takes over.
 */

export interface LockHolder {
  pid: number;
  /** The process start time in clock ticks since boot (/proc/<pid>/stat), when known. */
  startTicks?: number;
  /** What holds it, e.g. "vtp start". */
  command: string;
  hostname: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by \`${holder.command}\` (pid ${holder.pid}, since ${holder.since}). ` +
        `Only one process at a time may use an embedded database.`,
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export const LOCK_FILE = "vtp.lock";
const TAKEOVER_GUARD = "vtp.lock.takeover";
/** A takeover guard older than this was left by a process that died in the middle of one. */
const GUARD_STALE_MS = 10_000;

/** Takes the lock of `dataDir` for this process or throws DataDirLockedError naming the holder. */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, startTicks: processStartTicks(process.pid), command, hostname: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (tryCreate(lockPath, mine)) return register(lockPath, mine);
    const holder = readHolder(lockPath);
    if (holder === "missing") continue;
    if (holder !== "unreadable" && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    if (holder === "unreadable" && isBeingWritten(lockPath)) {
      sleepSync(50);
      continue;
    }
    removeStale(dataDir, lockPath, holder);
  }
  throw new Error(`Could not take the lock ${lockPath}: it keeps changing hands`);
}

/** Who holds the lock of `dataDir` now, or undefined when it is free or stale. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const holder = readHolder(path.join(dataDir, LOCK_FILE));
  return typeof holder === "object" && isAlive(holder) ? holder : undefined;
}

/** Writes the record to a private file and hard-links it into place: the link is atomic and fails if a lock exists. */
function tryCreate(lockPath: string, mine: LockHolder): boolean {
  const tmp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, `${JSON.stringify(mine)}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return tryCreateExclusive(lockPath, mine);
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** For file systems without hard links: O_EXCL creation, then the record (readers wait out the empty moment). */
function tryCreateExclusive(lockPath: string, mine: LockHolder): boolean {
  try {
    writeFileSync(lockPath, `${JSON.stringify(mine)}\n`, { flag: "wx", mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

/** An unreadable lock this young may be one being written right now. */
const WRITING_MS = 2_000;

function isBeingWritten(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs < WRITING_MS;
  } catch {
    return false;
  }
}

function readHolder(lockPath: string): LockHolder | "missing" | "unreadable" {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === "number" && typeof holder.command === "string" ? holder : "unreadable";
  } catch {
    return "unreadable";
  }
}

/**
 * Whether the holder still runs. The hostname is not consulted: a container gets a new one on
 * every start, and its crashed predecessor's lock must not block the data volume forever (two
 * machines sharing one embedded database over a network disk is not supported anyway).
 */
function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (holder.startTicks === undefined) return true;
  const now = processStartTicks(holder.pid);
  return now === undefined || now === holder.startTicks;
}

/** Field 22 of /proc/<pid>/stat; undefined off Linux. The name in field 2 may hold spaces and parentheses. */
function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes a stale lock. Two processes may find the same stale lock at once; a guard directory
 * (mkdir is atomic) makes sure only one of them removes it, and it re-reads the lock first so
 * that a fresh lock taken meanwhile is never removed.
 */
function removeStale(dataDir: string, lockPath: string, seen: LockHolder | "unreadable") {
  const guard = path.join(dataDir, TAKEOVER_GUARD);
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmdirSync(guard);
    } catch {
      /* removed by its owner meanwhile */
    }
    sleepSync(20);
    return;
  }
  try {
    const now = readHolder(lockPath);
    const same = typeof now === "object" && typeof seen === "object" ? now.pid === seen.pid && now.since === seen.since : now === seen;
    if (same) unlinkSync(lockPath);
  } finally {
    rmdirSync(guard);
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function register(lockPath: string, mine: LockHolder): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    const now = readHolder(lockPath);
    if (typeof now === "object" && now.pid === mine.pid && now.since === mine.since) {
      try {
        unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    }
  };
  // An exit without close (process.exit after an error) still frees the directory.
  process.on("exit", release);
  return { path: lockPath, release };
}
