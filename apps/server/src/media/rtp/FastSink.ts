import type { Socket } from "node:dgram";
import type { RTCRtpTransceiver, RtpHeader } from "werift";
import type { RtpSink } from "./RtpSink.js";
import { keysOfWeriftSession, sealRtp, srtpTagLength, type SrtpKeys } from "./srtp.js";

/*
 * The forwarding fast path. werift's RTCRtpSender.sendRtp, per packet and per subscriber, parses
 * the shared buffer into objects again, rebuilds the header extensions with closures and a sort,
 * serializes the header, encrypts through two object layers, records TWCC bookkeeping and awaits
 * a chain of promises to reach the UDP socket. Here each packet costs: read two header fields,
 * write one new header into one buffer, one AES (GCM, or CTR + HMAC) pass, one socket.send.
 *
 * What werift still does for this m-line: DTLS, RTCP (SR from the counters we keep on the
 * sender, RR/PLI/NACK/REMB parsing). NACKs are answered here from a ring of the *source* packets
 * (the producer's serialized buffer, shared by every subscriber and never written to), sealed again
 * with the sequence number, timestamp and rollover counter they were sent with: the receiver never
 * got that packet, so it is no replay. Keeping the sealed copies instead cost ≈ 0.5 MB per
 * subscriber (512 × ≈ 1 KB; docs/BENCHMARKS.md "Where a subscriber's memory goes").
 */

const CACHE = 512; // packets kept for NACK (a power of two)
const URI_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
const URI_ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
const NTP_EPOCH_OFFSET = 2208988800;
/** The body of a forwarded padding-only packet: one padding byte that counts itself. */
const ONE_BYTE_PADDING = Buffer.from([1]);

/** Internals of werift objects we read (not in its public types). */
interface WeriftPair {
  remoteAddr: [string, number];
  protocol: { type: string; transport?: { socket?: Socket; closed?: boolean } };
}
interface WeriftIceConnection {
  nominated?: WeriftPair;
  consentFresh: boolean;
  iceLite?: boolean;
  state: string;
}

export class FastSink implements RtpSink {
  onClose: (() => void) | undefined;
  readonly #transceiver: RTCRtpTransceiver;
  #closed = false;
  // bound state (re-resolved when werift's objects change)
  #srtp: unknown;
  #keys: SrtpKeys | undefined;
  #pair: WeriftPair | undefined;
  #socket: Socket | undefined;
  #host = "";
  #port = 0;
  #midExt: Buffer | undefined;
  #extLen = 0;
  // stream state
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq = -1;
  #lastTs = 0;
  #roc = 0;
  #started = false;
  /** Video only (audio does not negotiate NACK): the source packet, its sequence number and ROC as sent. */
  readonly #ring: { src: (Buffer | undefined)[]; seq: Int32Array; roc: Uint32Array } | undefined;
  #lastWallMs = 0;
  #packets = 0;
  #octets = 0;
  #unsubscribeNack: (() => void) | undefined;
  /** Only video negotiates NACK (Opus does not): audio packets are not kept. */
  readonly #nackable: boolean;

