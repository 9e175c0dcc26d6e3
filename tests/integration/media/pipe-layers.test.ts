import { describe, expect, it } from "vitest";
import { Event, MediaStreamTrack, RtpHeader, RtpPacket, type RTCRtpTransceiver } from "werift";
import { Producer } from "../../../apps/server/src/media/Producer.js";
import { Consumer } from "../../../apps/server/src/media/Consumer.js";
import { PipeOut } from "../../../apps/server/src/media/pipe/PipeOut.js";
import { PipeIn } from "../../../apps/server/src/media/pipe/PipeIn.js";
import type { RtpSink } from "../../../apps/server/src/media/rtp/RtpSink.js";
import { waitFor } from "./helpers/clients.js";

/**
 * A pipe over real loopback UDP between a simulcast producer (three layers, fed as werift feeds
 * it) and a pipe producer on the far end: every layer crosses with its own SSRC and rid, the far
 * end's consumers choose layers there, a layer switch's keyframe request reaches the publisher
 * as a PLI of that layer's SSRC, and a packet the pipe lost is asked for (NACK) and sent again.
 */
function publisher() {
  const onTrack = new Event<[MediaStreamTrack]>();
  const plis: number[] = [];
  const transceiver = {
    mid: "0",
    kind: "video",
    codecs: [{ mimeType: "video/VP8" }],
    onTrack,
    receiver: { tracks: [] as MediaStreamTrack[], sendRtcpPLI: async (ssrc: number) => void plis.push(ssrc) },
  } as unknown as RTCRtpTransceiver;
  const producer = new Producer("teacher", "user-t", "video", "camera", transceiver, 0);
  const tracks = (["l", "m", "h"] as const).map((rid, i) => new MediaStreamTrack({ kind: "video", remote: true, rid, ssrc: 500 + i }));
  for (const t of tracks) onTrack.execute(t);
  return { producer, tracks, plis };
}

function sink(): RtpSink & { packets: Buffer[] } {
  const packets: Buffer[] = [];
  return { packets, send: (packet) => void packets.push(packet), rebase: () => {}, close: () => {} };
}

function vp8(ssrc: number, seq: number, keyframe: boolean): RtpPacket {
  const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc, marker: true });
  return new RtpPacket(header, Buffer.from([0x10, keyframe ? 0x00 : 0x01, 0x00, 0x00]));
}

/** The first byte after the RTP header of a forwarded packet tells nothing; the SSRC is the original layer's. */
const ssrcOf = (buf: Buffer) => buf.readUInt32BE(8);
const seqOf = (buf: Buffer) => buf.readUInt16BE(2);

describe("a pipe between two shards", () => {
  it("carries every simulcast layer; the far end switches layers, its PLI and NACK reach the origin", async () => {
    const { producer, tracks, plis } = publisher();
    const out = await PipeOut.open(producer, "127.0.0.1");
    const pipeIn = await PipeIn.open(producer.info(), { pipeId: out.id, ip: out.ip, port: out.port, token: out.token }, "127.0.0.1", 0);
    const piped = pipeIn.producer;
    try {
      expect(piped.id).toBe(producer.id);
      // The hello is answered with the layer table: three layers, by rid.
      await waitFor("the layer table", () => piped.layers.length === 3);
      expect(piped.layers.map((l) => [l.rid, l.ssrc])).toEqual([
        ["l", 500],
        ["m", 501],
        ["h", 502],
      ]);
      const low = sink();
      const high = sink();
      const lowConsumer = new Consumer("s1", piped, { sender: { receiverEstimatedMaxBitrate: 0n } } as unknown as RTCRtpTransceiver, low);
      const highConsumer = new Consumer("s2", piped, { sender: { receiverEstimatedMaxBitrate: 0n } } as unknown as RTCRtpTransceiver, high);
      piped.addConsumer(lowConsumer);
      piped.addConsumer(highConsumer);
      lowConsumer.setPreferredLayer("l");
      lowConsumer.start();
      highConsumer.start();
      // The far end's consumers wait for keyframes: their PLIs crossed the pipe to the publisher.
      await waitFor("PLIs at the publisher", () => plis.includes(500) && plis.includes(502));

      let seq = 100;
      const send = (keyframe: boolean) => {
        seq++;
        for (let i = 0; i < 3; i++) tracks[i].onReceiveRtp.execute(vp8(500 + i, seq, keyframe));
      };
      send(true);
      for (let k = 0; k < 5; k++) send(false);
      await waitFor("both consumers fed", () => low.packets.length >= 6 && high.packets.length >= 6);
      expect(new Set(low.packets.map(ssrcOf))).toEqual(new Set([500]));
      expect(new Set(high.packets.map(ssrcOf))).toEqual(new Set([502]));

      // Switch the low consumer up to "m": a PLI for 501 goes back, and from the keyframe on it gets "m".
      plis.length = 0;
      lowConsumer.setPreferredLayer("m");
      await waitFor("the switch's PLI at the publisher", () => plis.includes(501));
      send(true);
      send(false);
      await waitFor("the low consumer on m", () => low.packets.some((p) => ssrcOf(p) === 501));
      expect(ssrcOf(low.packets[low.packets.length - 1])).toBe(501);

      // Lose one packet of "h" on the pipe: the far end asks for it, the origin sends it again.
      const socket = out.socket;
      const realSend = socket.send.bind(socket) as (buf: Buffer, port: number, address: string) => void;
      const lostSeq = seq + 2;
      let dropped = false;
      socket.send = ((buf: Buffer, port: number, address: string) => {
        if (!dropped && buf.length >= 12 && buf[0] !== 0 && ssrcOf(buf) === 502 && seqOf(buf) === lostSeq) {
          dropped = true;
          return;
        }
        realSend(buf, port, address);
      }) as typeof socket.send;
      for (let k = 0; k < 4; k++) send(false);
      await waitFor("the lost packet sent again", () => high.packets.some((p) => ssrcOf(p) === 502 && seqOf(p) === lostSeq));
      expect(dropped).toBe(true);
      expect(out.nacksAnswered).toBe(1);
      expect(pipeIn.health().nacks).toBe(1);
      expect(out.health().state).toBe("ok");
      expect(pipeIn.health().state).toBe("ok");
    } finally {
      producer.close();
      pipeIn.close();
    }
    // Closing the origin producer closes its pipe end; closing the far end closes the pipe producer.
    expect(out.closed).toBe(true);
    expect(piped.closed).toBe(true);
  });
});
