import type { Logger } from "pino";
import { RTCPeerConnection, RtpHeader, RtpPacket, useAbsSendTime, useH264, useNACK, useOPUS, usePLI, useSdesMid, useVP8, type MediaStreamTrack } from "werift";
import type { MediaEvent, MediaService, ProducerInfo } from "../media/index.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";
import type { RecorderCodec, RecorderSource, RecorderTrack } from "./source.js";

/** The recorder's peer id in the media room (never a participant id: those are UUIDs). */
export const recorderPeerId = (recordingId: string) => `recorder:${recordingId}`;

interface Consumed {
  consumerId: string;
  producer: ProducerInfo;
  mid: string;
  listeners: Set<(packet: Buffer) => void>;
  closeListeners: (() => void)[];
  closed: boolean;
  /** When its first packet arrived (performance.now(); -1: none yet). */
  firstPacketAt: number;
}

/**
 * The recorder as a participant of the media room: it joins as its own peer, opens one recv
 * transport (a werift peer connection in this process, exactly like a browser subscriber) and
 * consumes every producer of the room — those present at start and every later one
 * (`producer-new`). Only the public MediaService interface is used, so it works the same with
 * in-process workers and with remote media nodes (MEDIA_NODES).
 */
export class MediaRecorderSource implements RecorderSource {
  readonly peerId: string;
  private pc = this.newPc();
  private transportId = "";
  private readonly byProducer = new Map<string, Consumed>();
  private readonly byMid = new Map<string, Consumed>();
  private readonly seen = new Set<string>();
  /** Producers that closed (possibly while their consume was in flight). */
  private readonly gone = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private offEvents?: () => void;
  private onTrack?: (track: RecorderTrack) => void;
  private stopped = false;
  /** Checks that the recv transport connects (and reconnects when it does not). */
  private watchdog?: NodeJS.Timeout;
  /** When the peer connection was last seen not connected while it should be (performance.now()). */
  private unconnectedSince = -1;
  /** Reconnections in a row without the connection coming up (backs the next one off). */
  private attempts = 0;
  private reconnecting = false;
  /** Times the recv transport was rebuilt (for logs and tests). */
  reconnects = 0;
  /** When the recv transport's peer connection first connected (performance.now(); -1: not yet). */
  private connectedAt = -1;

  constructor(
    private readonly media: MediaService,
    readonly roomId: string,
    recordingId: string,
    private readonly log: Logger,
    private readonly opts: { connectTimeoutMs?: number; startTimeoutMs?: number } = {},
  ) {
    disableWeriftDefaultStun();
    this.peerId = recorderPeerId(recordingId);
  }

