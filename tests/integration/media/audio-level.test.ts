/**
 * Talk time from RFC 6464 audio levels: the extension read from werift's parse of crafted RTP
 * (one-byte and two-byte header forms, unknown ids, malformed packets), the speech meter
 * (threshold, hangover, reordering), the tracker that turns media events into attendance time,
 * and the whole path: a werift publisher whose Opus packets carry levels → the SFU's answer
 * negotiates the extension → `speaking-time` media events with the measured speech.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useAudioLevelIndication, useOPUS, useSdesMid } from "werift";
import { audioLevelOf, SPEECH_LEVEL, TalkMeter, URI_AUDIO_LEVEL } from "../../../apps/server/src/media/rtp/audioLevel.js";
import { MediaTimeTracker } from "../../../apps/server/src/attendance/media-time-tracker.js";
import type { MediaTimeSink } from "../../../apps/server/src/attendance/media-time.js";
import type { MediaEvent } from "../../../apps/server/src/media/index.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";
import { waitFor } from "../../helpers/wait.js";

const LEVEL_ID = 3;

/** A 12-byte RTP header (PT 111), then an extension block, then a 20-byte payload. */
function rtpWith(extensionBlock: Buffer | undefined, options: { seq?: number; ts?: number } = {}): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (extensionBlock ? 0x10 : 0);
  header[1] = 111;
  header.writeUInt16BE(options.seq ?? 1, 2);
  header.writeUInt32BE(options.ts ?? 960, 4);
  header.writeUInt32BE(0x1234, 8);
  return Buffer.concat([header, extensionBlock ?? Buffer.alloc(0), Buffer.alloc(20, 0x55)]);
}

/** RFC 8285 one-byte form: 0xBEDE, length in words, then id<<4 | (len-1), data…, zero padding. */
function oneByteBlock(elements: { id: number; data: number[] }[]): Buffer {
  const body: number[] = [];
  for (const e of elements) body.push((e.id << 4) | (e.data.length - 1), ...e.data);
  while (body.length % 4) body.push(0);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xbede, 0);
  head.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([head, Buffer.from(body)]);
}

/** RFC 8285 two-byte form: 0x100 + appbits, then id, len, data…, zero padding. */
function twoByteBlock(elements: { id: number; data: number[] }[]): Buffer {
  const body: number[] = [];
  for (const e of elements) body.push(e.id, e.data.length, ...e.data);
  while (body.length % 4) body.push(0);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0x1000, 0);
  head.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([head, Buffer.from(body)]);
}

/** What the producer reads: werift's parse of the packet, then the level for the negotiated id. */
function levelOfPacket(buf: Buffer, id = LEVEL_ID): number {
  return audioLevelOf(RtpPacket.deSerialize(buf).header.extensions, id);
}

describe("the audio-level extension (RFC 6464) in an Opus packet", () => {
  it("reads the level from the one-byte header form, V flag masked off", () => {
    const packet = rtpWith(
      oneByteBlock([
        { id: 1, data: [0x61, 0x62] },
        { id: LEVEL_ID, data: [0x80 | 33] },
      ]),
    );
    expect(levelOfPacket(packet)).toBe(33);
  });

  it("reads the level from the two-byte header form", () => {
    const packet = rtpWith(
      twoByteBlock([
        { id: 7, data: [] },
        { id: LEVEL_ID, data: [0x80 | 90] },
      ]),
    );
    expect(levelOfPacket(packet)).toBe(90);
  });

  it("ignores unknown ids, and a packet without the extension or without extensions has no level", () => {
    expect(levelOfPacket(rtpWith(oneByteBlock([{ id: 5, data: [20] }])))).toBe(-1);
    expect(levelOfPacket(rtpWith(undefined))).toBe(-1);
    expect(levelOfPacket(rtpWith(oneByteBlock([{ id: LEVEL_ID, data: [20] }])), 0)).toBe(-1);
    expect(audioLevelOf(undefined, LEVEL_ID)).toBe(-1);
  });

  it("never throws on malformed packets: an empty extension, a block longer than the packet, garbage", () => {
    expect(audioLevelOf([{ id: LEVEL_ID, payload: Buffer.alloc(0) }], LEVEL_ID)).toBe(-1);
    expect(levelOfPacket(rtpWith(twoByteBlock([{ id: LEVEL_ID, data: [] }])))).toBe(-1);
    const truncated = rtpWith(oneByteBlock([{ id: LEVEL_ID, data: [0x7f] }])).subarray(0, 17);
    const lying = rtpWith(oneByteBlock([{ id: LEVEL_ID, data: [40] }]));
    lying.writeUInt16BE(200, 14); // claims 200 words of extensions
    for (const bad of [truncated, lying, Buffer.from([0x90, 111, 0, 1]), Buffer.alloc(16, 0xff)]) {
      let parsed: RtpPacket | undefined;
      try {
        parsed = RtpPacket.deSerialize(bad); // werift may refuse it: then the producer never sees it
      } catch {
        parsed = undefined;
      }
      if (!parsed) continue;
      const level = audioLevelOf(parsed.header.extensions, LEVEL_ID);
      expect(level).toBeGreaterThanOrEqual(-1);
      expect(level).toBeLessThanOrEqual(127);
    }
  });
});

