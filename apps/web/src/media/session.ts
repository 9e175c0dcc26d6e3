import type { EventPayload, EventResult, MediaClientEvent, MediaKind, ProducerInfo, ProducerSource } from "@vtp/protocol";
import { groupRemote, type RemoteMedia } from "./remote";
import { storedPositiveInt } from "../lib/storedOverride";

// The remote-media helpers live in remote.ts; they stay importable from here.
export { groupRemote, loudest, type RemoteMedia } from "./remote";

/** What the media session needs from the classroom connection: the media events of the protocol's map (flow in docs/MEDIA.md). */
export interface MediaSignal {
  request<E extends MediaClientEvent | "pause-consumer">(event: E, payload: EventPayload<E>): Promise<EventResult<E>>;
}

const kindOf = (track: MediaStreamTrack): MediaKind => (track.kind === "audio" ? "audio" : "video");

/** `localStorage.vtpDebug = "media"` logs the media flow to the console. */
const debug = (...args: unknown[]) => {
  try {
    if (globalThis.localStorage?.getItem("vtpDebug")?.includes("media")) console.debug("[media]", new Date().toISOString().slice(17, 23), ...args);
  } catch {
    /* storage unavailable */
  }
};

interface RemoteConsumer {
  consumerId: string;
  /** The recv transport it belongs to (its mid is only unique there). */
  transportId: string;
  producerId: string;
  peerId: string;
  source: ProducerSource;
  kind: "audio" | "video";
  mid: string;
  stream: MediaStream;
  /** Paused on the server (low-bandwidth mode, see setVideoReceiving). */
  paused?: boolean;
}

interface LocalProducer {
  producerId: string;
  transceiver: RTCRtpTransceiver;
  source: ProducerSource;
}

/**
 * Closed consumers leave inactive m-lines in the recv transport's SDP, and every later offer and
 * answer carries them (a class where people mute and unmute for an hour would pass the server's
 * SDP size limit). Past this many, the session moves to a fresh recv transport.
 */
export const RECV_COMPACT_AFTER = 24;

/**
 * One participant's media through the SFU (docs/MEDIA.md): a send transport for what I publish
 * (I offer, the server answers) and a recv transport for what I watch (the server offers, I
 * answer, one consumer at a time). `onChange` reports remote streams by participant id.
 */
export class MediaSession {
  private sendPc: RTCPeerConnection | null = null;
  private sendId: string | null = null;
  private recvPc: RTCPeerConnection | null = null;
  private recvId: string | null = null;
  private readonly consumers = new Map<string, RemoteConsumer>(); // by producerId
  private readonly local = new Map<ProducerSource, LocalProducer>();
  private queue: Promise<unknown> = Promise.resolve();
  private sendQueue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private pendingTracks = new Map<string, MediaStreamTrack>(); // by mid
  /** Transceivers of unpublished sources, reused when the source is published again (no new m-line). */
  private readonly idle = new Map<ProducerSource, RTCRtpTransceiver>();
  /** Inactive m-lines in the current recv transport. */
  private closedSlots = 0;
  private compactAfter = RECV_COMPACT_AFTER;
  /** Which incoming video to receive (null: all); the rest is paused on the server. */
  private receiveVideo: ((peerId: string, source: ProducerSource) => boolean) | null = null;

  constructor(
    private readonly signal: MediaSignal,
    private readonly myPeerId: string,
    private readonly iceServers: RTCIceServer[],
    private readonly onChange: (remote: Map<string, RemoteMedia>) => void,
    private readonly onLocalClosed: (source: ProducerSource) => void,
    private readonly onError: (err: unknown) => void,
    /** A connection to the SFU failed for good (ICE/DTLS): the owner starts the media over. */
    private readonly onFailed: () => void = () => {},
  ) {}

  private watch(pc: RTCPeerConnection, name: string) {
    pc.onconnectionstatechange = () => {
      debug(name, "pc", pc.connectionState);
      if (pc.connectionState === "failed" && !this.closed && (pc === this.recvPc || pc === this.sendPc)) this.onFailed();
    };
  }