  private newPc(): RTCPeerConnection {
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      codecs: {
        video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] }), useH264({ rtcpFeedback: [useNACK(), usePLI()] })],
        audio: [useOPUS()],
      },
      headerExtensions: { video: [useSdesMid(), useAbsSendTime()], audio: [useSdesMid(), useAbsSendTime()] },
    });
    pc.onTrack.subscribe((track) => this.attach(pc, track));
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected" && this.connectedAt < 0) this.connectedAt = performance.now();
    });
    return pc;
  }

  /**
   * The media worker or node holding the room died (`room-closed`, `media-lost`): the room's
   * people start their media over on another one, and so does the recorder — it joins the room
   * again there and records every producer published from now on (new tracks of the recording).
   */
  private async rejoin(): Promise<void> {
    if (this.stopped) return;
    const old = this.pc;
    this.pc = this.newPc();
    this.byMid.clear();
    void old.close().catch(() => {});
    const res = await this.media.joinPeer(this.roomId, this.peerId, "recorder");
    this.transportId = (await this.media.createTransport(this.roomId, this.peerId, "recv")).transportId;
    this.log.info({ roomId: this.roomId, producers: res.producers.length }, "the recorder rejoined the room's media");
    // Chained behind this job (not awaited here): consumed once the rejoin is done.
    for (const p of res.producers) this.enqueue(p);
  }

  async start(onTrack: (track: RecorderTrack) => void): Promise<void> {
    const begun = performance.now();
    this.onTrack = onTrack;
    // Listen first, so a producer that appears while we join is not missed (seen dedupes).
    const early: ProducerInfo[] = [];
    let joined = false;
    this.offEvents = this.media.onEvent((event) => {
      if (event.roomId !== this.roomId) return;
      if (event.type === "producer-new" && event.peerId !== this.peerId) {
        if (joined) this.enqueue(event.producer);
        else early.push(event.producer);
      } else this.onMediaEvent(event);
    });
    const res = await this.media.joinPeer(this.roomId, this.peerId, "recorder");
    this.transportId = (await this.media.createTransport(this.roomId, this.peerId, "recv")).transportId;
    joined = true;
    for (const p of [...res.producers, ...early]) this.enqueue(p);
    this.watchdog = setInterval(() => this.checkConnection(), 500);
    this.watchdog.unref?.();
    // Resolve once the producers present now are consumed (their tracks handed over) and their
    // media flows (a first packet of each): the recording's clock starts then. Handed-over tracks
    // are not enough — on a busy machine the connection can come up seconds later, and the
    // recording would begin with seconds of nothing. Bounded (startTimeoutMs, default 20 s).
    const deadline = begun + (this.opts.startTimeoutMs ?? 20_000);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))))]);
    clearTimeout(timer);
    const consumedMs = Math.round(performance.now() - begun);
    const present = [...this.byProducer.values()];
    // A paused producer sends nothing until it resumes: it is not waited for.
    const waiting = () => present.filter((consumed) => !consumed.closed && !consumed.producer.paused && consumed.firstPacketAt < 0);
    // All tracks share one connection: once one flows, the others follow within moments; one that
    // stays silent (a camera that sends nothing) holds Record up for 3 s more, not until the deadline.
    const flowingSince = () => Math.min(...present.map((consumed) => (consumed.firstPacketAt < 0 ? Infinity : consumed.firstPacketAt)));
    while (waiting().length && performance.now() < Math.min(deadline, flowingSince() + 3000) && !this.stopped)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const timeline = {
      roomId: this.roomId,
      tracks: present.length,
      consumedMs,
      connectedMs: this.connectedAt < 0 ? null : Math.round(this.connectedAt - begun),
      flowingMs: Math.round(performance.now() - begun),
      withoutMedia: waiting().map((consumed) => `${consumed.producer.kind}:${consumed.producer.source}`),
    };
    if (timeline.withoutMedia.length) this.log.warn(timeline, "the recorder starts without media from some tracks (its connection is slow)");
    else this.log.info(timeline, "the recorder has the class's media");
  }

  /** Consumes one at a time: a recv transport hands out one offer at a time. */
  private enqueue(p: ProducerInfo) {
    if (this.stopped || this.seen.has(p.producerId) || p.peerId === this.peerId) return;
    this.seen.add(p.producerId);
    this.queue = this.queue
      .then(() => this.consume(p))
      .catch((err) => this.log.warn({ err, producerId: p.producerId, roomId: this.roomId }, "the recorder could not consume a producer"));
  }

  /**
   * Consumes `producer` on the current recv transport. `again`: the track is already being
   * recorded (the transport was rebuilt): its new consumer feeds the same listeners, so the
   * recording keeps one track (the reorder stage renumbers the new stream for FFmpeg).
   */
  private async consume(producer: ProducerInfo, again?: Consumed) {
    if (this.stopped) return;
    const res = await this.media.consume(this.roomId, this.peerId, { producerId: producer.producerId, transportId: this.transportId });
    const consumed: Consumed = again ?? {
      consumerId: res.consumerId,
      producer,
      mid: res.mid,
      listeners: new Set(),
      closeListeners: [],
      closed: false,
      firstPacketAt: -1,
    };
    consumed.consumerId = res.consumerId;
    consumed.mid = res.mid;
    this.byProducer.set(producer.producerId, consumed);
    this.byMid.set(res.mid, consumed);
    if (this.gone.has(producer.producerId)) this.close(consumed);
    // An m-line of a closed consumer stays in every later offer, inactive. werift's answerer gives
    // the slot of a transceiver negotiated inactive to the next new m-line (taking its mid), and
    // the offer after that then named a mid the connection no longer had: "Transceiver with mid=0
    // not found", and no track was recorded again. Never reused (as the SFU's Transport does).
    for (const transceiver of this.pc.getTransceivers()) transceiver.usedForSender = true;
    await this.pc.setRemoteDescription(res.offer);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const answer = this.pc.localDescription;
    if (!answer) throw new Error("the recorder's peer connection has no local description after setLocalDescription");
    await this.media.connectTransport(this.roomId, this.peerId, this.transportId, { type: "answer", sdp: answer.sdp });
    if (again) return;
    const codec = codecOf(res.offer.sdp, res.mid);
    if (!codec) {
      this.log.warn({ producerId: producer.producerId, mid: res.mid }, "the recorder found no codec for a consumer; not recorded");
      return;
    }
    if (this.stopped || consumed.closed) return;
    this.onTrack?.({
      id: producer.producerId,
      peerId: producer.peerId,
      userId: producer.userId || null,
      kind: res.kind,
      source: res.source,
      codec,
      onRtp: (listener) => {
        consumed.listeners.add(listener);
        return () => consumed.listeners.delete(listener);
      },
      onClose: (listener) => (consumed.closed ? listener() : void consumed.closeListeners.push(listener)),
      requestKeyFrame: () => void this.media.requestKeyFrame(this.roomId, consumed.consumerId).catch(() => {}),
    });
  }

  /** Remote tracks already listened to: werift announces every sending m-line again (onTrack) at each offer. */
  private readonly attached = new WeakSet<MediaStreamTrack>();

  /**
   * A remote track of our recv transport: its packets go to the consumer of its m-line. Listened
   * to once: werift fires onTrack for every m-line of every offer applied, and each consume is a
   * new offer, so without this the tracks present at start were delivered twice, three times, …
   */
  private attach(pc: RTCPeerConnection, track: MediaStreamTrack) {
    if (this.attached.has(track)) return;
    this.attached.add(track);
    let consumed: Consumed | undefined;
    track.onReceiveRtp.subscribe((rtp) => {
      if (pc !== this.pc) return; // a track of the connection before a rejoin
      // Resolved at the first packet: the m-line's mid may be set after the track appears.
      if (!consumed) {
        const mid = pc.getTransceivers().find((t) => t.receiver.tracks.includes(track))?.mid;
        consumed = mid ? this.byMid.get(mid) : undefined;
      }
      if (!consumed || consumed.closed) return;
      if (consumed.firstPacketAt < 0) consumed.firstPacketAt = performance.now();
      if (consumed.listeners.size === 0) return;
      const packet = stripExtensions(rtp);
      for (const listener of consumed.listeners) listener(packet);
    });
  }

  private onMediaEvent(event: MediaEvent) {
    switch (event.type) {
      case "producer-closed":
        this.gone.add(event.producerId);
        this.close(this.byProducer.get(event.producerId));
        break;
      case "consumer-closed": {
        if (event.peerId !== this.peerId) break;
        const consumed = this.byProducer.get(event.producerId);
        // Its transport closing (or our own rebuild) is not the end of the track: it is consumed again.
        if (!consumed || consumed.consumerId !== event.consumerId || event.reason === "transport-closed" || event.reason === "peer-left") break;
        this.gone.add(event.producerId);
        this.close(consumed);
        break;
      }
      case "transport-closed":
        // The SFU closed our transport (no sign of life from it, or it failed): a recording does not
        // end because its connection did; the recorder connects again and consumes what is live.
        if (event.peerId === this.peerId && event.transportId === this.transportId && event.reason !== "peer-left" && event.reason !== "room-closed")
          this.scheduleReconnect(`the SFU closed the transport (${event.reason})`);
        break;
      case "room-closed":
        this.closeAll();
        if (event.reason === "media-lost" && !this.stopped) {
          this.queue = this.queue
            .then(() => this.rejoin())
            .catch((err) => this.log.warn({ err, roomId: this.roomId }, "the recorder could not rejoin the room's media"));
        }
        break;
      default:
        break;
    }
  }

  /**
   * Every half second: a recv transport with consumers whose peer connection has not been
   * connected for `connectTimeoutMs` (5 s; then 10, 20, 30 s while it keeps failing) is rebuilt.
   * Without this a connection that never came up lost the whole recording: the SFU closes such a
   * transport only after its inactivity timeout, and nothing consumed again.
   */
  private checkConnection() {
    if (this.stopped || this.reconnecting) return;
    const state = this.pc.connectionState;
    const live = [...this.byProducer.values()].some((c) => !c.closed);
    if (state === "connected" || !live) {
      this.unconnectedSince = -1;
      if (state === "connected") this.attempts = 0;
      return;
    }
    const now = performance.now();
    if (this.unconnectedSince < 0) this.unconnectedSince = now;
    const wait = Math.min(30_000, (this.opts.connectTimeoutMs ?? 5000) * 2 ** this.attempts);
    if (now - this.unconnectedSince >= wait) this.scheduleReconnect(`not connected for ${Math.round(now - this.unconnectedSince)} ms (${state})`);
  }

  private scheduleReconnect(why: string) {
    if (this.stopped || this.reconnecting) return;
    this.reconnecting = true;
    this.queue = this.queue
      .then(() => this.reconnect(why))
      .catch((err) => this.log.warn({ err, roomId: this.roomId }, "the recorder could not reconnect its media"))
      .finally(() => {
        this.reconnecting = false;
        this.unconnectedSince = -1;
      });
  }

  /**
   * A new recv transport and peer connection in place of the old ones, and every track still being
   * recorded consumed again on it (the same RecorderTrack: one track, one file, a gap at most).
   */
  private async reconnect(why: string): Promise<void> {
    if (this.stopped) return;
    const old = this.pc;
    this.attempts++;
    this.reconnects++;
    this.log.warn(
      { roomId: this.roomId, why, connectionState: old.connectionState, iceConnectionState: old.iceConnectionState, attempt: this.attempts },
      "the recorder's media connection is down; connecting again",
    );
    const open = [...this.byProducer.values()].filter((consumed) => !consumed.closed);
    // Our consumers on the old transport are not ours any more: their close events are ignored.
    for (const consumed of open) consumed.consumerId = "";
    this.pc = this.newPc();
    this.byMid.clear();
    void old.close().catch(() => {});
    // Leaving closes the old transport on the SFU (if it still exists); joining again lists what is live.
    await this.media.leavePeer(this.roomId, this.peerId).catch(() => {});
    if (this.stopped) return;
    const res = await this.media.joinPeer(this.roomId, this.peerId, "recorder");
    this.transportId = (await this.media.createTransport(this.roomId, this.peerId, "recv")).transportId;
    const live = new Map(res.producers.map((p) => [p.producerId, p]));
    for (const consumed of open) {
      const producer = live.get(consumed.producer.producerId);
      if (!producer || this.gone.has(consumed.producer.producerId)) this.close(consumed);
      else await this.consume(producer, consumed);
    }
    for (const p of res.producers) this.enqueue(p);
  }

  private close(consumed: Consumed | undefined) {
    if (!consumed || consumed.closed) return;
    consumed.closed = true;
    for (const listener of consumed.closeListeners.splice(0)) {
      try {
        listener();
      } catch (err) {
        this.log.warn({ err }, "recorder track close listener failed");
      }
    }
  }

  private closeAll() {
    for (const consumed of this.byProducer.values()) this.close(consumed);
  }

  /** For tests: the recorder's connection dies as a broken network would leave it (nothing more arrives). */
  breakConnectionForTest(): void {
    void this.pc.close().catch(() => {});
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.offEvents?.();
    await this.media.leavePeer(this.roomId, this.peerId).catch(() => {});
    await this.pc.close().catch(() => {});
  }
}

