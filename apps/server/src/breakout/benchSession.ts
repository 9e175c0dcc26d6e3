/**
 * One person's media session in one media room for `npm run bench:breakout` (bench.ts, the teacher;
 * benchClient.ts, the students): a werift recv connection consuming the room's producers, and
 * optionally a microphone sending crafted Opus-sized RTP. Every media request answered MEDIA_BUSY
 * (the worker's admission gate) is sent again after 1–3 s, as the web client does
 * (media/bench/busyRetry.ts, as bench:joins).
 */
import { io, type Socket } from "socket.io-client";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useSdesMid } from "werift";
import { tolerateLoopStalls } from "../media/admission/index.js";
import { whileMediaBusy } from "../media/bench/busyRetry.js";

const pcConfig = () => ({ iceServers: [], iceUseIpv6: false, codecs: { audio: [useOPUS()] }, headerExtensions: { audio: [useSdesMid()] } });
type Ack = { ok: boolean; error?: { code?: string; message?: string } } & Record<string, unknown>;

/** MEDIA_BUSY answers retried, in this process. */
export const busy = { count: 0 };

async function once(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  const answer = (await socket.timeout(120_000).emitWithAck(event, payload)) as Ack;
  if (!answer?.ok) throw Object.assign(new Error(`${event} refused: ${JSON.stringify(answer?.error ?? answer)}`), { code: answer?.error?.code });
  return answer;
}

/** A request and its ack; MEDIA_BUSY is answered by sending it again after a moment. */
export const ack = (socket: Socket, event: string, payload: unknown) =>
  whileMediaBusy(() => once(socket, event, payload), { onBusy: () => busy.count++, pauseMs: [1000, 3000] });

