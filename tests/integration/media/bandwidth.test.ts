import { describe, expect, it } from "vitest";
import { Event, MediaStreamTrack, RtpHeader, RtpPacket, type RTCRtpTransceiver } from "werift";
import { Producer } from "../../../apps/server/src/media/Producer.js";
import { Consumer } from "../../../apps/server/src/media/Consumer.js";
import { PeerQualityMeter, judge } from "../../../apps/server/src/media/quality.js";
import type { RtpSink } from "../../../apps/server/src/media/rtp/RtpSink.js";

/**
 * Unit level, with werift's own tracks and packets (the Chromium and netns end-to-end test is
 * tests/e2e/net/poor-network.test.ts): a subscriber's layer follows its REMB estimate and loss
 * (down in one switch, up again by probing), a paused consumer forwards nothing and resumes at a
 * keyframe, and the connection quality is judged and reported with hysteresis.
 */

/** What a subscriber's browser last reported to the consumer's sender (werift's fields). */
type Feedback = { receiverEstimatedMaxBitrate: bigint; remoteFractionLost?: number; rtt?: number };

function simulcast(ssrcBase: number) {
  const onTrack = new Event<[MediaStreamTrack]>();
  const transceiver = {
    mid: "0",
    kind: "video",
    codecs: [{ mimeType: "video/VP8" }],
    onTrack,
    receiver: { tracks: [] as MediaStreamTrack[], sendRtcpPLI: async () => {} },
  } as unknown as RTCRtpTransceiver;
  const producer = new Producer("peer-a", "user-a", "video", "camera", transceiver, 0);
  const tracks = (["l", "m", "h"] as const).map((rid, i) => new MediaStreamTrack({ kind: "video", remote: true, rid, ssrc: ssrcBase + i }));
  for (const t of tracks) onTrack.execute(t);
  const packets: Buffer[] = [];
  const rebased: number[] = [];
  const sink: RtpSink = { send: (packet) => void packets.push(packet), rebase: (header) => void rebased.push(header.sequenceNumber), close: () => {} };
  const feedback: Feedback = { receiverEstimatedMaxBitrate: 0n };
  const consumer = new Consumer("peer-b", producer, { sender: feedback } as unknown as RTCRtpTransceiver, sink);
  producer.addConsumer(consumer);
  let seq = 0;
  /** One second of the publisher: per layer 10 packets, l ≈ 100 kbit/s, m ≈ 400, h ≈ 1200. */
  const second = (keyframe = false) => {
    const sizes = [12_500, 50_000, 150_000]; // bytes per second
    for (let k = 0; k < 10; k++)
      for (let i = 0; i < 3; i++) {
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: ++seq, timestamp: seq * 3000, ssrc: ssrcBase + i, marker: true });
        const payload = Buffer.alloc(sizes[i] / 10);
        payload[0] = 0x10; // S=1, partition 0
        payload[1] = keyframe && k === 0 ? 0x00 : 0x01; // VP8 P bit: 0 = keyframe
        tracks[i].onReceiveRtp.execute(new RtpPacket(header, payload));
      }
    producer.tick(1);
    consumer.adapt();
  };
  return { producer, consumer, feedback, packets, rebased, second };
}

