/**
 * A join storm against one media node (MEDIA_WORKERS=1) in its own process: one publisher, a class
 * of `base` subscribers, then `joiners` more within `joinWindowMs`, while a child process spins on
 * the machine's other core. The clients run in child processes (stormClient.ts), so neither the
 * bench's nor the SFU's event loop carries them. Used by `npm run bench:joins`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { MediaNodeClient } from "../index.js";
import type { MediaEvent } from "../types.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SECRET = "join-storm-secret-0123456789abcdef";

export interface StormOptions {
  base: number;
  joiners: number;
  joinWindowMs: number;
  /** How many child processes carry the joiners (the base class gets one more). */
  joinerProcesses: number;
  /** Keep the machine's other core busy with a spinning child process. */
  spin: boolean;
  /** RTC port range of the SFU (the test and the bench use their own). */
  ports: [number, number];
  /** Extra environment of the SFU process (MEDIA_ADMISSION_*, …). */
  sfuEnv?: Record<string, string>;
  /** Node flags of the SFU process, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  sfuNodeArgs?: string[];
  /** Give up waiting for the joiners after this long. */
  deadlineMs: number;
  log?: (line: string) => void;
}

export interface ClientRow {
  id: string;
  state: string;
  states: string[];
  /** What happened when (stormClient.ts), for reading a failure. */
  timeline?: string[];
  received: number;
  sent: number;
  error?: string;
  connectMs?: number;
  connectedAt?: number;
  firstPacketAt?: number;
}

export interface StormResult {
  /** Server-side transports closed with reason "failed" (by peer id), and producers closed. */
  serverFailed: string[];
  producersClosed: number;
  /** MEDIA_BUSY answers the clients got (each retried). */
  busyAnswers: number;
  publisher: ClientRow;
  base: ClientRow[];
  joiners: ClientRow[];
  /** Largest gap, over the storm, in which an existing subscriber got no packet (ms), per subscriber. */
  baseMaxGapMs: number[];
  stormStartedAt: number;
  /** When the last joiner received its first packet (or undefined). */
  allJoinedAt?: number;
  /** Joins per second: joiners that received media / seconds from the storm's start to the last one's first packet. */
  joinsPerSecond?: number;
  /** Median and worst time from a joiner's start to its transport connected. */
  connectP50Ms?: number;
  connectMaxMs?: number;
}

const latest = new Map<string, ClientRow>();
/** Every process a storm started and that has not exited (the SFU, the clients, the spinner). */
const live = new Set<ChildProcess>();

