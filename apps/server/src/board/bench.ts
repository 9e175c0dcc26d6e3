/**
 * `npm run bench:board` (apps/server/bin/vtp-bench-board.js): not a test. One class of N
 * participants (default 200: the teacher and 199 students) on one or two app servers (two share
 * Redis); the teacher puts the whiteboard on the stage and draws: `--updates` stroke updates
 * (default 400) at `--rate` per second (default 20, as a browser throttles a stroke being
 * drawn), each one the current freedraw element with its points so far (a new stroke every
 * `--stroke-points` updates, so messages grow from 1 to that many points, as while drawing).
 * Measured per scenario:
 * - latency from the teacher's send to each other participant's receipt of that `board-elements`
 *   (p50/p95/p99/max over every receipt);
 * - messages lost: updates × other participants − receipts (must be 0), after the last one drained;
 * - the servers' CPU per stroke message (µs, /proc of the server processes and their children,
 *   from the first send until every receipt arrived): the database transaction, the fan-out to
 *   every socket and, on two servers, the Redis hop; gross, and net of what the idle class costs
 *   over the same time (sampled for 5 s before: heartbeats, timers, the media worker);
 * - the `board-elements` messages each participant got (rapid updates of one element are merged
 *   on the server: an update counts as received when its element arrives at its version or newer);
 * - the database's `board_ops` draw rows (the history keeps a growing stroke every 250 ms + its last version).
 * The load generator is this process (its sockets only receive, apart from the drawer's).
 *
 * Flags: --participants 200  --nodes 1,2  --updates 400  --rate 20  --stroke-points 50  --code <ref>  --baseline <ref>
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { benchClass, benchTrees, flag, list } from "../bench/servers.js";

const now = () => performance.timeOrigin + performance.now();
const round = (value: number) => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the idle class's CPU is sampled before the strokes. */
const IDLE_SAMPLE_MS = 5000;

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

/** Update `index` of the drawing: stroke `index / perStroke`, with `index % perStroke + 1` points. */
function strokeUpdate(index: number, perStroke: number) {
  const strokeNo = Math.floor(index / perStroke);
  const count = (index % perStroke) + 1;
  const points: [number, number][] = Array.from({ length: count }, (_unused, i) => [i * 3, Math.round(Math.sin(i / 4) * 30)]);
  return {
    id: `bench-${strokeNo}`,
    type: "freedraw",
    version: count,
    versionNonce: index,
    isDeleted: false,
    x: 40 + (strokeNo % 10) * 50,
    y: 60 + Math.floor(strokeNo / 10) * 40,
    width: count * 3,
    height: 60,
    angle: 0,
    strokeColor: "#e03131",
    backgroundColor: "transparent",
    fillStyle: "solid",
    strokeWidth: 2,
    strokeStyle: "solid",
    roughness: 1,
    opacity: 100,
    seed: 1,
    index: `a${strokeNo}`,
    groupIds: [],
    frameId: null,
    roundness: null,
    boundElements: null,
    updated: 1,
    link: null,
    locked: false,
    points,
    pressures: [],
    simulatePressure: true,
  };
}

interface BoardBenchResult {
  updates: number;
  receivers: number;
  expected: number;
  received: number;
  lost: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  cpuUsPerMessage: number;
  /** The same without the idle class's CPU over the same time. */
  netCpuUsPerMessage: number;
  opsRows: number;
  /** board-elements messages each participant got, on average (merged updates make fewer). */
  messagesPerReceiver: number;
  load: string;
  joinSeconds: number;
}

