/**
 * The chat benchmark's load generator (a process of its own, so its sockets do not share the
 * server's event loop). Reads its plan as JSON on stdin, connects the host and every student
 * over WebSocket, has each student send its messages at random moments of the window, and
 * writes one JSON line of results on stdout: fan-out latency per delivery (send → arrival at
 * each socket in the room, on this process's clock), deliveries missing, `/health` latency.
 */
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";

export interface LoadPlan {
  urls: string[];
  roomId: string;
  hostToken: string;
  studentTokens: string[];
  messagesPerStudent: number;
  windowMs: number;
  /** Every student sends all its messages at the same moment (windowMs is not used). */
  burst: boolean;
  /** Sockets joining at once. */
  joinConcurrency: number;
}

export interface LoadResult {
  sockets: number;
  sent: number;
  refused: Record<string, number>;
  expectedDeliveries: number;
  deliveries: number;
  lost: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  healthMs: { p50: number; p99: number; max: number; probes: number };
  joinSeconds: number;
  /** This process's CPU (user + system) from the first send to the end. */
  cpuSeconds: number;
}

const TAG = "bench:";
const pct = (sorted: number[], quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? Number.NaN;
const round = (value: number) => Math.round(value * 10) / 10;

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { path: "/socket.io/", transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: 60_000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => reject(err));
  });
}

async function join(socket: Socket, roomId: string): Promise<void> {
  const ack = await socket.timeout(120_000).emitWithAck("join-room", { roomId });
  if (!ack?.ok) throw new Error(`join-room refused: ${JSON.stringify(ack?.error ?? ack)}`);
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const latencies: number[] = [];
  let deliveries = 0;
  const listen = (socket: Socket) =>
    socket.on("chat-message", (event: { message: { text: string } }) => {
      const text = event.message.text;
      if (!text.startsWith(TAG)) return;
      deliveries++;
      latencies.push(performance.now() - Number(text.slice(TAG.length).split(" ")[0]));
    });

  const joinStart = performance.now();
  const urlOf = (index: number) => plan.urls[index % plan.urls.length] ?? plan.urls[0] ?? "";
  const host = await connect(urlOf(0), plan.hostToken);
  await join(host, plan.roomId);
  listen(host);
  const students: Socket[] = [];
  let next = 0;
  const joinOne = async (): Promise<void> => {
    while (next < plan.studentTokens.length) {
      const i = next++;
      const socket = await connect(urlOf(i), plan.studentTokens[i] ?? "");
      await join(socket, plan.roomId);
      listen(socket);
      students.push(socket);
    }
  };
  await Promise.all(Array.from({ length: plan.joinConcurrency }, joinOne));
  const joinSeconds = (performance.now() - joinStart) / 1000;
  // Let the joins' participant updates drain before measuring.
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const health: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await fetch(`${plan.urls[0]}/health`)
        .then((res) => res.arrayBuffer())
        .catch(() => undefined);
      health.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  process.stderr.write("phase:send\n");
  const cpuAtSend = process.cpuUsage();
  let sent = 0;
  const refused: Record<string, number> = {};
  const sends: Promise<void>[] = [];
  for (const student of students) {
    for (let m = 0; m < plan.messagesPerStudent; m++) {
      sends.push(
        new Promise<void>((resolve) => {
          setTimeout(
            () => {
              student
                .timeout(60_000)
                .emitWithAck("chat-send", { roomId: plan.roomId, text: `${TAG}${performance.now()} ${m}` })
                .then((ack: { ok: boolean; error?: { code: string } }) => {
                  if (ack?.ok) sent++;
                  else refused[ack?.error?.code ?? "NO_ACK"] = (refused[ack?.error?.code ?? "NO_ACK"] ?? 0) + 1;
                })
                .catch(() => (refused.TIMEOUT = (refused.TIMEOUT ?? 0) + 1))
                .finally(resolve);
            },
            plan.burst ? 0 : Math.random() * plan.windowMs,
          );
        }),
      );
    }
  }
  await Promise.all(sends);
  const sockets = students.length + 1;
  const expectedDeliveries = sent * sockets;
  const deadline = performance.now() + 60_000;
  while (deliveries < expectedDeliveries && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  probing = false;
  await probe;
  const cpu = process.cpuUsage(cpuAtSend);
  for (const s of [host, ...students]) s.close();

  latencies.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  return {
    sockets,
    sent,
    refused,
    expectedDeliveries,
    deliveries,
    lost: expectedDeliveries - deliveries,
    latencyMs: {
      p50: round(pct(latencies, 0.5)),
      p95: round(pct(latencies, 0.95)),
      p99: round(pct(latencies, 0.99)),
      max: round(latencies.at(-1) ?? Number.NaN),
    },
    healthMs: { p50: round(pct(health, 0.5)), p99: round(pct(health, 0.99)), max: round(health.at(-1) ?? Number.NaN), probes: health.length },
    joinSeconds: round(joinSeconds),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (process.argv.includes("--child")) {
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (input += chunk));
  process.stdin.on("end", () => {
    runLoad(JSON.parse(input) as LoadPlan)
      .then((result) => {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        process.exit(0);
      })
      .catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      });
  });
}
