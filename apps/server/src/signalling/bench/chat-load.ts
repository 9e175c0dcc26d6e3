/**
 * The chat benchmark's load generator: one or more processes of their own (`chat.ts` starts
 * them), so the sockets do not share the server's event loop, and 1,000 sockets' decoding does
 * not queue behind one thread. Each process gets its share of the class's sockets (the first
 * also the host and the `/health` probe) over IPC, connects and joins them, and on the parent's
 * word has each of its students send its messages at random moments of the window. Latency is
 * send → arrival at each socket, on the machine's clock (`performance.timeOrigin + now()`, the
 * same in every process), kept as a histogram of 0.1 ms bins.
 *
 * The sockets are `LeanSocket`s: the wire protocol spoken directly and arriving chat messages
 * not decoded, so the generator's CPU per delivery stays well below the server's.
 *
 * IPC: parent → child `plan`, then `go` once every process has joined, then `expect` (how many
 * messages were sent in all); child → parent `joined`, `sent`, `result`.
 */
import { performance } from "node:perf_hooks";
import { LeanSocket, numberAfter } from "./lean-socket.js";

type Socket = LeanSocket;

export interface LoadPlan {
  urls: string[];
  roomId: string;
  /** This process's share: the host (first process only) and these students. */
  hostToken?: string;
  studentTokens: string[];
  /** Index of this process's first student in the class (so students alternate between nodes as before). */
  firstStudent: number;
  messagesPerStudent: number;
  windowMs: number;
  /** Every student sends all its messages at the same moment (windowMs is not used). */
  burst: boolean;
  /** Sockets joining at once. */
  joinConcurrency: number;
  /** This process probes `/health` during the load. */
  probeHealth: boolean;
}

export type ParentMessage = { type: "plan"; plan: LoadPlan } | { type: "go" } | { type: "expect"; sent: number };

export interface LoadShardResult {
  sockets: number;
  deliveries: number;
  /** Latency histogram: [bin (0.1 ms), count]. */
  latencyBins: [number, number][];
  health: number[];
  joinSeconds: number;
  /** This process's CPU (user + system) from the first send to the end, and the wall time of that span. */
  cpuSeconds: number;
  wallSeconds: number;
}

export type ChildMessage =
  | { type: "joined" }
  | { type: "sent"; sent: number; refused: Record<string, number> }
  | { type: "result"; result: LoadShardResult }
  | { type: "error"; error: string };

const TAG = "bench:";
const TEXT_MARK = Buffer.from(`"text":"${TAG}`);
const now = () => performance.timeOrigin + performance.now();

const connect = (url: string, token: string): Promise<Socket> => LeanSocket.connect(url, { token });

async function join(socket: Socket, roomId: string): Promise<void> {
  const ack = (await socket.emitWithAck("join-room", { roomId }, 120_000)) as { ok?: boolean; error?: unknown } | undefined;
  if (!ack?.ok) throw new Error(`join-room refused: ${JSON.stringify(ack?.error ?? ack)}`);
}

/** Resolves once the message is written to the IPC channel (disconnecting earlier can lose it). */
const send = (message: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));

function nextMessage<T extends ParentMessage["type"]>(type: T): Promise<Extract<ParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const on = (message: ParentMessage) => {
      if (message.type !== type) return;
      process.off("message", on);
      resolve(message as Extract<ParentMessage, { type: T }>);
    };
    process.on("message", on);
  });
}

async function runShard(plan: LoadPlan): Promise<void> {
  const bins = new Map<number, number>();
  let deliveries = 0;
  const listen = (socket: Socket) =>
    socket.onEventFrame("chat-message", (frame) => {
      const sentAt = numberAfter(frame, TEXT_MARK);
      if (Number.isNaN(sentAt)) return;
      deliveries++;
      const bin = Math.round((now() - sentAt) * 10);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    });

  const goMessage = nextMessage("go");
  const joinStart = performance.now();
  const urlOf = (index: number) => plan.urls[index % plan.urls.length] ?? plan.urls[0] ?? "";
  const sockets: Socket[] = [];
  if (plan.hostToken) {
    const host = await connect(urlOf(0), plan.hostToken);
    await join(host, plan.roomId);
    listen(host);
    sockets.push(host);
  }
  const students: Socket[] = [];
  let next = 0;
  const joinOne = async (): Promise<void> => {
    while (next < plan.studentTokens.length) {
      const i = next++;
      const socket = await connect(urlOf(plan.firstStudent + i), plan.studentTokens[i] ?? "");
      await join(socket, plan.roomId);
      listen(socket);
      students.push(socket);
    }
  };
  await Promise.all(Array.from({ length: plan.joinConcurrency }, joinOne));
  sockets.push(...students);
  const joinSeconds = (performance.now() - joinStart) / 1000;
  await send({ type: "joined" });
  await goMessage;
  const expectMessage = nextMessage("expect");

  const health: number[] = [];
  let probing = plan.probeHealth;
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

  const cpuAtSend = process.cpuUsage();
  const wallAtSend = performance.now();
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
                .emitWithAck("chat-send", { roomId: plan.roomId, text: `${TAG}${now()} ${m}` }, 60_000)
                .then((answer) => {
                  const ack = answer as { ok: boolean; error?: { code: string } } | undefined;
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
  await send({ type: "sent", sent, refused });
  const { sent: sentInAll } = await expectMessage;
  const expected = sentInAll * sockets.length;
  const deadline = performance.now() + 60_000;
  while (deliveries < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  probing = false;
  await probe;
  const cpu = process.cpuUsage(cpuAtSend);
  const wallSeconds = (performance.now() - wallAtSend) / 1000;
  for (const s of sockets) s.close();
  await send({
    type: "result",
    result: { sockets: sockets.length, deliveries, latencyBins: [...bins], health, joinSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds },
  });
}

if (process.argv.includes("--child")) {
  nextMessage("plan")
    .then(({ plan }) => runShard(plan))
    .then(() => process.disconnect?.())
    .catch(async (err) => {
      process.exitCode = 1;
      await send({ type: "error", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.disconnect?.();
    });
}
