/**
 * `npm run bench:breakout` (apps/server/bin/vtp-bench-breakout.js): not a test. One app server
 * (BENCH_MEDIA_WORKERS, default 2: every core of this machine) and a class of `--students` (100);
 * the teacher's microphone is on in the main room. The teacher opens `--groups` (20) groups
 * (auto); every student starts their media over in the group (leave-media, recv and send
 * transports, a microphone, a consumer per group mate) and is counted "in" when a packet of every
 * mate arrived. After `--steady` seconds (10) of group work the teacher closes the groups (no
 * countdown): every student starts over in the main room and is "back" when the teacher's voice
 * arrives. Measured: the join time of each student from the teacher's click (p50/p95/max, all in)
 * both ways, and the server's CPU (app + media worker threads, /proc) per second of wall time in
 * groups and in the main room. The students are werift peer connections in child processes
 * (benchClient.ts, `--per-process` students each, as bench:joins), sending crafted Opus-sized RTP at
 * `--pps` packets per second (default 25); the teacher is in this process. A student whose media
 * fails starts it over, without limit, for the whole phase; the restarts and their reasons, and
 * the MEDIA_BUSY answers retried, are printed.
 *
 * Flags: --students 100  --groups 20  --steady 10  --pps 25  --per-process 10  --limit 240
 * (seconds a phase may take; after that the run reports the students done so far as PARTIAL)
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import type { Socket } from "socket.io-client";
import { benchClass, flag, repoRoot } from "../bench/servers.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";
import { ack, connect, Session } from "./benchSession.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const round = (value: number) => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the client processes said: when each student was in, by room; restarts; MEDIA_BUSY answers. */
const inAt = new Map<string, Map<number, number>>();
const restarts: { index: number; reason: string; at: number }[] = [];
const busyBy = new Map<ChildProcess, number>();
let ready = 0;

function startClients(url: string, roomId: string, pps: number, mates: number, first: number, tokens: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(HERE, "benchClient.ts"), url, roomId, String(pps), String(mates), String(first)],
    // The tokens by the environment, not the command line (which \`ps\` shows).
    { env: { ...process.env, BENCH_STUDENT_TOKENS: tokens.join(",") }, stdio: ["ignore", "pipe", "pipe"] },
  );
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    let said: { ready?: number; in?: number; room?: string; at?: number; restart?: number; reason?: string; busy?: number };
    try {
      said = JSON.parse(line);
    } catch {
      console.log(`client: ${line}`);
      return;
    }
    if (said.ready !== undefined) ready += said.ready;
    if (said.in !== undefined && said.room) {
      const room = inAt.get(said.room) ?? new Map<number, number>();
      inAt.set(said.room, room);
      room.set(said.in, said.at ?? Date.now());
    }
    if (said.restart !== undefined) restarts.push({ index: said.restart, reason: said.reason ?? "", at: Date.now() });
    if (said.busy !== undefined) busyBy.set(child, said.busy);
  });
  child.stderr?.on("data", (chunk: Buffer) => console.log(`client stderr: ${chunk.toString().trim().slice(0, 500)}`));
  return child;
}

const busyTotal = () => [...busyBy.values()].reduce((a, b) => a + b, 0);

/**
 * Waits until every student is in (`done()` counts them), printing progress every 10 s; after
 * `limitS` seconds it stops waiting. Returns each student's time (ms) from `clickAt`.
 */
