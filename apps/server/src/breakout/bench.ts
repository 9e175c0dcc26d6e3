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
 * crafted Opus-sized RTP at `--pps` packets per second (default 25). Like the web client, a student
 * whose media fails (a refused consume or produce, the server's `media-reset`) starts it over; the
 * restarts and their reasons are printed (a mate's producer closed meanwhile is skipped: the mate
 * announces a new one).
 *
 * Flags: --students 100  --groups 20  --steady 10  --pps 25  --limit 240 (seconds a phase may take;
 * after that the run reports the students done so far as PARTIAL and stops)
 */
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useSdesMid } from "werift";
import { benchClass, flag, repoRoot } from "../bench/servers.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";

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
  private readonly peerOfMid = new Map<string, string>();
  /** The peers (participant ids) of which a packet arrived. */
  readonly heard = new Set<string>();
  private readonly asked = new Set<string>();
  private readonly waiters: { wake: () => void; fail: (err: Error) => void }[] = [];
  private failed: Error | undefined;
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
        const peerId = mid ? this.peerOfMid.get(mid) : undefined;
        if (peerId && !this.heard.has(peerId)) {
          this.heard.add(peerId);
          for (const waiter of this.waiters.splice(0)) waiter.wake();
        }
      }),
    );
  }

  async start(): Promise<{ producerId: string; peerId: string }[]> {
    const started = ack(this.socket, "create-transport", { direction: "recv" });
    // Consumes asked for meanwhile wait for the transport.
    this.queue = started.catch(() => {});
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

  /**
   * Consumes one at a time (a recv transport answers one offer at a time). A producer closed
   * meanwhile (PRODUCER_NOT_FOUND: its owner is starting over and will announce a new one) is
   * skipped; any other refusal fails the session, which then starts over as the web client does.
   */
  consume(producerId: string, peerId: string): Promise<unknown> {
    if (this.asked.has(producerId)) return this.queue;
    this.asked.add(producerId);
    this.queue = this.queue.then(async () => {
      if (this.failed) return;
      const res = await ack(this.socket, "consume", { producerId, transportId: this.recvTransportId });
      this.peerOfMid.set(res.mid as string, peerId);
      // A closed consumer's m-line must keep its mid (werift would hand it to the next new m-line,
      // and the offer after that could not be answered: "Transceiver with mid=0 not found").
      for (const transceiver of this.receiver.getTransceivers()) transceiver.usedForSender = true;
      await this.receiver.setRemoteDescription(res.offer as { type: "offer"; sdp: string });
      await this.receiver.setLocalDescription(await this.receiver.createAnswer());
      await ack(this.socket, "connect-transport", {
        transportId: this.recvTransportId,
        description: { type: "answer", sdp: this.receiver.localDescription?.sdp },
      });
    });
    this.queue = this.queue.catch((err: Error) => {
      if (String(err).includes("PRODUCER_NOT_FOUND")) return;
      this.fail(new Error(`consume ${producerId}: ${err.message}`));
    });
    return this.queue;
  }

  /** Resolves once a packet of `count` peers other than `self` arrived; rejects when the session failed. */
  async heardPeers(count: number, self: string): Promise<void> {
    for (;;) {
      if (this.failed) throw this.failed;
      if ([...this.heard].filter((peer) => peer !== self).length >= count) return;
      await new Promise<void>((wake, fail) => this.waiters.push({ wake, fail }));
    }
  }

  /** The session cannot go on (a refused consume, the server's media-reset): its waiters start over. */
  fail(err: Error) {
    this.failed ??= err;
    for (const waiter of this.waiters.splice(0)) waiter.fail(err);
  }

  async close() {
    clearInterval(this.timer);
    this.fail(new Error("closed"));
    for (const pc of this.pcs) await pc.close().catch(() => {});
  }
}

/** How many times the students started their media over (a failed session, as the web client does). */
const restarts: string[] = [];

/**
 * A student's media in `mediaRoomId` from scratch, as the web client does on `breakout-moved`:
 * `leave-media`, a recv transport consuming every producer announced there, optionally a
 * microphone; done when `count` other peers were heard. A failure (a refused consume or produce, the
 * server's `media-reset` for that room) starts it over, at most 5 times.
 */
async function startOver(socket: Socket, self: string, mediaRoomId: string, pps: number, count: number, publish: boolean, sessions: Session[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const session = new Session(socket, pps);
    sessions.push(session);
    const onNew = (announced: { roomId: string; peerId: string; producer: { producerId: string } }) => {
      if (announced.roomId === mediaRoomId && announced.peerId !== self) void session.consume(announced.producer.producerId, announced.peerId);
    };
    const onReset = (event: { roomId: string; reason: string }) => {
      if (event.roomId === mediaRoomId) session.fail(new Error(`media-reset (${event.reason})`));
    };
    socket.on("new-producer", onNew);
    socket.on("media-reset", onReset);
    try {
      await ack(socket, "leave-media", {});
      for (const present of await session.start()) if (present.peerId !== self) void session.consume(present.producerId, present.peerId);
      if (publish) await session.publish();
      await session.heardPeers(count, self);
      return;
    } catch (err) {
      restarts.push(String(err instanceof Error ? err.message : err).slice(0, 160));
      await session.close();
      if (attempt >= 5) throw err;
    } finally {
      socket.off("new-producer", onNew);
      socket.off("media-reset", onReset);
    }
  }
}