/** Feeds 20 ms packets: `pattern` is a list of [level, milliseconds]. Returns the meter. */
function meterOf(pattern: [number, number][], meter = new TalkMeter(), startTs = 1000): TalkMeter {
  let ts = startTs;
  for (const [level, ms] of pattern) {
    for (let t = 0; t < ms; t += 20) {
      meter.onPacket(level, ts >>> 0);
      ts += 960;
    }
  }
  return meter;
}

describe("the speech meter", () => {
  it("counts a tone 10 s on / 10 s off as 10 s per cycle: no tail after the last loud packet", () => {
    const meter = meterOf([
      [25, 10_000],
      [127, 10_000],
      [25, 10_000],
      [127, 10_000],
    ]);
    // The first packet counts one frame; every other loud packet the 20 ms since the previous one.
    expect(meter.takeMs()).toBe(20_000);
    expect(meter.takeMs()).toBe(0);
  });

  it("bridges silences shorter than the hangover (syllable gaps) and not longer ones", () => {
    const short = meterOf([
      [30, 1000],
      [127, 200],
      [30, 1000],
    ]);
    expect(short.takeMs()).toBe(2200);
    const long = meterOf([
      [30, 1000],
      [127, 1000],
      [30, 1000],
    ]);
    expect(long.takeMs()).toBe(2000);
  });

  it(`counts a level of ${SPEECH_LEVEL} −dBov and louder, not ${SPEECH_LEVEL + 1}, nor packets without a level`, () => {
    expect(meterOf([[SPEECH_LEVEL, 1000]]).takeMs()).toBe(1000);
    expect(meterOf([[SPEECH_LEVEL + 1, 1000]]).takeMs()).toBe(0);
    expect(meterOf([[-1, 1000]]).takeMs()).toBe(0);
  });

  it("skips duplicates and late packets, survives a timestamp wrap, and counts a gap as one frame", () => {
    const meter = new TalkMeter();
    meter.onPacket(20, 0xffffffff - 959);
    meter.onPacket(20, 0xffffffff - 959); // duplicate
    meter.onPacket(20, 0); // wrapped: +960
    meter.onPacket(20, 0xffffffff - 959); // late
    meter.onPacket(20, 960 + 48 * 5000); // 5 s later (a pause): one 20 ms frame
    expect(meter.takeMs()).toBe(60);
  });

  it("keeps the sub-millisecond remainder for the next take", () => {
    const meter = new TalkMeter();
    meter.onPacket(20, 0);
    meter.onPacket(20, 50); // 50 ticks: 1.04 ms
    expect(meter.takeMs()).toBe(21);
    meter.onPacket(20, 100);
    expect(meter.takeMs()).toBe(1);
    expect(meter.totalMs).toBe(22);
  });
});

describe("talk and camera time of attendance sessions (MediaTimeTracker)", () => {
  function fakeSink() {
    const added = new Map<string, { talkMs: number; cameraMs: number }>();
    const sink: MediaTimeSink = {
      add(id, amounts) {
        const entry = added.get(id) ?? { talkMs: 0, cameraMs: 0 };
        entry.talkMs += amounts.talkMs ?? 0;
        entry.cameraMs += amounts.cameraMs ?? 0;
        added.set(id, entry);
      },
      flush: async () => {},
      close: async () => {},
    };
    return { sink, added };
  }

  it("adds each known peer's speech, a camera's lifetime in steps and at its close, and forgets a peer with its last producer", async () => {
    const { sink, added } = fakeSink();
    let clock = 1_000_000;
    const tracker = new MediaTimeTracker(sink, () => clock, 60_000);
    tracker.producerOpened("room", "peer-a", "mic-a", "microphone", "session-a");
    tracker.producerOpened("room", "peer-a", "cam-a", "camera", "session-a");
    tracker.spoke("room", [
      { peerId: "peer-a", talkMs: 4000 },
      { peerId: "peer-elsewhere", talkMs: 999 },
    ]);
    clock += 7000;
    tracker.step();
    clock += 3000;
    tracker.producerClosed("cam-a");
    tracker.spoke("room", [{ peerId: "peer-a", talkMs: 500 }]);
    tracker.producerClosed("mic-a");
    tracker.spoke("room", [{ peerId: "peer-a", talkMs: 10_000 }]); // after the peer is gone: not counted
    await tracker.close();
    expect(added.get("session-a")).toEqual({ talkMs: 4500, cameraMs: 10_000 });
    expect(added.size).toBe(1);
  });
});

