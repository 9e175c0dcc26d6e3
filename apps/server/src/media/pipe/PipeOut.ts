import { randomBytes, randomUUID } from "node:crypto";
import type { RemoteInfo, Socket } from "node:dgram";
import type { Producer, ProducerTap } from "../Producer.js";
import { CONTROL, controlDatagram, isRtcp, openPipeSocket, PIPE_SILENCE_MS, readControl, readFeedback } from "./wire.js";
import type { PipeHealth } from "./PipeIn.js";

/** Packets kept per SSRC for the far end's NACKs (a power of two). */
const RING = 512;

/**
 * The origin's end of a pipe (mediasoup's PipeTransport, sending side): a tap on a producer that
 * sends every packet of every layer to one other shard. The far end is not known at set-up: it
 * says hello with the token handed out here over the authenticated set-up call (the worker
 * channel, or the media node's RPC with the shared secret), and only that address gets media and
 * is heard (PLI/FIR → the publisher, NACK → a resend from the packets kept here).
 */
export class PipeOut implements ProducerTap {
  readonly id = randomUUID();
  readonly token = randomBytes(16).toString("hex");
  #remote: { address: string; port: number } | undefined;
  #ring = new Map<number, (Buffer | undefined)[]>();
  lastHeardAt = Date.now();
  readonly openedAt = Date.now();
  packetsSent = 0;
  bytesSent = 0;
  keyFrameRequests = 0;
  nacksAnswered = 0;
  closed = false;
  onClose: (() => void) | undefined;

  private constructor(
    readonly producer: Producer,
    readonly socket: Socket,
    readonly ip: string,
    readonly port: number,
  ) {
    socket.on("message", (msg, rinfo) => this.#onMessage(msg, rinfo));
    socket.on("error", () => this.close());
    producer.taps = [...producer.taps, this];
    producer.once("close", () => this.close());
  }

  static async open(producer: Producer, listenIp: string | undefined): Promise<PipeOut> {
    const { socket, ip, port } = await openPipeSocket(listenIp);
    return new PipeOut(producer, socket, ip, port);
  }

  /** Per packet (from the producer): to the far end once it said hello; kept for its NACKs. */
  send(buf: Buffer): void {
    const remote = this.#remote;
    if (!remote || this.closed) return;
    const ssrc = buf.readUInt32BE(8);
    let ring = this.#ring.get(ssrc);
    if (!ring) {
      ring = new Array<Buffer | undefined>(RING);
      this.#ring.set(ssrc, ring);
    }
    ring[buf.readUInt16BE(2) & (RING - 1)] = buf;
    this.packetsSent++;
    this.bytesSent += buf.length;
    this.socket.send(buf, remote.port, remote.address);
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length === 0) return;
    if (msg[0] === CONTROL) {
      if (readControl(msg)?.hello !== this.token) return;
      this.#remote = { address: rinfo.address, port: rinfo.port };
      this.lastHeardAt = Date.now();
      this.socket.send(
        controlDatagram({ layers: this.producer.layers.flatMap((l) => (l.ssrc === undefined ? [] : [{ rid: l.rid, ssrc: l.ssrc }])) }),
        rinfo.port,
        rinfo.address,
      );
      return;
    }
    const remote = this.#remote;
    if (!remote || rinfo.address !== remote.address || rinfo.port !== remote.port || !isRtcp(msg)) return;
    this.lastHeardAt = Date.now();
    for (const fb of readFeedback(msg)) {
      if (fb.type === "pli") {
        const index = this.producer.layers.findIndex((l) => l.ssrc === fb.ssrc);
        if (index < 0) continue;
        this.keyFrameRequests++;
        this.producer.requestKeyFrame(index);
      } else {
        const ring = this.#ring.get(fb.ssrc);
        for (const seq of fb.seqs) {
          const kept = ring?.[seq & (RING - 1)];
          if (!kept || kept.readUInt16BE(2) !== seq) continue;
          this.nacksAnswered++;
          this.socket.send(kept, remote.port, remote.address);
        }
      }
    }
  }

  health(now = Date.now()): PipeHealth {
    const connected = this.#remote !== undefined;
    return {
      pipeId: this.id,
      producerId: this.producer.id,
      side: "out",
      state: this.closed ? "closed" : !connected ? "connecting" : now - this.lastHeardAt > PIPE_SILENCE_MS ? "silent" : "ok",
      packets: this.packetsSent,
      bytes: this.bytesSent,
      keyFrameRequests: this.keyFrameRequests,
      nacks: this.nacksAnswered,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.producer.taps = this.producer.taps.filter((t) => t !== this);
    this.#ring.clear();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    this.onClose?.();
  }
}
