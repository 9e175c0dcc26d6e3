import { isKeyFrame, rtpPayloadOffset } from "./rtp.js";

export interface OrderedRtpOptions {
  kind: "audio" | "video";
  /** "VP8", "H264", "opus". */
  codec: string;
  clockRate: number;
  /** Gets the cleaned packets, in order. */
  emit: (packet: Buffer) => void;
  /** Video: the stream needs a key frame (at the start, after a loss, or when asked). */
  onNeedKeyFrame?: () => void;
  /** How long a missing packet is waited for (a retransmission) before going on without it. */
  maxWaitMs?: number;
  now?: () => number;
}

export interface OrderedRtpStats {
  received: number;
  emitted: number;
  duplicates: number;
  late: number;
  padding: number;
  lost: number;
  /** Packets dropped while waiting for a key frame. */
  gated: number;
  keyFrames: number;
  /** Times the numbering jumped (a new stream). */
  resyncs: number;
}

/** False for a padding-only packet (or a malformed one). */
function hasPayload(packet: Buffer): boolean {
  const off = rtpPayloadOffset(packet);
  const end = packet[0] & 0x20 ? packet.length - packet[packet.length - 1] : packet.length;
  return off >= 0 && off < end;
}

/** More than this many sequence numbers away from the expected one: a new stream, not reordering. */
const RESYNC = 1000;
/** Held packets at most (a gap older than this many packets is given up). */
const MAX_HELD = 512;

/**
 * What FFmpeg's RTP demuxer needs and a browser's stream is not: packets in order, each once, and,
 * for video, starting at a key frame. RTP from the SFU carries retransmissions (the same sequence
 * number again, late), reordering, and padding-only packets (bandwidth probes). This sits between
 * the recorder's consumer and FFmpeg:
 *
 * - a small reorder buffer: a missing sequence number is waited for `maxWaitMs`, then given up;
 * - duplicates and packets older than the last one let through are dropped; padding-only packets
 *   fill their sequence number and are dropped;
 * - video is let through from a key frame on, and again from the next key frame after a loss
 *   (a decoder cannot use the frames in between); `onNeedKeyFrame` asks the publisher for one;
 * - the output is renumbered (contiguous sequence numbers, one SSRC), and an RTP timestamp jump
 *   that the wall clock does not explain (a publisher restart) is smoothed over, so FFmpeg never
 *   sees a gap, a step back or a leap.
 */
export class OrderedRtp {
  readonly stats: OrderedRtpStats = { received: 0, emitted: 0, duplicates: 0, late: 0, padding: 0, lost: 0, gated: 0, keyFrames: 0, resyncs: 0 };
  private readonly held = new Map<number, { packet: Buffer | null; at: number }>();
  /** Extended sequence number expected next; -1 before the first packet. */
  private next = -1;
  private needKey: boolean;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  // output stream state
  private outSeq = Math.floor(Math.random() * 0x10000);
  private readonly outSsrc = (Math.random() * 0xffffffff) >>> 0;
  private tsOffset = 0;
  private lastInTs = -1;
  private lastOutTs = 0;
  private lastEmitAt = 0;

  constructor(private readonly opts: OrderedRtpOptions) {
    this.needKey = opts.kind === "video";
    this.maxWaitMs = opts.maxWaitMs ?? 300;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Video waits for a key frame (nothing is let through until one arrives). */
  get waitingForKeyFrame(): boolean {
    return this.needKey;
  }

  /** Let video through again only from the next key frame on (e.g. a new FFmpeg part starts). */
  requireKeyFrame(): void {
    if (this.opts.kind !== "video") return;
    this.needKey = true;
    this.opts.onNeedKeyFrame?.();
  }

  push(packet: Buffer): void {
    if (this.closed || packet.length < 12) return;
    this.stats.received++;
    const seq = packet.readUInt16BE(2);
    const at = this.now();
    if (this.next < 0) this.next = seq;
    const ext = this.next + (((seq - (this.next & 0xffff) + 0x8000) & 0xffff) - 0x8000);
    if (Math.abs(ext - this.next) > RESYNC) {
      // A new numbering (the publisher restarted its stream): what is held goes first, then this.
      this.stats.resyncs++;
      this.drain(true);
      this.next = ext;
      this.requireKeyFrame();
    }
    if (ext < this.next) {
      this.stats.late++;
      return;
    }
    if (this.held.has(ext)) {
      this.stats.duplicates++;
      return;
    }
    const padding = !hasPayload(packet);
    if (padding) this.stats.padding++;
    this.held.set(ext, { packet: padding ? null : packet, at });
    this.drain(false);
  }

  /** Lets through what is in order; gives up a gap waited on too long (or every gap, `force`). */
  private drain(force: boolean): void {
    for (;;) {
      let item = this.held.get(this.next);
      while (item) {
        this.held.delete(this.next);
        this.next++;
        if (item.packet) this.out(item.packet);
        item = this.held.get(this.next);
      }
      if (this.held.size === 0) break;
      let first = Infinity;
      let oldest = Infinity;
      for (const [k, v] of this.held) {
        if (k < first) first = k;
        if (v.at < oldest) oldest = v.at;
      }
      if (!force && this.held.size < MAX_HELD && this.now() - oldest < this.maxWaitMs) {
        this.arm(this.maxWaitMs - (this.now() - oldest));
        return;
      }
      // Lost: go on from the first packet held; video needs a key frame again.
      this.stats.lost += first - this.next;
      this.next = first;
      if (this.opts.kind === "video" && !this.needKey) this.requireKeyFrame();
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(ms: number) {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (!this.closed) this.drain(false);
      },
      Math.max(5, ms),
    );
    this.timer.unref?.();
  }

  private out(packet: Buffer): void {
    if (this.needKey) {
      if (!isKeyFrame(this.opts.codec, packet)) {
        this.stats.gated++;
        return;
      }
      this.needKey = false;
    }
    if (this.opts.kind === "video" && isKeyFrame(this.opts.codec, packet)) this.stats.keyFrames++;
    const now = this.now();
    const inTs = packet.readUInt32BE(4);
    if (this.lastInTs >= 0 && inTs !== this.lastInTs) {
      const delta = ((inTs - this.lastInTs) | 0) as number;
      const expected = Math.round(((now - this.lastEmitAt) * this.opts.clockRate) / 1000);
      // A leap (or a step back) the wall clock does not explain: continue from the wall clock.
      if (delta < -this.opts.clockRate / 2 || delta - expected > this.opts.clockRate * 5) {
        this.tsOffset = (this.lastOutTs + Math.max(1, expected) - inTs) >>> 0;
      }
    }
    const outTs = (inTs + this.tsOffset) >>> 0;
    if (inTs !== this.lastInTs || this.lastInTs < 0) this.lastEmitAt = now;
    this.lastInTs = inTs;
    this.lastOutTs = outTs;
    const copy = Buffer.from(packet);
    copy.writeUInt16BE(this.outSeq, 2);
    copy.writeUInt32BE(outTs, 4);
    copy.writeUInt32BE(this.outSsrc, 8);
    this.outSeq = (this.outSeq + 1) & 0xffff;
    this.stats.emitted++;
    this.opts.emit(copy);
  }

  /** The track ended: what is held goes out now, gaps and all (nothing more will fill them). */
  flush(): void {
    if (!this.closed) this.drain(true);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
  }
}
