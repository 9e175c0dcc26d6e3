import type { RemoteInfo, Socket } from "node:dgram";
import { RtpPacket } from "werift";
import { Producer, type ProducerLayer } from "../Producer.js";
import type { ProducerInfo } from "../types.js";
import { CONTROL, controlDatagram, isRtcp, nackPacket, openPipeSocket, PIPE_HELLO_MS, PIPE_SILENCE_MS, pliPacket, readControl } from "./wire.js";

/** One pipe end as the admin status and /metrics show it. */
export interface PipeHealth {
  pipeId: string;
  producerId: string;
  side: "out" | "in";
  /** connecting: no word from the far end yet; silent: nothing heard for PIPE_SILENCE_MS. */
  state: "connecting" | "ok" | "silent" | "closed";
  packets: number;
  bytes: number;
  keyFrameRequests: number;
  nacks: number;
}

/** Where the origin's end listens, and the token that lets this end in (from `pipeOut`). */
export interface PipeOrigin {
  pipeId: string;
  ip: string;
  port: number;
  token: string;
}

/** A gap larger than this is a restart or a layer switch upstream, not loss: no NACK. */
const MAX_NACK_GAP = 32;

/**
 * The destination's end of a pipe: a pipe producer with the origin producer's id, fed by the
 * RTP that arrives from the origin's address only. Its consumers choose their layers here; its
 * keyframe requests and the NACKs of packets the pipe lost go back to the origin.
 */
export class PipeIn {
  readonly producer: Producer;
  #layers = new Map<number, ProducerLayer>();
  #highest = new Map<number, number>();
  #timer: NodeJS.Timeout;
  lastHeardAt = 0;
  packets = 0;
  bytes = 0;
  keyFrameRequests = 0;
  nacks = 0;
  closed = false;
  onClose: (() => void) | undefined;

  private constructor(
    info: ProducerInfo,
    private origin: PipeOrigin,
    readonly socket: Socket,
    pliThrottleMs: number,
  ) {
    this.producer = new Producer(info.peerId, info.userId, info.kind, info.source, undefined, pliThrottleMs, {
      producerId: info.producerId,
      mimeType: info.codec,
      requestKeyFrame: (ssrc) => {
        this.keyFrameRequests++;
        this.#send(pliPacket(ssrc));
      },
    });
    this.producer.once("close", () => this.close());
    socket.on("message", (msg, rinfo) => this.#onMessage(msg, rinfo));
    socket.on("error", () => this.close());
    this.#timer = setInterval(() => this.#hello(), PIPE_HELLO_MS);
    this.#hello();
  }

  get id(): string {
    return this.origin.pipeId;
  }

  static async open(info: ProducerInfo, origin: PipeOrigin, listenIp: string | undefined, pliThrottleMs: number): Promise<PipeIn> {
    const { socket } = await openPipeSocket(listenIp);
    return new PipeIn(info, origin, socket, pliThrottleMs);
  }

  /**
   * The pipe broke (its origin end is gone or silent) and was set up again: the same pipe
   * producer, its consumers untouched, now fed from the new origin end.
   */
  retarget(origin: PipeOrigin): void {
    this.origin = origin;
    this.lastHeardAt = 0;
    this.#highest.clear();
    this.#hello();
  }

  /** The hello (every second) keeps the origin sending here and brings back its layer table. */
  #hello(): void {
    this.#send(controlDatagram({ hello: this.origin.token }));
  }

  #send(buf: Buffer): void {
    if (!this.closed) this.socket.send(buf, this.origin.port, this.origin.ip);
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (rinfo.port !== this.origin.port || rinfo.address !== this.origin.ip || msg.length === 0) return;
    this.lastHeardAt = Date.now();
    if (msg[0] === CONTROL) {
      for (const layer of readControl(msg)?.layers ?? []) {
        if (typeof layer?.ssrc !== "number" || this.#layers.has(layer.ssrc)) continue;
        const rid = typeof layer.rid === "string" ? layer.rid : undefined;
        this.#layers.set(layer.ssrc, this.producer.addPipedLayer(rid, layer.ssrc));
      }
      return;
    }
    if (isRtcp(msg) || msg.length < 12) return;
    const ssrc = msg.readUInt32BE(8);
    const layer = this.#layers.get(ssrc);
    if (!layer) return; // its layer table comes with the next hello's answer
    this.packets++;
    this.bytes += msg.length;
    this.#checkGap(ssrc, msg.readUInt16BE(2));
    this.producer.receivePiped(layer, RtpPacket.deSerialize(msg));
  }

  /** Ask the origin again for the packets the pipe lost (its NACK is answered from its ring). */
  #checkGap(ssrc: number, seq: number): void {
    const last = this.#highest.get(ssrc);
    if (last === undefined) {
      this.#highest.set(ssrc, seq);
      return;
    }
    const ahead = (seq - last) & 0xffff;
    if (ahead === 0 || ahead >= 0x8000) return; // a resend or a late packet
    this.#highest.set(ssrc, seq);
    if (ahead > 1 && ahead <= MAX_NACK_GAP) {
      const missing: number[] = [];
      for (let i = 1; i < ahead; i++) missing.push((last + i) & 0xffff);
      this.nacks += missing.length;
      this.#send(nackPacket(ssrc, missing));
    }
  }

  health(now = Date.now()): PipeHealth {
    return {
      pipeId: this.id,
      producerId: this.producer.id,
      side: "in",
      state: this.closed ? "closed" : this.lastHeardAt === 0 ? "connecting" : now - this.lastHeardAt > PIPE_SILENCE_MS ? "silent" : "ok",
      packets: this.packets,
      bytes: this.bytes,
      keyFrameRequests: this.keyFrameRequests,
      nacks: this.nacks,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.#timer);
    this.producer.close("closed");
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    this.onClose?.();
  }
}
