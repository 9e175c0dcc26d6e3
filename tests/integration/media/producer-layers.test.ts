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
  return { packets, send: (packet) => void packets.push(packet), rebase: () => {}, close: () => {} };
}

function vp8(ssrc: number, seq: number, keyframe: boolean): RtpPacket {
  const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc, marker: true });
  // Payload descriptor: S=1, partition 0; VP8 payload header: P bit 0 = keyframe.
  return new RtpPacket(header, Buffer.from([0x10, keyframe ? 0x00 : 0x01, 0x00, 0x00]));
}

/** A VP8 producer with simulcast layers l/m/h (SSRCs ssrcBase+0…2) and one consumer (REMB unknown). */
function simulcast(ssrcBase: number) {
  const { transceiver, onTrack } = fakeTransceiver();
  const producer = new Producer("peer-a", "user-a", "video", "camera", transceiver, 0);
  const tracks = (["l", "m", "h"] as const).map((rid, i) => new MediaStreamTrack({ kind: "video", remote: true, rid, ssrc: ssrcBase + i }));
  for (const t of tracks) onTrack.execute(t);
  const out = sink();
  const consumer = new Consumer("peer-b", producer, { sender: { receiverEstimatedMaxBitrate: 0n } } as unknown as RTCRtpTransceiver, out);
  producer.addConsumer(consumer);
  return { producer, tracks, out, consumer };
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

  it("moves a simulcast consumer off a layer the publisher stopped sending, and back up when it returns", () => {
    const { producer, tracks, out, consumer } = simulcast(100);
    expect(producer.layers.map((l) => l.rid)).toEqual(["l", "m", "h"]);
    consumer.start(); // prefers "h"
    let seq = 0;
    const send = (layers: number[], keyframe = false) => {
      for (const i of layers) tracks[i].onReceiveRtp.execute(vp8(100 + i, ++seq, keyframe));
    };
    const second = (layers: number[]) => {
      for (let k = 0; k < 5; k++) send(layers);
      producer.tick(1);
      consumer.adapt();
    };
    send([0, 1, 2], true);
    expect(consumer.currentLayerIndex).toBe(2);
    second([0, 1, 2]);
    expect(consumer.targetLayerIndex).toBe(2);

    // The publisher drops "h" (its uplink got worse): one silent second is tolerated, the second moves to "m".
    second([0, 1]);
    expect(consumer.targetLayerIndex).toBe(2);
    second([0, 1]);
    expect(consumer.targetLayerIndex).toBe(1);
    send([0, 1], true); // the keyframe the switch asked for
    expect(consumer.currentLayerIndex).toBe(1);
    const before = out.packets.length;
    send([1]);
    expect(out.packets.length).toBe(before + 1);

    // Not up to a layer that is still silent; up again once "h" flows.
    second([0, 1]);
    expect(consumer.targetLayerIndex).toBe(1);
    second([0, 1, 2]);
    second([0, 1, 2]);
    expect(consumer.targetLayerIndex).toBe(2);
    send([2], true);
    expect(consumer.currentLayerIndex).toBe(2);

    // Everything silent (a still screen, a paused camera): nothing moves.
    second([]);
    second([]);
    expect(consumer.targetLayerIndex).toBe(2);
    producer.close();
  });

  it("keeps waiting for a preferred layer the publisher has not started yet while the current one flows", () => {
    const { producer, tracks, consumer } = simulcast(200);
    consumer.setPreferredLayer("l");
    consumer.start();
    let seq = 0;
    const second = (layers: number[], keyframe = false) => {
      for (let k = 0; k < 5; k++) for (const i of layers) tracks[i].onReceiveRtp.execute(vp8(200 + i, ++seq, keyframe && k === 0));
      producer.tick(1);
      consumer.adapt();
    };
    second([0, 1], true);
    expect(consumer.currentLayerIndex).toBe(0);
    consumer.setPreferredLayer("h"); // "h" has not started at the publisher (Chrome ramps it up later)
    for (let i = 0; i < 4; i++) second([0, 1]);
    expect(consumer.targetLayerIndex).toBe(2); // still the client's choice
    expect(consumer.currentLayerIndex).toBe(0); // and "l" keeps flowing meanwhile
    second([0, 1, 2], true);
    expect(consumer.currentLayerIndex).toBe(2);
    producer.close();
  });
});