/**
 * Waits for every student's time (ms) of a phase, printing progress every 10 s; after `limitS`
 * seconds it stops waiting and returns the times of those done (the run then says it is partial).
 */
async function phase(name: string, runs: Promise<number>[], limitS: number): Promise<{ times: number[]; complete: boolean }> {
  const times: number[] = [];
  const failures: string[] = [];
  for (const run of runs)
    run.then(
      (ms) => times.push(ms),
      (err: unknown) => failures.push(String(err instanceof Error ? err.message : err)),
    );
  const started = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const elapsed = (performance.now() - started) / 1000;
    if (times.length + failures.length === runs.length) break;
    if (Math.round(elapsed) % 10 === 0)
      console.log(`  ${name}: ${times.length}/${runs.length} students done after ${Math.round(elapsed)} s, ${restarts.length} media restarts so far`);
    if (elapsed > limitS) {
      console.log(`  ${name}: stopped waiting after ${limitS} s (${runs.length - times.length - failures.length} students not done)`);
      break;
    }
  }
  if (failures.length > 0) console.log(`  ${name}: ${failures.length} students gave up: ${[...new Set(failures)].slice(0, 4).join(" | ")}`);
  return { times, complete: times.length === runs.length };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const summary = (ms: number[]) =>
  ms.length === 0 ? "nobody" : `p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms, all in ${Math.round(Math.max(...ms))} ms`;

async function main() {
  const students = Number(flag("students", "100"));
  const groups = Number(flag("groups", "20"));
  const steady = Number(flag("steady", "10"));
  const pps = Number(flag("pps", "25"));
  const limit = Number(flag("limit", "240"));
  // The clients, as the SFU: host candidates only, no query to werift's default public STUN server
  // (which made every client's setLocalDescription wait up to 5 s where nothing answers).
  disableWeriftDefaultStun();
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
    await teacher.publish();
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
    const groupSessions: Session[] = [];
    const openStart = performance.now();
    const mates = Math.floor(students / groups) - 1;
    const joined = kids.map(
      (socket) =>
        new Promise<number>((resolve, reject) => {
          socket.once("breakout-moved", (event: { groupId: string }) => {
            const self = participantIds.get(socket) ?? "";
            startOver(socket, self, event.groupId, pps, mates, true, groupSessions).then(() => resolve(performance.now() - openStart), reject);
          });
        }),
    );
    await ack(host, "breakout-open", { roomId: bench.roomId, mode: "auto", groups: Array.from({ length: groups }, () => ({})) });
    const opened = await phase("open", joined, limit);
    const openTimes = opened.times;
    console.log(
      `open (${groups} groups): each student hears every group mate — ${opened.complete ? "" : `PARTIAL, ${openTimes.length}/${students} students: `}${summary(openTimes)}; ${restarts.length} media restarts`,
    );
    if (restarts.length > 0) console.log(`why media started over: ${[...new Set(restarts)].slice(0, 8).join(" | ")}`);
    if (!opened.complete) return;
    sessions.push(...groupSessions);

    const cpuBefore = bench.serverCpuSeconds();
    const wallBefore = performance.now();
    await new Promise((resolve) => setTimeout(resolve, steady * 1000));
    const groupCores = (bench.serverCpuSeconds() - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    console.log(`in groups: server CPU ${round(groupCores)} cores (${students} microphones, ${students * (students / groups - 1)} consumers)`);

    // ---- close: everyone back in the main room, listening to the teacher again
    const closeStart = performance.now();
    const restartsBefore = restarts.length;
    const back = kids.map(
      (socket) =>
        new Promise<number>((resolve, reject) => {
          socket.once("breakout-moved", () => {
            const self = participantIds.get(socket) ?? "";
            // The main room: only the teacher publishes.
            startOver(socket, self, bench.roomId, pps, 1, false, sessions).then(() => resolve(performance.now() - closeStart), reject);
          });
        }),
    );
    await ack(host, "breakout-close", { roomId: bench.roomId, countdownSeconds: 0 });
    const closed = await phase("close", back, limit);
    const closeTimes = closed.times;
    for (const session of groupSessions) await session.close();
    console.log(
      `close: each student hears the teacher in the main room — ${closed.complete ? "" : `PARTIAL, ${closeTimes.length}/${students} students: `}${summary(closeTimes)}; ${restarts.length - restartsBefore} media restarts`,
    );
    if (restarts.length > 0) console.log(`why media started over: ${[...new Set(restarts)].slice(0, 8).join(" | ")}`);
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