describe("layers from bandwidth", () => {
  it("drops from h straight to l when the estimate collapses, and probes back up once the link carries more", () => {
    const { producer, consumer, feedback, second } = simulcast(300);
    consumer.start();
    second(true);
    feedback.receiverEstimatedMaxBitrate = 3_000_000n;
    for (let i = 0; i < 3; i++) second(true);
    expect(consumer.currentLayerIndex).toBe(2);

    // 300 kbit/s available: two ticks over the estimate, then one switch to the layer that fits.
    feedback.receiverEstimatedMaxBitrate = 250_000n;
    for (let i = 0; i < 3; i++) second(true);
    expect(consumer.targetLayerIndex).toBe(0);
    expect(consumer.currentLayerIndex).toBe(0);

    // REMB stays near what flows (Chrome caps it at 1.5× the incoming rate): a probe goes up anyway.
    feedback.remoteFractionLost = 0;
    feedback.receiverEstimatedMaxBitrate = 160_000n;
    let probedAt = -1;
    for (let i = 0; i < 8 && probedAt < 0; i++) {
      second(true);
      if (consumer.targetLayerIndex === 1) probedAt = i;
    }
    expect(probedAt, "a probe to m after a few calm ticks").toBeGreaterThanOrEqual(0);
    // The probe meets loss (the link is still limited): back down, and the next probe waits longer.
    feedback.remoteFractionLost = 0.3;
    second(true);
    expect(consumer.targetLayerIndex).toBe(0);
    feedback.remoteFractionLost = 0;
    let calm = 0;
    while (consumer.targetLayerIndex === 0 && calm < 20) {
      second(true);
      calm++;
    }
    expect(calm, "the second probe waits longer than the first").toBeGreaterThan(probedAt + 1);
    // Lifted: no loss during the probe, and REMB follows the new rate: it stays up.
    feedback.receiverEstimatedMaxBitrate = 700_000n;
    for (let i = 0; i < 10; i++) second(true);
    expect(consumer.targetLayerIndex).toBeGreaterThanOrEqual(1);
    producer.close();
  });

  it("keeps a layer while the REMB estimate climbs towards its rate, and leaves it once the estimate stalls below", () => {
    const { producer, consumer, feedback, second } = simulcast(600);
    consumer.setPreferredLayer("m"); // m ≈ 400 kbit/s
    consumer.start();
    second(true);
    let remb = 150_000;
    for (let i = 0; i < 12; i++) {
      feedback.receiverEstimatedMaxBitrate = BigInt(Math.round(remb));
      second(true);
      remb *= 1.08; // Chrome's estimate catching up with the new rate
    }
    expect(consumer.targetLayerIndex, "still below the layer's rate, but climbing").toBe(1);
    for (let i = 0; i < 4; i++) second(true); // stalled at ~380 kbit/s: congestion
    expect(consumer.targetLayerIndex).toBe(0);
    producer.close();
  });

  it("a paused consumer forwards nothing; resumed, it starts again at a keyframe with continuous sequence numbers", () => {
    const { producer, consumer, packets, rebased, second } = simulcast(400);
    consumer.setPreferredLayer("l");
    consumer.start();
    second(true);
    expect(packets.length).toBeGreaterThan(0);
    consumer.setPaused(true);
    const atPause = packets.length;
    second(true);
    second();
    expect(packets.length, "nothing forwarded while paused").toBe(atPause);
    consumer.setPaused(false);
    second(); // no keyframe: still nothing (the decoder could not start there)
    expect(packets.length).toBe(atPause);
    second(true);
    expect(packets.length).toBeGreaterThan(atPause);
    expect(rebased.length, "the sequence numbers continue where the pause left them").toBeGreaterThan(0);
    producer.close();
  });
});

describe("connection quality", () => {
  const sample = { loss: 0, rttMs: 40, availableKbps: 2000, receivingKbps: 900, constrained: false, receivesVideo: true };
  it("judges good, fair and poor from loss, RTT and a starved video layer, with advice", () => {
    expect(judge(sample)).toMatchObject({ level: "good", advice: "none" });
    expect(judge({ ...sample, loss: 0.05 })).toMatchObject({ level: "fair", advice: "turn-off-video", lossPercent: 5 });
    expect(judge({ ...sample, rttMs: 700 }).level).toBe("poor");
    expect(judge({ ...sample, constrained: true, availableKbps: 900 }).level).toBe("fair");
    expect(judge({ ...sample, constrained: true, availableKbps: 200 }).level).toBe("poor");
    expect(judge({ ...sample, loss: 0.2, receivesVideo: false })).toMatchObject({ level: "poor", advice: "check-connection" });
  });

  it("reports a level once it held (worse after 2 ticks, better after 3), and the figures every 5 ticks", () => {
    const { producer, consumer, feedback, second } = simulcast(500);
    consumer.setPreferredLayer("l");
    consumer.start();
    second(true);
    const meter = new PeerQualityMeter();
    feedback.rtt = 0.05;
    feedback.remoteFractionLost = 0;
    const levels: (string | undefined)[] = [];
    const tick = () => {
      second();
      levels.push(meter.tick([consumer], 1)?.level);
    };
    tick();
    expect(levels[0], "the first measurement is reported at once").toBe("good");
    feedback.remoteFractionLost = 0.5;
    tick();
    expect(levels.at(-1), "one bad tick is not yet reported").toBeUndefined();
    tick();
    expect(levels.at(-1)).toBe("poor");
    feedback.remoteFractionLost = 0;
    for (let i = 0; i < 8 && levels.at(-1) !== "good"; i++) tick();
    expect(levels.at(-1), "good again once the loss has gone").toBe("good");
    const reports = levels.length;
    for (let i = 0; i < 5; i++) tick();
    expect(levels.slice(reports).filter(Boolean), "a repeat with fresh figures").toEqual(["good"]);
    producer.close();
  });
});