  constructor(transceiver: RTCRtpTransceiver) {
    this.#transceiver = transceiver;
    this.#nackable = transceiver.kind === "video";
    this.#ring = this.#nackable ? { src: new Array(CACHE), seq: new Int32Array(CACHE).fill(-1), roc: new Uint32Array(CACHE) } : undefined;
    const sender = transceiver.sender;
    // werift's RTCP loop reads these to build Sender Reports: serve them from our counters.
    Object.defineProperties(sender, {
      packetCount: { get: () => this.#packets >>> 0, set: () => {}, configurable: true },
      octetCount: { get: () => this.#octets >>> 0, set: () => {}, configurable: true },
      rtpTimestamp: { get: () => this.#lastTs, set: () => {}, configurable: true },
      ntpTimestamp: { get: () => this.#ntp(), set: () => {}, configurable: true },
    });
    this.#unsubscribeNack = sender.onGenericNack.subscribe((nack) => this.#onNack(nack.lost)).unSubscribe;
  }

  #ntp(): bigint {
    const ms = this.#lastWallMs || Date.now();
    const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET;
    const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
    return (BigInt(seconds) << 32n) | BigInt(fraction);
  }

  /** Resolve werift's DTLS/SRTP/ICE objects; false while not connected. */
  #bind(): boolean {
    const sender = this.#transceiver.sender;
    const dtls = sender.dtlsTransport as unknown as {
      state: string;
      srtp?: unknown;
      iceTransport: { connection: WeriftIceConnection };
    };
    if (dtls?.state !== "connected" || !dtls.srtp || !sender.codec) return false;
    if (dtls.srtp !== this.#srtp) {
      this.#keys = keysOfWeriftSession(dtls.srtp);
      this.#srtp = dtls.srtp;
    }
    const conn = dtls.iceTransport.connection;
    const pair = conn.nominated;
    if (!pair || !(conn.consentFresh || conn.iceLite) || conn.state === "closed" || conn.state === "failed") return false;
    if (pair !== this.#pair) {
      const socket = pair.protocol.type === "stun" ? pair.protocol.transport?.socket : undefined;
      if (!socket) return false;
      this.#pair = pair;
      this.#socket = socket;
      this.#host = pair.remoteAddr[0];
      this.#port = pair.remoteAddr[1];
    }
    if (!this.#midExt || this.#extsOf !== this.#transceiver.headerExtensions) this.#buildExtensions(this.#transceiver.mid ?? "");
    return true;
  }

  /**
   * One-byte header extensions (RFC 8285): mid and abs-send-time, with the ids of the subscriber's
   * answer (werift's transceiver.headerExtensions after setRemoteDescription). An extension the
   * answer did not negotiate is not written: a guessed id could be one the receiver maps to
   * something else (video also negotiates rid and repaired-rid).
   */
  #buildExtensions(mid: string): void {
    const exts = this.#transceiver.headerExtensions;
    this.#extsOf = exts;
    const ids = new Map<string, number>();
    for (const e of exts) ids.set(e.uri, e.id);
    const midId = ids.get(URI_MID);
    const absId = ids.get(URI_ABS);
    const midBytes = midId !== undefined && mid ? Buffer.from(mid).subarray(0, 16) : undefined;
    const body = (midBytes ? 1 + midBytes.length : 0) + (absId !== undefined ? 4 : 0);
    this.#absOffset = -1;
    if (body === 0) {
      this.#midExt = Buffer.alloc(0);
      this.#extLen = 0;
      return;
    }
    const words = Math.ceil(body / 4);
    const ext = Buffer.alloc(4 + words * 4);
    ext.writeUInt16BE(0xbede, 0);
    ext.writeUInt16BE(words, 2);
    let pos = 4;
    if (midBytes && midId !== undefined) {
      ext[pos++] = (midId << 4) | (midBytes.length - 1);
      midBytes.copy(ext, pos);
      pos += midBytes.length;
    }
    if (absId !== undefined) {
      ext[pos] = (absId << 4) | 2; // abs-send-time: 3 bytes, written per packet at #absOffset
      this.#absOffset = pos + 1;
    }
    this.#midExt = ext;
    this.#extLen = ext.length;
  }
  #absOffset = -1;
  /** Media bytes of the packet #seal made last (for the sender report's octet count). */
  #sealedMediaBytes = 0;
  /** The transceiver.headerExtensions the block was built from (werift replaces it on renegotiation). */
  #extsOf: unknown;

  send(src: Buffer): void {
    if (this.#closed) return;
    if (!this.#bind()) return;
    if (src.length < 12) return;
    const inSeq = src.readUInt16BE(2);
    const inTs = src.readUInt32BE(4);
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    const ts = (inTs + this.#tsOffset) >>> 0;
    // rollover counter: we are the only writer of this SSRC, sequence numbers only go forward
    // (with small reordering from the publisher leg)
    if (seq < 0x1000 && this.#lastSeq > 0xf000) this.#roc = (this.#roc + 1) >>> 0;
    let roc = this.#roc;
    const late = seq > 0xf000 && this.#lastSeq < 0x1000 && roc > 0; // a late packet from before the wrap
    if (late) roc--;
    const now = performance.timeOrigin + performance.now();
    const out = this.#seal(src, seq, ts, roc, now);
    if (!out) return;
    this.#started = true;
    if (!late) this.#lastSeq = seq;
    this.#lastTs = ts;
    this.#lastWallMs = now;
    const ring = this.#ring;
    if (ring) {
      const slot = seq & (CACHE - 1);
      ring.src[slot] = src;
      ring.seq[slot] = seq;
      ring.roc[slot] = roc;
    }
    this.#packets++;
    this.#octets += this.#sealedMediaBytes;
    this.#socket?.send(out, this.#port, this.#host);
    if (this.#packets === 1) void (this.#transceiver.sender as unknown as { runRtcp(): Promise<void> }).runRtcp();
  }

  /**
   * The SRTP packet for the subscriber: the source's payload under a new header (the subscriber's
   * payload type, SSRC, `seq`, `ts`, the negotiated extensions), sealed with `roc`. Undefined for a
   * malformed source. Sets #sealedMediaBytes (0 for a padding-only packet): no object per packet.
   */
  #seal(src: Buffer, seq: number, ts: number, roc: number, now: number): Buffer | undefined {
    const sender = this.#transceiver.sender;
    // #bind() has set all of these; the check keeps the compiler and a future #bind() honest.
    const keys = this.#keys;
    const midExt = this.#midExt;
    const payloadType = sender.codec?.payloadType;
    if (!keys || !midExt || payloadType === undefined) return undefined;
    const csrcBytes = (src[0] & 0x0f) * 4;
    let srcHeader = 12 + csrcBytes;
    // The source's own header extension block (X bit) is not payload: skip it. The producer strips
    // the publisher's extensions, but werift still serializes X=1 with an empty block (BE DE 00 00)
    // for packets that arrived with extensions, i.e. every packet from a browser.
    if (src[0] & 0x10) {
      if (src.length < srcHeader + 4) return undefined;
      srcHeader += 4 + src.readUInt16BE(srcHeader + 2) * 4;
    }
    let payloadEnd = src.length;
    if (src[0] & 0x20) payloadEnd -= src[src.length - 1]; // drop padding
    if (payloadEnd < srcHeader) return undefined; // malformed padding length
    // A padding-only packet (Chromium pads a screen share up to its minimum bitrate, and probes
    // bandwidth, on the media SSRC when RTX is not negotiated) still takes a sequence number:
    // dropping it would leave a gap that the subscriber counts as lost and NACKs for ever. It is
    // forwarded as a 1-byte padding-only packet (the bandwidth it carried is not needed on this leg).
    const padOnly = payloadEnd === srcHeader;
    const headerLen = 12 + csrcBytes + this.#extLen;
    const payloadLen = padOnly ? 1 : payloadEnd - srcHeader;
    const out = Buffer.allocUnsafe(headerLen + payloadLen + srtpTagLength(keys));
    out[0] = (this.#extLen ? 0x90 : 0x80) | (padOnly ? 0x20 : 0) | (src[0] & 0x0f); // V=2, P (padding-only packets), X, CC
    out[1] = (src[1] & 0x80) | (payloadType & 0x7f);
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(ts, 4);
    out.writeUInt32BE(sender.ssrc, 8);
    if (csrcBytes) src.copy(out, 12, 12, 12 + csrcBytes);
    midExt.copy(out, 12 + csrcBytes);
    if (this.#absOffset >= 0) {
      // abs-send-time: 6.18 fixed point seconds, 24 bits
      const abs = Math.floor((now / 1000) * 262144) & 0xffffff;
      const ao = 12 + csrcBytes + this.#absOffset;
      out[ao] = abs >>> 16;
      out[ao + 1] = (abs >>> 8) & 0xff;
      out[ao + 2] = abs & 0xff;
    }
    const payload = padOnly ? ONE_BYTE_PADDING : src.subarray(srcHeader, payloadEnd);
    sealRtp(keys, out, headerLen, payload, sender.ssrc, roc, seq);
    this.#sealedMediaBytes = padOnly ? 0 : payloadLen;
    return out;
  }

  /** Sends the asked packets again, sealed as they were first sent (those still in the ring). */
  #onNack(lost: number[]): void {
    const ring = this.#ring;
    if (!ring || this.#closed || !this.#bind()) return;
    const now = performance.timeOrigin + performance.now();
    for (const seq of lost) {
      const slot = seq & (CACHE - 1);
      const src = ring.src[slot];
      if (!src || ring.seq[slot] !== seq) continue;
      // No rebase since it was sent (a rebase empties the ring), so the same offsets give the same header.
      const ts = (src.readUInt32BE(4) + this.#tsOffset) >>> 0;
      const out = this.#seal(src, seq, ts, ring.roc[slot], now);
      if (out) this.#socket?.send(out, this.#port, this.#host);
    }
  }

  /** Continue sequence numbers and timestamps across a source change (simulcast layer switch). */
  rebase(next: RtpHeader): void {
    if (!this.#started) return;
    this.#seqOffset = (this.#lastSeq + 1 - next.sequenceNumber) & 0xffff;
    this.#tsOffset = (this.#lastTs + 1 - next.timestamp) >>> 0;
    this.#ring?.src.fill(undefined);
    this.#ring?.seq.fill(-1);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribeNack?.();
    this.#ring?.src.fill(undefined);
    this.#socket = undefined;
    this.onClose?.();
  }
}
