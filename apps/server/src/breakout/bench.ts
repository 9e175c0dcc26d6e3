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
 * groups and in the main room. The clients are werift peer connections in this process, sending
 * crafted Opus-sized RTP at `--pps` packets per second (default 25).
 *
 * Flags: --students 100  --groups 20  --steady 10  --pps 25
 */
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useSdesMid } from "werift";
import { benchClass, flag, repoRoot } from "../bench/servers.js";

const pcConfig = () => ({ iceServers: [], iceUseIpv6: false, codecs: { audio: [useOPUS()] }, headerExtensions: { audio: [useSdesMid()] } });
const round = (value: number) => Math.round(value * 10) / 10;
type Ack = { ok: boolean; error?: unknown } & Record<string, unknown>;

async function ack(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  const answer = (await socket.timeout(120_000).emitWithAck(event, payload)) as Ack;
  if (!answer?.ok) throw new Error(`${event} refused: ${JSON.stringify(answer?.error ?? answer)}`);
  return answer;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: 60_000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** One person's media session in one media room: a recv transport, optionally a microphone. */
class Session {
  private readonly pcs: RTCPeerConnection[] = [];
  private recvTransportId = "";
  private receiver = new RTCPeerConnection(pcConfig());
  private readonly producerOfMid = new Map<string, string>();
  private readonly heard = new Set<string>();
  private readonly asked = new Set<string>();
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly pps: number,
  ) {
    this.pcs.push(this.receiver);
    this.receiver.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe(() => {
        const mid = this.receiver.getTransceivers().find((t) => t.receiver.tracks.includes(track))?.mid;
        const producerId = mid ? this.producerOfMid.get(mid) : undefined;
        if (producerId && !this.heard.has(producerId)) {
          this.heard.add(producerId);
          for (const wake of this.waiters.splice(0)) wake();
        }
      }),
    );
  }

  async start(): Promise<{ producerId: string; peerId: string }[]> {
    const started = ack(this.socket, "create-transport", { direction: "recv" });
    // Consumes asked for meanwhile wait for the transport.
    this.queue = started;
    const res = await started;
    this.recvTransportId = res.transportId as string;
    return res.producers as { producerId: string; peerId: string }[];
  }

  async publish(): Promise<string> {
    const pc = new RTCPeerConnection(pcConfig());
    this.pcs.push(pc);
    const { transportId } = (await ack(this.socket, "create-transport", { direction: "send" })) as unknown as { transportId: string };
    const track = new MediaStreamTrack({ kind: "audio" });
    const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const connected = await ack(this.socket, "connect-transport", { transportId, description: { type: "offer", sdp: pc.localDescription?.sdp } });
    await pc.setRemoteDescription(connected.answer as { type: "answer"; sdp: string });
    const produced = await ack(this.socket, "produce", { transportId, kind: "audio", source: "microphone", mid: transceiver.mid ?? undefined });
    let seq = 1;
    let timestamp = 0;
    this.timer = setInterval(
      () => {
        track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 111, ssrc: 1, sequenceNumber: seq, timestamp }), Buffer.alloc(100, 0x55)));
        seq = (seq + 1) & 0xffff;
        timestamp = (timestamp + 960) >>> 0;
      },
      Math.round(1000 / this.pps),
    );
    return produced.producerId as string;
  }

  /** Consumes one at a time (a recv transport answers one offer at a time). */
  consume(producerId: string): Promise<unknown> {
    if (this.asked.has(producerId)) return this.queue;
    this.asked.add(producerId);
    this.queue = this.queue.then(async () => {
      const res = await ack(this.socket, "consume", { producerId, transportId: this.recvTransportId });
      this.producerOfMid.set(res.mid as string, producerId);
      await this.receiver.setRemoteDescription(res.offer as { type: "offer"; sdp: string });
      await this.receiver.setLocalDescription(await this.receiver.createAnswer());
      await ack(this.socket, "connect-transport", {
        transportId: this.recvTransportId,
        description: { type: "answer", sdp: this.receiver.localDescription?.sdp },
      });
    });
    this.queue = this.queue.catch((err) => console.error(`consume ${producerId}: ${err}`));
    return this.queue;
  }

  async heardAll(producerIds: () => string[], count: number): Promise<void> {
    while (!(producerIds().length >= count && producerIds().every((id) => this.heard.has(id)))) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  wake() {
    for (const wake of this.waiters.splice(0)) wake();
  }

  async close() {
    clearInterval(this.timer);
    for (const pc of this.pcs) await pc.close().catch(() => {});
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const summary = (ms: number[]) =>
  `p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms, all in ${Math.round(Math.max(...ms))} ms`;

async function main() {
  const students = Number(flag("students", "100"));
  const groups = Number(flag("groups", "20"));
  const steady = Number(flag("steady", "10"));
  const pps = Number(flag("pps", "25"));
  process.env.BENCH_MEDIA_WORKERS ??= "2";
  const bench = await benchClass(repoRoot, students, 1, "Breakout bench");
  const url = bench.servers[0]?.url ?? "";
  const sockets: Socket[] = [];
  const sessions: Session[] = [];
  try {
    const host = await connect(url, bench.hostToken);
    sockets.push(host);
    await ack(host, "join-room", { roomId: bench.roomId });
    const teacher = new Session(host, pps);
    sessions.push(teacher);
    await teacher.start();
    const teacherMic = await teacher.publish();
    const kids: Socket[] = [];
    const participantIds = new Map<Socket, string>();
    for (const token of bench.studentTokens) {
      const socket = await connect(url, token);
      participantIds.set(socket, (await ack(socket, "join-room", { roomId: bench.roomId })).participantId as string);
      kids.push(socket);
    }
    sockets.push(...kids);
    console.log(`${students} students in class; teacher's microphone on (${process.env.BENCH_MEDIA_WORKERS} media workers, ${pps} packets/s per microphone)`);

    // ---- open: every student into a group, media started over there
    const byGroup = new Map<string, Set<string>>();
    const groupSessions: Session[] = [];
    const openStart = performance.now();
    const joined = kids.map(
      (socket) =>
        new Promise<number>((resolve, reject) => {
          socket.once("breakout-moved", (event: { groupId: string }) => {
            void (async () => {
              await ack(socket, "leave-media", {});
              const session = new Session(socket, pps);
              groupSessions.push(session);
              const mates = byGroup.get(event.groupId) ?? new Set<string>();
              byGroup.set(event.groupId, mates);
              socket.on("new-producer", (announced: { roomId: string; peerId: string; producer: { producerId: string } }) => {
                if (announced.roomId !== event.groupId || announced.peerId === participantIds.get(socket)) return;
                void session.consume(announced.producer.producerId);
                session.wake();
              });
              for (const present of await session.start()) void session.consume(present.producerId);
              const mine = await session.publish();
              mates.add(mine);
              const others = () => [...mates].filter((id) => id !== mine);
              await session.heardAll(others, Math.floor(students / groups) - 1);
              resolve(performance.now() - openStart);
            })().catch(reject);
          });
        }),
    );
    await ack(host, "breakout-open", { roomId: bench.roomId, mode: "auto", groups: Array.from({ length: groups }, () => ({})) });
    const openTimes = await Promise.all(joined);
    console.log(`open (${groups} groups): each student hears every group mate — ${summary(openTimes)}`);
    sessions.push(...groupSessions);

    const cpuBefore = bench.serverCpuSeconds();
    const wallBefore = performance.now();
    await new Promise((resolve) => setTimeout(resolve, steady * 1000));
    const groupCores = (bench.serverCpuSeconds() - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    console.log(`in groups: server CPU ${round(groupCores)} cores (${students} microphones, ${students * (students / groups - 1)} consumers)`);

    // ---- close: everyone back in the main room, listening to the teacher again
    const closeStart = performance.now();
    const back = kids.map(
      (socket) =>
        new Promise<number>((resolve, reject) => {
          socket.once("breakout-moved", () => {
            void (async () => {
              socket.removeAllListeners("new-producer");
              await ack(socket, "leave-media", {});
              const session = new Session(socket, pps);
              sessions.push(session);
              await session.start();
              await session.consume(teacherMic);
              await session.heardAll(() => [teacherMic], 1);
              resolve(performance.now() - closeStart);
            })().catch(reject);
          });
        }),
    );
    await ack(host, "breakout-close", { roomId: bench.roomId, countdownSeconds: 0 });
    const closeTimes = await Promise.all(back);
    for (const session of groupSessions) await session.close();
    console.log(`close: each student hears the teacher in the main room — ${summary(closeTimes)}`);
    const mainBefore = bench.serverCpuSeconds();
    const mainWall = performance.now();
    await new Promise((resolve) => setTimeout(resolve, steady * 1000));
    const mainCores = (bench.serverCpuSeconds() - mainBefore) / ((performance.now() - mainWall) / 1000);
    console.log(`main room: server CPU ${round(mainCores)} cores (1 microphone, ${students} consumers)`);
  } finally {
    for (const session of sessions) await session.close();
    for (const socket of sockets) socket.disconnect();
    await bench.close();
  }
}

await main();
process.exit(0);
