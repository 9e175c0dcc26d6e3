/**
 * A child process of `npm run bench:joins` (joinStorm.ts): werift clients of one media
 * node, out of the test's and the SFU's event loops, so the clients are not the bottleneck.
 * argv: <media node url> <secret> <room> <role: publisher | subscribers> <first index> <count> [spacing ms]
 * A publisher sends crafted VP8 (30/s) + Opus (50/s) RTP; subscribers join `spacing` ms apart,
 * consume every producer and count RTP at the UDP socket (as the SFU bench does: no SRTP decrypt).
 * Every 500 ms one JSON line on stdout: each client's state, packets and times.
 */
import type { Socket } from "node:dgram";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from "werift";
import { MediaNodeClient } from "../index.js";
import { whileMediaBusy } from "./busyRetry.js";

const [url, secret, roomId, role, firstArg, countArg, spacingArg] = process.argv.slice(2);
const first = Number(firstArg);
const count = Number(countArg);
const spacingMs = Number(spacingArg ?? 0);
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => quiet };
const media = new MediaNodeClient(url, secret, quiet as never);
const pcConfig = () => ({ iceServers: [], iceUseIpv6: false, codecs: { video: [useVP8()], audio: [useOPUS()] } });

interface Client {
  id: string;
  pc: RTCPeerConnection;
  received: number;
  sent: number;
  /** Every connection state the client's peer connection went through ("failed" must never be one). */
  states: string[];
  /** What happened when, in ms from the client's start ("pc:connected +812"): read when a state is not what a test expects. */
  timeline: string[];
  error?: string;
  startedAt: number;
  connectedAt?: number;
  firstPacketAt?: number;
}
const clients: Client[] = [];

const note = (client: Client, what: string) => client.timeline.push(`${what} +${Date.now() - client.startedAt}`);

function track(client: Client): void {
  client.pc.iceConnectionStateChange.subscribe((state) => note(client, `ice:${state}`));
  client.pc.connectionStateChange.subscribe((state) => {
    note(client, `pc:${state}`);
    client.states.push(state);
    if (state === "connected" && client.connectedAt === undefined) client.connectedAt = Date.now();
  });
}

/** RTP counted at the socket of the nominated pair; STUN, DTLS and RTCP still go to werift. */
function tap(client: Client): void {
  const dtls = client.pc.getTransceivers()[0].dtlsTransport as unknown as {
    iceTransport: { connection: { nominated: { protocol: { transport: { socket: Socket } } } } };
  };
  const socket = dtls.iceTransport.connection.nominated.protocol.transport.socket;
  const original = socket.listeners("message") as ((...args: unknown[]) => void)[];
  socket.removeAllListeners("message");
  socket.on("message", (data: Buffer, rinfo: unknown) => {
    const pt = data[1] & 0x7f;
    if (data[0] >= 128 && data[0] <= 191 && (pt < 64 || pt > 95)) {
      client.received++;
      client.firstPacketAt ??= Date.now();
      return;
    }
    for (const l of original) l.call(socket, data, rinfo);
  });
  // werift starts a receiver's RTCP receiver reports on the first RTP packet it handles itself; a
  // browser always sends them, and the SFU closes a subscriber it hears nothing from
  // (MEDIA_INACTIVITY_TIMEOUT_MS), so they are started here whatever reached werift before the tap.
  for (const t of client.pc.getTransceivers()) (t.receiver as unknown as { runRtcp(): void }).runRtcp();
}

let busy = 0;
/** MEDIA_BUSY: the worker's admission queue said "later"; send the same request again (as the web client does). */
const whileBusy = <T>(call: () => Promise<T>) => whileMediaBusy(call, { onBusy: () => busy++ });