describe("talk time through the SFU (werift publisher with audio levels → speaking-time events)", () => {
  let sut: MediaUnderTest;
  beforeAll(async () => {
    sut = await startInProcess(57100, { MEDIA_WORKERS: "1" });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it("negotiates ssrc-audio-level for a microphone and reports its speech per peer, the rest before producer-closed", async () => {
    const media = sut.media;
    const roomId = `talk-${process.pid}`;
    const events: MediaEvent[] = [];
    const unsubscribe = media.onEvent((event) => {
      if (event.roomId === roomId) events.push(event);
    });
    const publisher = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      codecs: { audio: [useOPUS()] },
      headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] },
    });
    try {
      await media.joinPeer(roomId, "student", "user-student");
      const { transportId } = await media.createTransport(roomId, "student", "send");
      const track = new MediaStreamTrack({ kind: "audio" });
      const transceiver = publisher.addTransceiver(track, { direction: "sendonly" });
      await publisher.setLocalDescription(await publisher.createOffer());
      const { answer } = await media.connectTransport(roomId, "student", transportId, { type: "offer", sdp: publisher.localDescription!.sdp });
      expect(answer?.sdp).toMatch(new RegExp(`a=extmap:\\d+ ${URI_AUDIO_LEVEL}`));
      await publisher.setRemoteDescription(answer!);
      const levelId = transceiver.headerExtensions.find((e) => e.uri === URI_AUDIO_LEVEL)?.id;
      expect(levelId).toBeGreaterThan(0);
      const { producerId } = await media.produce(roomId, "student", { transportId, kind: "audio", source: "microphone", mid: transceiver.mid ?? undefined });
      await waitFor("publisher connected", () => publisher.connectionState === "connected");

      // 1 s loud, 0.2 s quiet (a gap between words: counted), 1 s loud, 2 s quiet, 0.5 s loud = 2.7 s.
      const pattern: [number, number][] = [
        [30, 1000],
        [127, 200],
        [35, 1000],
        [127, 2000],
        [40, 500],
        [127, 300],
      ];
      const levels = pattern.flatMap(([level, ms]) => new Array<number>(ms / 20).fill(level));
      let seq = 100;
      let ts = 48_000;
      for (let i = 0; i < levels.length; i += 10) {
        for (const level of levels.slice(i, i + 10)) {
          const header = new RtpHeader({ payloadType: 111, ssrc: 0xabc, sequenceNumber: seq++, timestamp: ts, marker: false });
          header.extensions = [{ id: levelId!, payload: Buffer.from([0x80 | level]) }];
          track.writeRtp(new RtpPacket(header, Buffer.alloc(60, 0x11)));
          ts += 960;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const talkMs = () =>
        events.flatMap((e) => (e.type === "speaking-time" ? e.peers : [])).reduce((sum, p) => sum + (p.peerId === "student" ? p.talkMs : 0), 0);
      // The periodic report (every 5 s) carries it while the microphone is open…
      await waitFor("a periodic speaking-time event", () => talkMs() > 0, 15_000);
      await media.closeProducer(roomId, producerId);
      await waitFor("producer-closed", () => events.some((e) => e.type === "producer-closed"));
      // …and whatever was left comes before producer-closed: the total is the pattern's speech.
      expect(talkMs()).toBeGreaterThanOrEqual(2680);
      expect(talkMs()).toBeLessThanOrEqual(2720);
      const closedAt = events.findIndex((e) => e.type === "producer-closed");
      expect(events.slice(closedAt).some((e) => e.type === "speaking-time")).toBe(false);
    } finally {
      unsubscribe();
      await publisher.close();
    }
  }, 40_000);
});