  /**
   * Opens the recv transport and consumes everything already published. Producers announced
   * (`new-producer`) while the transport is being created are consumed once it exists: the
   * consume queue starts behind `start` (they used to be dropped, because `consumeNow` found no
   * recv transport yet, so a student could miss the camera or the microphone that the teacher
   * published while the student was joining).
   */
  start(): Promise<void> {
    const started = this.startNow();
    this.queue = started.catch(() => {});
    return started;
  }

  private async startNow(): Promise<void> {
    try {
      if (globalThis.localStorage?.getItem("vtpDebug")?.includes("media")) (globalThis as unknown as { __vtpMedia?: MediaSession }).__vtpMedia = this;
    } catch {
      /* storage unavailable */
    }
    this.compactAfter = storedPositiveInt("vtpRecvCompactAfter", this.compactAfter);
    const producers = await this.openRecv();
    debug(
      "recv transport",
      this.recvId,
      "existing producers",
      producers.map((p) => `${p.source} ${p.producerId}`),
    );
    // Queued behind this call (see start); a producer also announced by `new-producer` is consumed once.
    for (const p of producers) this.consume(p);
  }

  /** Creates a recv transport and makes it the current one; returns the room's existing producers. */
  private async openRecv(): Promise<ProducerInfo[]> {
    const created = await this.signal.request("create-transport", { direction: "recv" });
    const transportId = created.transportId;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.recvId = transportId;
    this.recvPc = pc;
    this.pendingTracks = new Map();
    this.closedSlots = 0;
    const pending = this.pendingTracks;
    this.watch(pc, "recv");
    pc.ontrack = (event) => {
      const mid = event.transceiver.mid;
      if (!mid) return;
      const consumer = [...this.consumers.values()].find((x) => x.mid === mid && x.transportId === transportId);
      if (consumer) {
        for (const t of consumer.stream.getTracks()) consumer.stream.removeTrack(t);
        consumer.stream.addTrack(event.track);
        this.emit();
      } else pending.set(mid, event.track);
    };
    return created.producers;
  }

  /**
   * Moves every consumer to a fresh recv transport (see RECV_COMPACT_AFTER), make-before-break:
   * each remote stream keeps playing its old track until the new one is there, then the old
   * transport is closed (the server closes its side on the DTLS close).
   */
  private async compact(): Promise<void> {
    if (this.closed || !this.recvPc) return;
    const oldPc = this.recvPc;
    const old = new Map(this.consumers);
    debug("rebuilding the recv transport", this.recvId, "consumers", old.size);
    const producers = await this.openRecv();
    const live = new Set<string>();
    for (const producer of producers) {
      if (producer.peerId === this.myPeerId) continue;
      live.add(producer.producerId);
      await this.consumeNow(producer.producerId, true);
    }
    for (const [producerId, consumer] of old) {
      if (live.has(producerId) || this.consumers.get(producerId) !== consumer) continue;
      this.consumers.delete(producerId);
      for (const t of consumer.stream.getTracks()) consumer.stream.removeTrack(t);
    }
    oldPc.close();
    this.emit();
  }

  private noteClosedSlot() {
    if (++this.closedSlots < this.compactAfter) return;
    this.closedSlots = 0;
    this.queue = this.queue.then(() => this.compact()).catch((err) => this.onError(err));
  }

  /** Someone published: watch it (mine are skipped). */
  consume(producer: Pick<ProducerInfo, "producerId" | "peerId">) {
    if (producer.peerId === this.myPeerId || this.consumers.has(producer.producerId)) return;
    debug("queue consume", producer.producerId);
    this.queue = this.queue.then(() => this.consumeNow(producer.producerId)).catch((err) => this.onError(err));
  }

