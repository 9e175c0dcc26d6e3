import { describe, expect, it } from "vitest";
import { Event, MediaStreamTrack, RtpHeader, RtpPacket, type RTCRtpTransceiver } from "werift";
import { Producer } from "../../../apps/server/src/media/Producer.js";
import { Consumer } from "../../../apps/server/src/media/Consumer.js";
import type { RtpSink } from "../../../apps/server/src/media/rtp/RtpSink.js";

/**
 * Unit level: a consumer that starts before the publisher's stream is known (werift creates a
 * receiver track only once the offer's a=ssrc or rid is known, or the first packet arrives) must
 * be routed to that stream when it appears. It used to be left on no layer: the subscriber got
 * nothing, ever.
 */
function fakeTransceiver() {
  const onTrack = new Event<[MediaStreamTrack]>();
  const plis: number[] = [];
  const transceiver = {
    mid: "0",
    kind: "video",
    codecs: [{ mimeType: "video/VP8" }],
    onTrack,
    receiver: { tracks: [] as MediaStreamTrack[], sendRtcpPLI: async (ssrc: number) => void plis.push(ssrc) },
  };
  return { transceiver: transceiver as unknown as RTCRtpTransceiver, onTrack, plis };
}

function sink(): RtpSink & { packets: Buffer[] } {
  const packets: Buffer[] = [];
  return { packets, send: (b) => void packets.push(b), rebase: () => {}, close: () => {} };
}

function vp8(ssrc: number, seq: number, keyframe: boolean): RtpPacket {
  const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc, marker: true });
  // Payload descriptor: S=1, partition 0; VP8 payload header: P bit 0 = keyframe.
  return new RtpPacket(header, Buffer.from([0x10, keyframe ? 0x00 : 0x01, 0x00, 0x00]));
}

describe("Producer layers", () => {
  it("routes a consumer started before the publisher's stream existed, from the first keyframe", () => {
    const { transceiver, onTrack, plis } = fakeTransceiver();
    const producer = new Producer("peer-a", "user-a", "video", "camera", transceiver, 0);
    const out = sink();
    const consumer = new Consumer("peer-b", producer, {} as RTCRtpTransceiver, out);
    producer.addConsumer(consumer);
    consumer.start();
    expect(producer.layers).toHaveLength(0);

    const track = new MediaStreamTrack({ kind: "video", remote: true, ssrc: 1111 });
    onTrack.execute(track);
    expect(producer.layers).toHaveLength(1);
    expect(plis).toContain(1111); // asked the publisher for a keyframe for the waiting consumer

    track.onReceiveRtp.execute(vp8(1111, 1, false));
    expect(out.packets).toHaveLength(0); // not from a delta frame
    track.onReceiveRtp.execute(vp8(1111, 2, true));
    track.onReceiveRtp.execute(vp8(1111, 3, false));
    expect(out.packets).toHaveLength(2);
    expect(consumer.currentLayerIndex).toBe(0);
    producer.close();
  });

  it("leaves a consumer that was not started (its subscriber has not answered) unrouted", () => {
    const { transceiver, onTrack } = fakeTransceiver();
    const producer = new Producer("peer-a", "user-a", "video", "camera", transceiver, 0);
    const out = sink();
    const consumer = new Consumer("peer-b", producer, {} as RTCRtpTransceiver, out);
    producer.addConsumer(consumer);
    const track = new MediaStreamTrack({ kind: "video", remote: true, ssrc: 2222 });
    onTrack.execute(track);
    track.onReceiveRtp.execute(vp8(2222, 1, true));
    expect(out.packets).toHaveLength(0);
    consumer.start();
    track.onReceiveRtp.execute(vp8(2222, 2, true));
    expect(out.packets).toHaveLength(1);
    producer.close();
  });
});