async function phase(name: string, clickAt: number, students: number, times: () => number[], limitS: number): Promise<{ times: number[]; complete: boolean }> {
  for (let s = 1; ; s++) {
    await sleep(1000);
    if (times().length >= students) break;
    if (s % 10 === 0)
      console.log(
        `  ${new Date().toISOString().slice(11, 19)} ${name}: ${times().length}/${students} students in after ${s} s, ${restarts.length} media restarts, ${busyTotal()} MEDIA_BUSY so far`,
      );
    if (s >= limitS) {
      console.log(`  ${name}: stopped waiting after ${limitS} s (${students - times().length} students not in)`);
      break;
    }
  }
  const ms = times().map((at) => at - clickAt);
  return { times: ms, complete: ms.length >= students };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const summary = (ms: number[]) =>
  ms.length === 0 ? "nobody" : `p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms, all in ${Math.round(Math.max(...ms))} ms`;

function why(since: number) {
  const reasons = new Map<string, number>();
  for (const r of restarts.slice(since)) {
    const key = r.reason.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>");
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  const students = new Set(restarts.slice(since).map((r) => r.index)).size;
  if (reasons.size > 0)
    console.log(
      `why media started over (${students} students): ${[...reasons]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([reason, n]) => `${n}× ${reason}`)
        .join(" | ")}`,
    );
}

/**
 * The teacher's microphone in the main room, started over (as the web client does) whenever it
 * fails: the server's `media-reset`, a failed connection. Resolves once it is first published.
 */
async function keepTeacher(host: Socket, teacher: { session?: Session; restarts: string[]; stopped: boolean }, roomId: string, pps: number): Promise<void> {
  host.on("media-reset", (e: { roomId: string; reason: string }) => {
    if (e.roomId === roomId) teacher.session?.fail(new Error(`media-reset (${e.reason})`));
  });
  let published = () => {};
  const ready = new Promise<void>((resolve) => {
    published = resolve;
  });
  void (async () => {
    while (!teacher.stopped) {
      const session = new Session(host, pps);
      teacher.session = session;
      try {
        await ack(host, "leave-media", {});
        await session.start();
        await session.publish();
        published();
        while (!session.failed) await sleep(100);
      } catch (err) {
        session.fail(err as Error);
      }
      if (teacher.stopped) return;
      teacher.restarts.push(`${new Date().toISOString().slice(11, 19)} ${session.failed?.message}`);
      console.log(`  ${new Date().toISOString().slice(11, 19)} the teacher's media starts over: ${session.failed?.message}`);
      await session.close();
      await sleep(500);
    }
  })();
  await ready;
}

async function main() {
  const students = Number(flag("students", "100"));
  const groups = Number(flag("groups", "20"));
  const steady = Number(flag("steady", "10"));
  const pps = Number(flag("pps", "25"));
  const perProcess = Number(flag("per-process", "10"));
  const limit = Number(flag("limit", "240"));
  disableWeriftDefaultStun();
  process.env.BENCH_MEDIA_WORKERS ??= "2";
  const bench = await benchClass(repoRoot, students, 1, "Breakout bench");
  const url = bench.servers[0]?.url ?? "";
  const children: ChildProcess[] = [];
  let host: Socket | undefined;
  const teacher: { session?: Session; restarts: string[]; stopped: boolean } = { restarts: [], stopped: false };
  try {
    host = await connect(url, bench.hostToken);
    await ack(host, "join-room", { roomId: bench.roomId });
    await keepTeacher(host, teacher, bench.roomId, pps);
    const mates = Math.floor(students / groups) - 1;
    for (let first = 0; first < students; first += perProcess)
      children.push(startClients(url, bench.roomId, pps, mates, first, bench.studentTokens.slice(first, first + perProcess)));
    const readyBy = Date.now() + 300_000;
    while (ready < students) {
      if (Date.now() > readyBy) throw new Error(`only ${ready}/${students} students joined the class`);
      await sleep(250);
    }
    console.log(
      `${students} students in class (${children.length} client processes); teacher's microphone on (${process.env.BENCH_MEDIA_WORKERS} media workers, ${pps} packets/s per microphone)`,
    );

    // ---- open: every student into a group, media started over there
    const openAt = Date.now();
    await ack(host, "breakout-open", { roomId: bench.roomId, mode: "auto", groups: Array.from({ length: groups }, () => ({})) });
    const groupTimes = () => [...inAt].filter(([room]) => room !== bench.roomId).flatMap(([, by]) => [...by.values()]);
    const opened = await phase("open", openAt, students, groupTimes, limit);
    console.log(
      `open (${groups} groups): each student hears every group mate — ${opened.complete ? "" : `PARTIAL, ${opened.times.length}/${students} students: `}${summary(opened.times)}; ${restarts.length} media restarts, ${busyTotal()} MEDIA_BUSY retried`,
    );
    why(0);
    const openRestarts = restarts.length;
    const openBusy = busyTotal();

    const cpuBefore = bench.serverCpuSeconds();
    const wallBefore = Date.now();
    await sleep(steady * 1000);
    const groupCores = (bench.serverCpuSeconds() - cpuBefore) / ((Date.now() - wallBefore) / 1000);
    const inGroups = groupTimes().length;
    console.log(
      `in groups: server CPU ${round(groupCores)} cores over ${steady} s (${inGroups} students in; ${students} microphones, ${students * mates} consumers when all are in; ${restarts.length - openRestarts} restarts meanwhile)`,
    );

    // ---- close: everyone back in the main room, listening to the teacher again
    const closeAt = Date.now();
    const closeRestarts = restarts.length;
    await ack(host, "breakout-close", { roomId: bench.roomId, countdownSeconds: 0 });
    const backTimes = () => [...(inAt.get(bench.roomId)?.values() ?? [])];
    console.log(`  the teacher's media: ${teacher.session?.describe()}; restarted ${teacher.restarts.length} times (${teacher.restarts.join(" | ")})`);
    const closed = await phase("close", closeAt, students, backTimes, limit);
    console.log(
      `close: each student hears the teacher in the main room — ${closed.complete ? "" : `PARTIAL, ${closed.times.length}/${students} students: `}${summary(closed.times)}; ${restarts.length - closeRestarts} media restarts, ${busyTotal() - openBusy} MEDIA_BUSY retried`,
    );
    why(closeRestarts);
    const mainBefore = bench.serverCpuSeconds();
    const mainWall = Date.now();
    await sleep(steady * 1000);
    const mainCores = (bench.serverCpuSeconds() - mainBefore) / ((Date.now() - mainWall) / 1000);
    console.log(`main room: server CPU ${round(mainCores)} cores over ${steady} s (1 microphone, ${students} consumers)`);
  } finally {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    teacher.stopped = true;
    await teacher.session?.close();
    host?.disconnect();
    await bench.close();
  }
}

await main();
process.exit(0);