export function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: 60_000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** Waits for a peer connection to be connected; throws on "failed" or after `ms`. */
async function connected(pc: RTCPeerConnection, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (pc.connectionState !== "connected") {
    if (pc.connectionState === "failed" || pc.connectionState === "closed") throw new Error(`connection ${pc.connectionState}`);
    if (Date.now() > end) throw new Error(`connection still ${pc.connectionState} after ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export class Session {
  private readonly pcs: RTCPeerConnection[] = [];
  private recvTransportId = "";
  private readonly receiver = new RTCPeerConnection(pcConfig());
  private readonly peerOfMid = new Map<string, string>();
  /** The peers (participant ids) of which a packet arrived. */
  readonly heard = new Set<string>();
  private readonly asked = new Set<string>();
  private readonly waiters: { wake: () => void; fail: (err: Error) => void }[] = [];
  failed: Error | undefined;
  /** Where the session is (for a stall's report). */
  step = "new";
  private producersSeen = 0;
  /** Consumes asked for and not yet done. */
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private transportReady: () => void = () => {};
  /** Consumes wait here for the recv transport (a `new-producer` can come before it exists). */
  private queue: Promise<unknown> = new Promise<void>((resolve) => {
    this.transportReady = resolve;
  });

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
    // As the SFU does (media/admission/consent.ts): werift fails a connection whose consent answers its
    // busy event loop read late — here the clients' own, 10 students to a process on a shared CPU.
    this.receiver.connectionStateChange.subscribe((state) => {
      if (state === "connected") tolerateLoopStalls(this.receiver);
      if (state === "failed") this.fail(new Error("recv connection failed"));
    });
  }

  /** The recv transport; returns the producers already there. */
  async start(): Promise<{ producerId: string; peerId: string }[]> {
    this.step = "create-transport recv";
    const res = await ack(this.socket, "create-transport", { direction: "recv" });
    this.recvTransportId = res.transportId as string;
    this.transportReady();
    const producers = res.producers as { producerId: string; peerId: string }[];
    this.step = `recv transport (${producers.length} producers there)`;
    return producers;
  }

  async publish(): Promise<string> {
    const pc = new RTCPeerConnection(pcConfig());
    this.pcs.push(pc);
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") tolerateLoopStalls(pc);
      if (state === "failed") this.fail(new Error("send connection failed"));
    });
    const { transportId } = (await ack(this.socket, "create-transport", { direction: "send" })) as unknown as { transportId: string };
    const track = new MediaStreamTrack({ kind: "audio" });
    const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const answered = await ack(this.socket, "connect-transport", { transportId, description: { type: "offer", sdp: pc.localDescription?.sdp } });
    await pc.setRemoteDescription(answered.answer as { type: "answer"; sdp: string });
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
   * Consumes one at a time, after the recv transport exists, each waiting for the connection to be
   * up (werift starts its connect() again on every answer it sets; a second answer during the first
   * set-up fails the connection — see media/bench/stormClient.ts). A producer closed meanwhile
   * (PRODUCER_NOT_FOUND: its owner starts over and announces a new one) is skipped; any other
   * refusal fails the session, which then starts over as the web client does.
   */
  consume(producerId: string, peerId: string): Promise<unknown> {
    if (this.asked.has(producerId)) return this.queue;
    this.asked.add(producerId);
    this.producersSeen++;
    this.pending++;
    this.queue = this.queue
      .then(async () => {
        if (this.failed) return;
        this.step = `consume ${this.asked.size}`;
        const res = await ack(this.socket, "consume", { producerId, transportId: this.recvTransportId });
        this.peerOfMid.set(res.mid as string, peerId);
        // A closed consumer's m-line keeps its mid (werift would hand it to the next new m-line,
        // and the offer after that could not be answered: "Transceiver with mid=0 not found").
        for (const transceiver of this.receiver.getTransceivers()) transceiver.usedForSender = true;
        await this.receiver.setRemoteDescription(res.offer as { type: "offer"; sdp: string });
        await this.receiver.setLocalDescription(await this.receiver.createAnswer());
        await ack(this.socket, "connect-transport", {
          transportId: this.recvTransportId,
          description: { type: "answer", sdp: this.receiver.localDescription?.sdp },
        });
        this.step = `answered consume ${this.asked.size}`;
        await connected(this.receiver, 60_000);
        this.step = `connected, consumed ${this.asked.size}`;
      })
      .catch((err: Error) => {
        if (String(err).includes("PRODUCER_NOT_FOUND")) return;
        this.fail(new Error(`consume: ${err.message}`));
      })
      .finally(() => this.pending--);
    return this.queue;
  }

  /** Its own connections are up and no consume is under way: what it still waits for is a mate's. */
  settled(publishing: boolean): boolean {
    const send = this.pcs[1]?.connectionState;
    const receiving = this.asked.size === 0 || this.receiver.connectionState === "connected";
    return this.pending === 0 && receiving && (!publishing || send === "connected");
  }

  /** The session's state, for a stall's report. */
  describe(): string {
    const send = this.pcs[1]?.connectionState;
    return `${this.step}; ${this.producersSeen} producers asked, ${this.heard.size} peers heard; recv ${this.receiver.connectionState}${send ? `, send ${send}` : ""}`;
  }

  /** Resolves once a packet of `count` peers other than `self` arrived; rejects when the session failed. */
  async heardPeers(count: number, self: string): Promise<void> {
    for (;;) {
      if (this.failed) throw this.failed;
      if ([...this.heard].filter((peer) => peer !== self).length >= count) return;
      await new Promise<void>((wake, fail) => this.waiters.push({ wake, fail }));
    }
  }

  /** The session cannot go on (a refused consume, a failed connection, the server's media-reset). */
  fail(err: Error) {
    this.failed ??= err;
    for (const waiter of this.waiters.splice(0)) waiter.fail(err);
  }

  async close() {
    clearInterval(this.timer);
    this.fail(new Error("closed"));
    this.transportReady();
    for (const pc of this.pcs) await pc.close().catch(() => {});
  }
}