  /** `migrating`: the producer may already be consumed on the previous recv transport (compact). */
  private async consumeNow(producerId: string, migrating = false) {
    if (this.closed || !this.recvPc || !this.recvId) return;
    const previous = this.consumers.get(producerId);
    if (previous && (!migrating || previous.transportId === this.recvId)) return;
    const transportId = this.recvId;
    let res: EventResult<"consume">;
    try {
      res = await this.signal.request("consume", { producerId, transportId });
    } catch (err) {
      // The producer may have closed in the meantime.
      if ((err as { code?: string }).code === "PRODUCER_NOT_FOUND") return;
      throw err;
    }
    debug("consume", producerId, "→", res.consumerId, res.kind, res.source, "mid", res.mid);
    // Moving to a new transport: the same stream object, so <video> and <audio> keep playing.
    const stream = previous?.stream ?? new MediaStream();
    const consumer: RemoteConsumer = {
      consumerId: res.consumerId,
      transportId,
      producerId,
      peerId: res.producerPeerId,
      source: res.source,
      kind: res.kind,
      mid: res.mid,
      stream,
    };
    const pc = this.recvPc;
    if (!previous) this.consumers.set(producerId, consumer);
    await pc.setRemoteDescription(res.offer);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await this.signal.request("connect-transport", { transportId, description: { type: "answer", sdp: localSdp(pc) } });
    const tr = pc.getTransceivers().find((t) => t.mid === res.mid);
    const track = this.pendingTracks.get(res.mid) ?? tr?.receiver.track;
    this.pendingTracks.delete(res.mid);
    if (previous) {
      // Closed while the move was under way: nothing to show.
      if (this.consumers.get(producerId) !== previous) return;
      this.consumers.set(producerId, consumer);
      if (track) {
        for (const t of stream.getTracks()) if (t !== track) stream.removeTrack(t);
        if (!stream.getTracks().includes(track)) stream.addTrack(track);
      }
    } else if (track && !stream.getTracks().includes(track)) stream.addTrack(track);
    debug("consumer ready", res.consumerId, "track", track?.kind, track?.readyState);
    this.applyPause(consumer);
    this.emit();
  }

  /** Low-bandwidth mode: the video `receive` says no to is paused on the server (null: receive all). */
  setVideoReceiving(receive: ((peerId: string, source: ProducerSource) => boolean) | null) {
    this.receiveVideo = receive;
    for (const consumer of this.consumers.values()) this.applyPause(consumer);
  }

  private applyPause(consumer: RemoteConsumer) {
    if (consumer.kind !== "video" || this.closed) return;
    const paused = this.receiveVideo ? !this.receiveVideo(consumer.peerId, consumer.source) : false;
    if ((consumer.paused ?? false) === paused) return;
    consumer.paused = paused;
    this.signal.request("pause-consumer", { consumerId: consumer.consumerId, paused }).catch((err) => {
      if (this.consumers.get(consumer.producerId) === consumer) consumer.paused = !paused;
      this.onError(err);
    });
  }

  /** A producer (someone else's, or mine closed by the host) is gone. */
  producerClosed(producerId: string, peerId?: string) {
    const consumer = this.consumers.get(producerId);
    if (consumer) {
      this.dropConsumer(consumer);
      return;
    }
    if (peerId === this.myPeerId || peerId === undefined) {
      for (const [source, lp] of this.local) {
        if (lp.producerId === producerId) {
          this.local.delete(source);
          this.idle.set(source, lp.transceiver);
          void lp.transceiver.sender.replaceTrack(null).catch(() => {});
          this.onLocalClosed(source);
        }
      }
    }
  }

  /** The server closed one of my consumers (`consumer-closed`); one of an old transport is ignored. */
  consumerClosed(consumerId: string) {
    const consumer = [...this.consumers.values()].find((x) => x.consumerId === consumerId);
    if (consumer) this.dropConsumer(consumer);
  }

  private dropConsumer(consumer: RemoteConsumer) {
    this.consumers.delete(consumer.producerId);
    for (const t of consumer.stream.getTracks()) consumer.stream.removeTrack(t);
    this.emit();
    if (consumer.transportId === this.recvId) this.noteClosedSlot();
  }

  /** Publishes a track (or swaps the track of a source already published). */
  publish(track: MediaStreamTrack, source: ProducerSource): Promise<void> {
    const queued = this.sendQueue.then(() => this.publishNow(track, source));
    this.sendQueue = queued.catch(() => {});
    return queued;
  }