/** Header extensions are the SFU leg's own (mid, abs-send-time): FFmpeg gets plain RTP. */
function stripExtensions(rtp: RtpPacket): Buffer {
  const head = rtp.header;
  const header = new RtpHeader({
    payloadType: head.payloadType,
    sequenceNumber: head.sequenceNumber,
    timestamp: head.timestamp,
    ssrc: head.ssrc,
    marker: head.marker,
    csrc: head.csrc,
    csrcLength: head.csrcLength,
  });
  return new RtpPacket(header, rtp.payload).serialize();
}

/** The codec the SFU sends on m-line `mid`: the first payload type of its m= line. */
export function codecOf(sdp: string, mid: string): RecorderCodec | undefined {
  const section = sdp
    .split(/\r?\nm=/)
    .slice(1)
    .map((section) => `m=${section}`)
    .find((section) => new RegExp(`^a=mid:${mid.replace(/[^\w-]/g, "")}\\s*$`, "m").test(section));
  if (!section) return undefined;
  const pt = Number(/^m=\w+ \d+ \S+ (\d+)/.exec(section)?.[1]);
  const rtpmap = new RegExp(`^a=rtpmap:${pt} ([\\w-]+)/(\\d+)(?:/(\\d+))?`, "m").exec(section);
  if (!Number.isFinite(pt) || !rtpmap) return undefined;
  const fmtp = new RegExp(`^a=fmtp:${pt} (.+?)\\s*$`, "m").exec(section)?.[1];
  const name = rtpmap[1].toLowerCase() === "opus" ? "opus" : rtpmap[1].toUpperCase();
  return { name, payloadType: pt, clockRate: Number(rtpmap[2]), ...(rtpmap[3] ? { channels: Number(rtpmap[3]) } : {}), ...(fmtp ? { fmtp } : {}) };
}