function own(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Kills what a storm left running (a test's afterAll, should the storm itself be cut short). */
export function killStormProcesses(): void {
  for (const child of live) if (child.exitCode === null) child.kill("SIGKILL");
  live.clear();
}
/** MEDIA_BUSY answers each client process got (and retried), by process. */
const busyBy = new Map<ChildProcess, number>();

function startClient(url: string, role: string, first: number, count: number, spacingMs: number, log: (line: string) => void): ChildProcess {
  const child = own(
    spawn(
      process.execPath,
      ["--import", "tsx", path.join(HERE, "stormClient.ts"), url, SECRET, "storm", role, String(first), String(count), String(spacingMs)],
      { stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    try {
      const report = JSON.parse(line) as { busy: number; clients: ClientRow[] };
      busyBy.set(child, report.busy);
      for (const row of report.clients) latest.set(row.id, row);
    } catch {
      log(`client: ${line}`);
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => log(`client stderr: ${chunk.toString().trim()}`));
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, deadline: number, fn: () => boolean): Promise<void> {
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`join storm: timed out waiting for ${what}`);
    await sleep(200);
  }
}

export async function runJoinStorm(opts: StormOptions): Promise<StormResult> {
  const log = opts.log ?? (() => {});
  latest.clear();
  busyBy.clear();
  const children: ChildProcess[] = [];
  const sfu = own(
    spawn(process.execPath, [...(opts.sfuNodeArgs ?? []), "--import", "tsx", path.join(HERE, "sfuServer.ts")], {
      env: {
        ...process.env,
        MEDIA_SECRET: SECRET,
        MEDIA_WORKERS: "1",
        RTC_LISTEN_IP: "127.0.0.1",
        RTC_MIN_PORT: String(opts.ports[0]),
        RTC_MAX_PORT: String(opts.ports[1]),
        LOG_LEVEL: process.env.STORM_LOG_LEVEL ?? "warn",
        ...opts.sfuEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  children.push(sfu);
  sfu.stderr?.on("data", (chunk: Buffer) => log(`sfu: ${chunk.toString().trim()}`));
  let media: MediaNodeClient | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      sfu.stdout?.on("data", (chunk: Buffer) => {
        out += chunk;
        const match = /MEDIA_NODE_URL=(\S+)/.exec(out);
        if (match) resolve(match[1]);
        else if (out.length > 10_000) out = out.slice(-1000);
      });
      sfu.once("exit", (code) => reject(new Error(`SFU exited ${code}`)));
    });
    const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => quiet };
    media = new MediaNodeClient(url, SECRET, quiet as never);
    const serverFailed: string[] = [];
    let producersClosed = 0;
    media.on("event", (e: MediaEvent) => {
      if (e.type === "transport-closed" && e.reason === "failed") serverFailed.push(e.peerId);
      if (e.type === "producer-closed") producersClosed++;
    });
    await media.eventsReady;

    const started = Date.now();
    children.push(startClient(url, "publisher", 0, 1, 0, log));
    await until("the publisher", started + 60_000, () => (latest.get("pub-0")?.sent ?? 0) > 0);
    // The class: its subscribers join 40 ms apart and all receive media.
    children.push(startClient(url, "subscribers", 0, opts.base, 40, log));
    const baseIds = Array.from({ length: opts.base }, (_, i) => `sub-${i}`);
    await until("the class's subscribers", started + opts.deadlineMs, () => baseIds.every((id) => (latest.get(id)?.received ?? 0) > 0));
    log(`class of ${opts.base} receiving after ${Date.now() - started} ms`);
    await sleep(2000);

    let spinner: ChildProcess | undefined;
    if (opts.spin) {
      spinner = own(spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
      children.push(spinner);
    }
    // The storm: `joiners` subscribers spread over the window, in several processes.
    const stormStartedAt = Date.now();
    const perProcess = Math.ceil(opts.joiners / opts.joinerProcesses);
    const joinerIds: string[] = [];
    for (let p = 0; p < opts.joinerProcesses; p++) {
      const first = opts.base + p * perProcess;
      const count = Math.min(perProcess, opts.joiners - p * perProcess);
      if (count <= 0) break;
      for (let i = 0; i < count; i++) joinerIds.push(`sub-${first + i}`);
      children.push(startClient(url, "subscribers", first, count, Math.floor(opts.joinWindowMs / count), log));
    }
    const gaps = new Map<string, { last: number; at: number; max: number }>();
    let lastLog = 0;
    const done = () => joinerIds.every((id) => latest.get(id)?.firstPacketAt !== undefined || latest.get(id)?.error || latest.get(id)?.state === "failed");
    while (!done() && Date.now() < stormStartedAt + opts.deadlineMs) {
      const now = Date.now();
      for (const id of baseIds) {
        const row = latest.get(id);
        if (!row) continue;
        const gap = gaps.get(id) ?? { last: row.received, at: now, max: 0 };
        if (row.received !== gap.last) {
          gap.last = row.received;
          gap.at = now;
        }
        gap.max = Math.max(gap.max, now - gap.at);
        gaps.set(id, gap);
      }
      if (now - lastLog > 5000) {
        lastLog = now;
        const joined = joinerIds.filter((id) => latest.get(id)?.firstPacketAt !== undefined).length;
        log(`${((now - stormStartedAt) / 1000).toFixed(0)} s: ${joined}/${joinerIds.length} joiners receive; server failures ${serverFailed.length}`);
      }
      await sleep(250);
    }
    // Keep watching the class for a few seconds after the last join.
    const tail = Date.now() + 4000;
    while (Date.now() < tail) {
      const now = Date.now();
      for (const id of baseIds) {
        const row = latest.get(id);
        const gap = gaps.get(id);
        if (!row || !gap) continue;
        if (row.received !== gap.last) {
          gap.last = row.received;
          gap.at = now;
        }
        gap.max = Math.max(gap.max, now - gap.at);
      }
      await sleep(250);
    }
    const rows = (ids: string[]) => ids.map((id) => latest.get(id) ?? { id, state: "never reported", states: [], received: 0, sent: 0 });
    const joiners = rows(joinerIds);
    const firsts = joiners.map((j) => j.firstPacketAt).filter((t): t is number => t !== undefined);
    const connects = joiners
      .map((j) => j.connectMs)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const allJoinedAt = firsts.length === joiners.length ? Math.max(...firsts) : undefined;
    const lastFirst = firsts.length ? Math.max(...firsts) : undefined;
    return {
      serverFailed,
      producersClosed,
      busyAnswers: [...busyBy.values()].reduce((a, b) => a + b, 0),
      publisher: rows(["pub-0"])[0],
      base: rows(baseIds),
      joiners,
      baseMaxGapMs: baseIds.map((id) => gaps.get(id)?.max ?? Number.POSITIVE_INFINITY),
      stormStartedAt,
      allJoinedAt,
      joinsPerSecond: lastFirst ? +(firsts.length / ((lastFirst - stormStartedAt) / 1000)).toFixed(2) : undefined,
      connectP50Ms: connects.length ? connects[Math.floor(connects.length / 2)] : undefined,
      connectMaxMs: connects.length ? connects[connects.length - 1] : undefined,
    };
  } finally {
    media?.close().catch(() => {});
    for (const child of children.reverse()) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    }
  }
}