  private async publishNow(track: MediaStreamTrack, source: ProducerSource) {
    if (this.closed) return;
    const existing = this.local.get(source);
    if (existing) {
      await existing.transceiver.sender.replaceTrack(track);
      return;
    }
    // Published before (unmute, camera back on): the same m-line, no renegotiation.
    const reuse = this.idle.get(source);
    if (reuse && this.sendPc && this.sendId && reuse.mid && reuse.currentDirection !== "stopped") {
      this.idle.delete(source);
      await reuse.sender.replaceTrack(track);
      const { producerId } = await this.signal.request("produce", { transportId: this.sendId, kind: kindOf(track), source, mid: reuse.mid });
      this.local.set(source, { producerId, transceiver: reuse, source });
      debug("produced again", source, producerId, "mid", reuse.mid);
      return;
    }
    if (!this.sendPc || !this.sendId) {
      const created = await this.signal.request("create-transport", { direction: "send" });
      this.sendId = created.transportId;
      this.sendPc = new RTCPeerConnection({ iceServers: this.iceServers });
      this.watch(this.sendPc, "send");
    }
    const pc = this.sendPc;
    const sendId = this.sendId;
    debug("publish", source, "send transport", this.sendId);
    const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [new MediaStream([track])] });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const connected = await this.signal.request("connect-transport", { transportId: sendId, description: { type: "offer", sdp: localSdp(pc) } });
    if (!connected.answer) throw new Error("The server did not answer the send transport's offer");
    await pc.setRemoteDescription(connected.answer);
    const { producerId } = await this.signal.request("produce", { transportId: sendId, kind: kindOf(track), source, mid: transceiver.mid ?? undefined });
    this.local.set(source, { producerId, transceiver, source });
    debug("produced", source, producerId, "mid", transceiver.mid);
  }

  /** Stops publishing a source (camera off, mute, stop sharing). */
  unpublish(source: ProducerSource): Promise<void> {
    const queued = this.sendQueue.then(async () => {
      const lp = this.local.get(source);
      if (!lp) return;
      this.local.delete(source);
      this.idle.set(source, lp.transceiver);
      await lp.transceiver.sender.replaceTrack(null).catch(() => {});
      await this.signal.request("close-producer", { producerId: lp.producerId }).catch(() => {});
    });
    this.sendQueue = queued.catch(() => {});
    return queued;
  }

  isPublishing(source: ProducerSource): boolean {
    return this.local.has(source);
  }

  /** Audio levels (0–1) of remote microphones by participant id, from the receivers. */
  levels(): Map<string, number> {
    const out = new Map<string, number>();
    const pc = this.recvPc;
    if (!pc) return out;
    for (const consumer of this.consumers.values()) {
      if (consumer.kind !== "audio" || consumer.source !== "microphone") continue;
      const tr = pc.getTransceivers().find((t) => t.mid === consumer.mid);
      const level = tr?.receiver.getSynchronizationSources?.()[0]?.audioLevel ?? 0;
      out.set(consumer.peerId, Math.max(out.get(consumer.peerId) ?? 0, level));
    }
    return out;
  }

  /** For diagnostics: the raw stats of both transports. */
  sdp() {
    return {
      sendLocal: this.sendPc?.localDescription?.sdp,
      sendRemote: this.sendPc?.remoteDescription?.sdp,
      recvRemote: this.recvPc?.remoteDescription?.sdp,
      recvLocal: this.recvPc?.localDescription?.sdp,
    };
  }

  async stats(): Promise<{ send: RTCStatsReport | null; recv: RTCStatsReport | null }> {
    return { send: (await this.sendPc?.getStats()) ?? null, recv: (await this.recvPc?.getStats()) ?? null };
  }

  close() {
    this.closed = true;
    this.sendPc?.close();
    this.recvPc?.close();
    this.sendPc = this.recvPc = null;
    this.consumers.clear();
    this.local.clear();
    this.idle.clear();
    this.emit();
  }

  private emit() {
    this.onChange(groupRemote(this.consumers.values()));
  }
}

/** The SDP just set with setLocalDescription (the browser keeps it as localDescription). */
function localSdp(pc: RTCPeerConnection): string {
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error("The peer connection has no local description");
  return sdp;
}
