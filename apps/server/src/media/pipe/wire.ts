/**
 * What crosses a pipe between two shards of one room (docs/ARCHITECTURE.md "Pipes"): plain RTP
 * from the origin (each simulcast layer with its own SSRC, as the publisher sent it, header
 * extensions stripped), RTCP PLI and generic NACK back from the destination, and small control
 * datagrams both ways. A control datagram starts with a zero byte (RTP and RTCP start with
 * version 2, 0x80–0xBF) and carries JSON: the destination's hello (the set-up token, every
 * second) and the origin's layer table (rid per SSRC, in answer to each hello).
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";

export const CONTROL = 0x00;
export const PIPE_HELLO_MS = 1000;
/** A pipe end that heard nothing from the other end for this long reports itself broken. */
export const PIPE_SILENCE_MS = 5000;

export interface PipeHello {
  hello: string;
}
export interface PipeLayerTable {
  layers: { rid?: string; ssrc: number }[];
}

export function controlDatagram(body: PipeHello | PipeLayerTable): Buffer {
  return Buffer.concat([Buffer.of(CONTROL), Buffer.from(JSON.stringify(body))]);
}

export function readControl(msg: Buffer): Partial<PipeHello & PipeLayerTable> | undefined {
  try {
    const value: unknown = JSON.parse(msg.subarray(1).toString("utf8"));
    return value && typeof value === "object" ? (value as Partial<PipeHello & PipeLayerTable>) : undefined;
  } catch {
    return undefined;
  }
}

/** RTCP packet types 192–223 (RFC 5761): what is not RTP on a muxed socket. */
export const isRtcp = (msg: Buffer) => msg.length >= 8 && msg[1] >= 192 && msg[1] <= 223;

/** RTCP PLI (RFC 4585, PT 206 FMT 1) for one media SSRC. */
export function pliPacket(mediaSsrc: number): Buffer {
  const buf = Buffer.alloc(12);
  buf[0] = 0x81;
  buf[1] = 206;
  buf.writeUInt16BE(2, 2);
  buf.writeUInt32BE(0, 4);
  buf.writeUInt32BE(mediaSsrc >>> 0, 8);
  return buf;
}

/** RTCP generic NACK (RFC 4585, PT 205 FMT 1) for sequence numbers of one SSRC. */
export function nackPacket(mediaSsrc: number, seqs: readonly number[]): Buffer {
  const items: [number, number][] = [];
  for (const seq of seqs) {
    const last = items[items.length - 1];
    const diff = last ? (seq - last[0]) & 0xffff : 0;
    if (last && diff >= 1 && diff <= 16) last[1] |= 1 << (diff - 1);
    else items.push([seq, 0]);
  }
  const buf = Buffer.alloc(12 + items.length * 4);
  buf[0] = 0x81;
  buf[1] = 205;
  buf.writeUInt16BE(2 + items.length, 2);
  buf.writeUInt32BE(mediaSsrc >>> 0, 8);
  items.forEach(([pid, blp], i) => {
    buf.writeUInt16BE(pid, 12 + i * 4);
    buf.writeUInt16BE(blp, 14 + i * 4);
  });
  return buf;
}

export type PipeFeedback = { type: "pli"; ssrc: number } | { type: "nack"; ssrc: number; seqs: number[] };

/** The PLIs, FIRs and NACKs of a (compound) RTCP datagram; other packets are skipped. */
export function readFeedback(msg: Buffer): PipeFeedback[] {
  const out: PipeFeedback[] = [];
  let pos = 0;
  while (pos + 12 <= msg.length) {
    const fmt = msg[pos] & 0x1f;
    const pt = msg[pos + 1];
    const end = pos + (msg.readUInt16BE(pos + 2) + 1) * 4;
    if (end > msg.length) break;
    if (pt === 206 && fmt === 1) out.push({ type: "pli", ssrc: msg.readUInt32BE(pos + 8) });
    // FIR (FMT 4): the media SSRC sits in its FCI entries.
    else if (pt === 206 && fmt === 4) for (let p = pos + 12; p + 8 <= end; p += 8) out.push({ type: "pli", ssrc: msg.readUInt32BE(p) });
    else if (pt === 205 && fmt === 1) {
      const seqs: number[] = [];
      for (let p = pos + 12; p + 4 <= end; p += 4) {
        const pid = msg.readUInt16BE(p);
        const blp = msg.readUInt16BE(p + 2);
        seqs.push(pid);
        for (let b = 0; b < 16; b++) if (blp & (1 << b)) seqs.push((pid + b + 1) & 0xffff);
      }
      out.push({ type: "nack", ssrc: msg.readUInt32BE(pos + 8), seqs });
    }
    pos = end;
  }
  return out;
}

/** A UDP socket for one pipe end, on the shard's listen address (loopback when none is set). */
export async function openPipeSocket(listenIp: string | undefined): Promise<{ socket: Socket; ip: string; port: number }> {
  const ip = listenIp && isIPv4(listenIp) && listenIp !== "0.0.0.0" ? listenIp : "127.0.0.1";
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, ip, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  return { socket, ip, port: socket.address().port };
}
