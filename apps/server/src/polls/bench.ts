/**
 * `npm run bench:poll` (apps/server/bin/vtp-bench-poll.js): not a test. One class of N students
 * (default 500) on one or two app servers (two share Redis); the teacher opens a single-choice
 * poll and every student answers at a random moment of a short window (default 2 s). Measured
 * per scenario:
 * - counted exactly once: the teacher's last live result, the close's result and the database's
 *   `poll_answers` rows all equal the number of students;
 * - latency from a student's answer to the teacher's live result that includes it: the k-th
 *   answer acknowledged is in the first `poll-results` the teacher receives with `answered ≥ k`
 *   (p50/p95/p99/max; live results are coalesced, at most one per 250 ms per poll and server);
 * - the servers' CPU per answer (µs, /proc of the server processes from the first answer to
 *   the last result).
 * The load generator is this process (its sockets are idle apart from one answer each).
 *
 * Flags: --students 500  --nodes 1,2  --window-seconds 2  --code <ref>  --baseline <ref>
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { benchClass, benchTrees, flag, list } from "../bench/servers.js";

const now = () => performance.timeOrigin + performance.now();
const round = (value: number) => Math.round(value * 10) / 10;

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: 60_000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function ack<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown): Promise<T & { ok: boolean; error?: unknown }> {
  const answer = await socket.timeout(120_000).emitWithAck(event, payload);
  if (!answer?.ok) throw new Error(`${event} refused: ${JSON.stringify(answer?.error ?? answer)}`);
  return answer;
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index] as T, index);
      }
    }),
  );
}

interface PollBenchResult {
  answers: number;
  lastLive: number;
  closed: number;
  rows: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  liveEvents: number;
  cpuUsPerAnswer: number;
  joinSeconds: number;
}

async function scenario(tree: string, students: number, nodes: number, windowMs: number): Promise<PollBenchResult> {
  const bench = await benchClass(tree, students, nodes, "Poll benchmark");
  const sockets: Socket[] = [];
  try {
    const urls = bench.servers.map((server) => server.url);
    const joinStart = now();
    const host = await connect(urls[0] as string, bench.hostToken);
    sockets.push(host);
    await ack(host, "join-room", { roomId: bench.roomId });
    const studentSockets: Socket[] = new Array(students);
    await pool(bench.studentTokens, 20, async (token, index) => {
      const socket = await connect(urls[index % urls.length] as string, token);
      sockets.push(socket);
      await ack(socket, "join-room", { roomId: bench.roomId });
      studentSockets[index] = socket;
    });
    const joinSeconds = (now() - joinStart) / 1000;
    // Let the joins' participant updates drain before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const live: { at: number; answered: number }[] = [];
    host.on("poll-results", (event: { results: { answered: number } }) => live.push({ at: now(), answered: event.results.answered }));
    const opened = studentSockets.map((socket) => new Promise<void>((resolve) => socket.once("poll-updated", () => resolve())));
    const created = await ack<{ poll: { id: string } }>(host, "poll-create", {
      roomId: bench.roomId,
      poll: { question: "Which one?", kind: "single", options: ["A", "B", "C", "D"] },
      open: true,
    });
    const pollId = created.poll.id;
    await Promise.all(opened);

    const cpuAtStart = bench.serverCpuSeconds();
    const sentAt: number[] = new Array(students);
    const ackedAt: { index: number; at: number }[] = [];
    await Promise.all(
      studentSockets.map(
        (socket, index) =>
          new Promise<void>((resolve, reject) => {
            setTimeout(() => {
              sentAt[index] = now();
              ack(socket, "poll-answer", { roomId: bench.roomId, pollId, choices: [index % 4] }).then(() => {
                ackedAt.push({ index, at: now() });
                resolve();
              }, reject);
            }, Math.random() * windowMs);
          }),
      ),
    );
    // Wait (as a last guard, 60 s) for the teacher's live result that counts every answer.
    const deadline = Date.now() + 60_000;
    while ((live.at(-1)?.answered ?? 0) < students && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const cpuSeconds = bench.serverCpuSeconds() - cpuAtStart;

    const latencies = ackedAt
      .sort((a, b) => a.at - b.at)
      .map((acked, rank) => {
        const seen = live.find((event) => event.answered >= rank + 1 && event.at >= (sentAt[acked.index] ?? 0));
        return seen ? seen.at - (sentAt[acked.index] ?? 0) : Number.POSITIVE_INFINITY;
      })
      .sort((a, b) => a - b);
    const pct = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN);

    const closed = await ack<{ results: { answered: number } }>(host, "poll-close", { roomId: bench.roomId, pollId });
    const client = new pg.Client({ connectionString: bench.databaseUrl });
    await client.connect();
    const rows = Number((await client.query<{ count: string }>("select count(*) from poll_answers where poll_id = $1", [pollId])).rows[0]?.count ?? 0);
    await client.end();
    return {
      answers: ackedAt.length,
      lastLive: live.at(-1)?.answered ?? 0,
      closed: closed.results.answered,
      rows,
      latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: round(latencies.at(-1) ?? Number.NaN) },
      liveEvents: live.length,
      cpuUsPerAnswer: Math.round((cpuSeconds * 1e6) / Math.max(1, ackedAt.length)),
      joinSeconds: round(joinSeconds),
    };
  } finally {
    for (const socket of sockets) socket.close();
    await bench.close();
  }
}

async function main() {
  const studentsList = list(flag("students", "500"));
  const nodesList = list(flag("nodes", "1,2"));
  const windowMs = Number(flag("window-seconds", "2")) * 1000;
  const codeRef = flag("code", "");
  const baselineRef = flag("baseline", "");
  const { trees, removeAll } = benchTrees(codeRef, baselineRef);
  console.log(
    `poll answers: every student answers once within ${windowMs / 1000} s; servers on PostgreSQL${nodesList.some((n) => n > 1) ? " (+ Redis for 2 nodes)" : ""}`,
  );
  console.log(
    "| code | nodes | students | answers acked | teacher's last live result | result at close | rows in poll_answers | answer → teacher's live result p50 / p95 / p99 / max ms | live results events | server CPU µs per answer | join s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const nodes of nodesList) {
      for (const students of studentsList) {
        for (const tree of trees) {
          const result = await scenario(tree.dir, students, nodes, windowMs);
          const latency = result.latencyMs;
          console.log(
            `| ${tree.name} | ${nodes} | ${students} | ${result.answers} | ${result.lastLive} | ${result.closed} | ${result.rows} | ${latency.p50} / ${latency.p95} / ${latency.p99} / ${latency.max} | ${result.liveEvents} | ${result.cpuUsPerAnswer} | ${result.joinSeconds} |`,
          );
        }
      }
    }
  } finally {
    removeAll();
  }
}

await main();