const waitConnected = async (pc: RTCPeerConnection) => {
  const end = Date.now() + 180_000;
  while (pc.connectionState !== "connected") {
    if (pc.connectionState === "failed" || Date.now() > end) throw new Error(`connection ${pc.connectionState}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function publish(): Promise<void> {
  const id = `pub-${first}`;
  const client: Client = { id, pc: new RTCPeerConnection(pcConfig()), received: 0, sent: 0, states: [], timeline: [], startedAt: Date.now() };
  clients.push(client);
  track(client);
  const video = new MediaStreamTrack({ kind: "video" });
  const audio = new MediaStreamTrack({ kind: "audio" });
  client.pc.addTransceiver(video, { direction: "sendonly" });
  client.pc.addTransceiver(audio, { direction: "sendonly" });
  await media.joinPeer(roomId, id, id);
  const { transportId } = await media.createTransport(roomId, id, "send");
  await client.pc.setLocalDescription(await client.pc.createOffer());
  const offer = { type: "offer" as const, sdp: client.pc.localDescription?.sdp ?? "" };
  const res = await whileBusy(() => media.connectTransport(roomId, id, transportId, offer));
  if (!res.answer) throw new Error("no answer");
  await client.pc.setRemoteDescription(res.answer);
  for (const t of client.pc.getTransceivers())
    await media.produce(roomId, id, { transportId, kind: t.kind as "audio" | "video", source: t.kind === "video" ? "camera" : "microphone", mid: t.mid ?? "" });
  await waitConnected(client.pc);
  let seq = 1;
  let tick = 0;
  setInterval(() => {
    // 10 ms ticks: audio every 2nd, video every 3rd (≈ 33 ms); every 30th video frame a keyframe.
    tick++;
    if (tick % 2 === 0) {
      const header = new RtpHeader({ payloadType: 111, ssrc: 0x2222, sequenceNumber: seq & 0xffff, timestamp: (tick * 480) >>> 0 });
      audio.writeRtp(new RtpPacket(header, Buffer.alloc(120, 0x55)));
      client.sent++;
    }
    if (tick % 3 === 0) {
      const payload = Buffer.alloc(900, 0xab);
      payload[0] = 0x10;
      payload[1] = (tick / 3) % 30 === 0 ? 0x00 : 0x01;
      const header = new RtpHeader({ payloadType: 96, ssrc: 0x1111, sequenceNumber: seq & 0xffff, timestamp: (tick * 900) >>> 0, marker: true });
      video.writeRtp(new RtpPacket(header, payload));
      client.sent++;
    }
    seq++;
  }, 10);
}

async function subscribe(index: number): Promise<void> {
  const id = `sub-${index}`;
  const client: Client = { id, pc: new RTCPeerConnection(pcConfig()), received: 0, sent: 0, states: [], timeline: [], startedAt: Date.now() };
  clients.push(client);
  track(client);
  try {
    const joined = await media.joinPeer(roomId, id, id);
    const { transportId } = await media.createTransport(roomId, id, "recv");
    for (const producer of joined.producers) {
      note(client, `consume ${producer.kind}`);
      const consumed = await whileBusy(() => media.consume(roomId, id, { producerId: producer.producerId, transportId }));
      note(client, "offer");
      await client.pc.setRemoteDescription(consumed.offer);
      await client.pc.setLocalDescription(await client.pc.createAnswer());
      const answer = { type: "answer" as const, sdp: client.pc.localDescription?.sdp ?? "" };
      await whileBusy(() => media.connectTransport(roomId, id, transportId, answer));
      note(client, "answered");
      // werift (unlike a browser) starts its connect() again on every answer it sets: a second
      // answer while the first set-up still runs starts the DTLS transport a second time ("state
      // must be new"), the connection turns "failed" and never sends RTCP, and the SFU closes it
      // for inactivity 15 s later. So the next consume waits until this connection is up.
      await waitConnected(client.pc);
    }
    await waitConnected(client.pc);
    tap(client);
  } catch (err) {
    client.error = (err as Error).message;
  }
}

function report(): void {
  const rows = clients.map((c) => ({
    id: c.id,
    state: c.pc.connectionState,
    states: c.states,
    timeline: c.timeline,
    received: c.received,
    sent: c.sent,
    error: c.error,
    connectMs: c.connectedAt === undefined ? undefined : c.connectedAt - c.startedAt,
    connectedAt: c.connectedAt,
    firstPacketAt: c.firstPacketAt,
  }));
  process.stdout.write(`${JSON.stringify({ at: Date.now(), busy, clients: rows })}\n`);
}
setInterval(report, 500);

if (role === "publisher") await publish();
else {
  const started: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    started.push(subscribe(first + i));
    if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
  }
  await Promise.all(started);
}
report();
process.once("SIGTERM", () => process.exit(0));