async function scenario(tree: string, participants: number, nodes: number, updates: number, rate: number, perStroke: number): Promise<BoardBenchResult> {
  const bench = await benchClass(tree, participants - 1, nodes, "Board benchmark");
  const sockets: Socket[] = [];
  try {
    const urls = bench.servers.map((server) => server.url);
    const joinStart = now();
    const host = await connect(urls[0] as string, bench.hostToken);
    sockets.push(host);
    await ack(host, "join-room", { roomId: bench.roomId });
    const receivers: Socket[] = new Array(bench.studentTokens.length);
    await pool(bench.studentTokens, 20, async (token, index) => {
      const socket = await connect(urls[(index + 1) % urls.length] as string, token);
      sockets.push(socket);
      await ack(socket, "join-room", { roomId: bench.roomId });
      receivers[index] = socket;
    });
    const joinSeconds = (now() - joinStart) / 1000;
    await ack(host, "board-present", { roomId: bench.roomId, surfaceId: "whiteboard" });
    // Let the joins' participant updates and the stage drain before measuring.
    await sleep(2000);

    // Rapid updates of one element are merged on the server: an update counts as received when
    // a message carries its element at its version or a newer one (each stroke's versions are 1…).
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let received = 0;
    let messages = 0;
    const newest = receivers.map(() => new Map<string, number>());
    receivers.forEach((socket, index) => {
      socket.on("board-elements", (event: { elements: { id: string; version: number }[] }) => {
        const at = now();
        messages++;
        const seen = newest[index] as Map<string, number>;
        for (const element of event.elements) {
          for (let version = (seen.get(element.id) ?? 0) + 1; version <= element.version; version++) {
            const sent = sentAt.get(`${element.id}/${version}`);
            if (sent === undefined) continue;
            received++;
            latencies.push(at - sent);
          }
          seen.set(element.id, Math.max(seen.get(element.id) ?? 0, element.version));
        }
      });
    });

    // The servers' CPU while the class sits idle (heartbeats, timers, the media worker), to subtract.
    const idleFrom = bench.serverCpuSeconds();
    const idleStart = now();
    await sleep(IDLE_SAMPLE_MS);
    const idleCpuPerMs = (bench.serverCpuSeconds() - idleFrom) / (now() - idleStart);

    const cpuAtStart = bench.serverCpuSeconds();
    const acks: Promise<unknown>[] = [];
    const start = now();
    for (let index = 0; index < updates; index++) {
      const due = start + (index * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const element = strokeUpdate(index, perStroke);
      sentAt.set(`${element.id}/${element.version}`, now());
      acks.push(ack(host, "board-draw", { roomId: bench.roomId, surfaceId: "whiteboard", page: 1, elements: [element] }));
    }
    await Promise.all(acks);
    const expected = updates * receivers.length;
    // Wait (as a last guard, 60 s) until every receipt arrived.
    const deadline = Date.now() + 60_000;
    while (received < expected && Date.now() < deadline) await sleep(20);
    const cpuSeconds = bench.serverCpuSeconds() - cpuAtStart;
    const idleSeconds = idleCpuPerMs * (now() - start);
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(" ");

    latencies.sort((a, b) => a - b);
    const pct = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN);
    const client = new pg.Client({ connectionString: bench.databaseUrl });
    await client.connect();
    const opsRows = Number(
      (await client.query<{ count: string }>("select count(*) from board_ops where room_id = $1 and kind = 'draw'", [bench.roomId])).rows[0]?.count ?? 0,
    );
    await client.end();
    return {
      updates,
      receivers: receivers.length,
      expected,
      received,
      lost: expected - received,
      latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: round(latencies.at(-1) ?? Number.NaN) },
      cpuUsPerMessage: Math.round((cpuSeconds * 1e6) / Math.max(1, updates)),
      netCpuUsPerMessage: Math.round((Math.max(0, cpuSeconds - idleSeconds) * 1e6) / Math.max(1, updates)),
      opsRows,
      messagesPerReceiver: round(messages / Math.max(1, receivers.length)),
      load,
      joinSeconds: round(joinSeconds),
    };
  } finally {
    for (const socket of sockets) socket.close();
    await bench.close();
  }
}

async function main() {
  const participantsList = list(flag("participants", "200"));
  const nodesList = list(flag("nodes", "1,2"));
  const updates = Number(flag("updates", "400"));
  const rate = Number(flag("rate", "20"));
  const perStroke = Number(flag("stroke-points", "50"));
  const codeRef = flag("code", "");
  const baselineRef = flag("baseline", "");
  const { trees, removeAll } = benchTrees(codeRef, baselineRef);
  console.log(
    `board strokes: the teacher sends ${updates} stroke updates at ${rate}/s (freedraw elements growing to ${perStroke} points); servers on PostgreSQL${nodesList.some((n) => n > 1) ? " (+ Redis for 2 nodes)" : ""}`,
  );
  console.log(
    "| code | nodes | participants | updates | receipts expected | received | lost | send → receipt p50 / p95 / p99 / max ms | server CPU µs per stroke update (gross / net of idle) | messages per participant | board_ops draw rows | load average (1/5/15 min) | join s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const nodes of nodesList) {
      for (const participants of participantsList) {
        for (const tree of trees) {
          const result = await scenario(tree.dir, participants, nodes, updates, rate, perStroke);
          const latency = result.latencyMs;
          console.log(
            `| ${tree.name} | ${nodes} | ${participants} | ${result.updates} | ${result.expected} | ${result.received} | ${result.lost} | ${latency.p50} / ${latency.p95} / ${latency.p99} / ${latency.max} | ${result.cpuUsPerMessage} / ${result.netCpuUsPerMessage} | ${result.messagesPerReceiver} | ${result.opsRows} | ${result.load} | ${result.joinSeconds} |`,
          );
        }
      }
    }
  } finally {
    removeAll();
  }
}

await main();
