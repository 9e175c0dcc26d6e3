import { describe, expect, it } from "vitest";
import { OrderedRtp } from "../../../apps/server/src/recording/ordered-rtp.js";

/** A VP8 RTP packet: `key` starts a key frame, `start` starts any frame. */
function vp8(seq: number, ts: number, opts: { key?: boolean; start?: boolean; padding?: boolean } = {}): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (opts.padding ? 0x20 : 0);
  header[1] = 96;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(ts >>> 0, 4);
  header.writeUInt32BE(1234, 8);
  if (opts.padding) return Buffer.concat([header, Buffer.from([0, 0, 0, 4])]);
  const descriptor = opts.start || opts.key ? 0x10 : 0x00;
  const vp8Header = opts.key ? 0x00 : 0x01; // P bit: 0 = key frame
  return Buffer.concat([header, Buffer.from([descriptor, vp8Header, 0xaa, 0xbb])]);
}
const seqOf = (packet: Buffer) => packet.readUInt16BE(2);
const origin = (packet: Buffer) => packet[15]; // the test payload byte we tag below

function setup(kind: "audio" | "video" = "video") {
  let now = 0;
  const out: Buffer[] = [];
  let keyRequests = 0;
  const ordered = new OrderedRtp({
    kind,
    codec: kind === "video" ? "VP8" : "opus",
    clockRate: 90000,
    emit: (packet) => out.push(packet),
    onNeedKeyFrame: () => keyRequests++,
    now: () => now,
    maxWaitMs: 100,
  });
  return { o: ordered, out, advance: (ms: number) => (now += ms), keyRequests: () => keyRequests };
}
/** A packet whose last payload byte names its original sequence number (mod 256). */
const tagged = (seq: number, ts: number, opts: Parameters<typeof vp8>[2] = {}) => {
  const packet = vp8(seq, ts, opts);
  if (!opts.padding) packet[15] = seq & 0xff;
  return packet;
};

describe("OrderedRtp: what the recorder hands FFmpeg", () => {
  it("drops everything before the first key frame, then lets through in order with contiguous sequence numbers", () => {
    const { o: ordered, out } = setup();
    ordered.push(tagged(10, 0, { start: true }));
    ordered.push(tagged(11, 0));
    ordered.push(tagged(12, 3000, { key: true }));
    ordered.push(tagged(13, 3000));
    ordered.push(tagged(14, 6000, { start: true }));
    expect(out.map(origin)).toEqual([12, 13, 14]);
    const seqs = out.map(seqOf);
    expect(seqs[1]).toBe((seqs[0]! + 1) & 0xffff);
    expect(seqs[2]).toBe((seqs[0]! + 2) & 0xffff);
    expect(ordered.stats.gated).toBe(2);
  });

  it("hands over what it holds behind a gap when the track ends (flush), so a file keeps its last frames", () => {
    const { o: ordered, out } = setup();
    ordered.push(tagged(200, 0, { key: true }));
    ordered.push(tagged(202, 3000, { start: true })); // 201 is missing: 202 waits for it
    ordered.push(tagged(203, 3000));
    expect(out.map(origin)).toEqual([200]);
    ordered.flush();
    // Video after a loss waits for a key frame; audio goes on from the packets after the gap.
    expect(ordered.stats.lost).toBe(1);
    const { o: audio, out: audioOut } = setup("audio");
    audio.push(tagged(10, 0));
    audio.push(tagged(12, 960));
    audio.push(tagged(13, 1920));
    expect(audioOut.map(origin)).toEqual([10]);
    audio.flush();
    expect(audioOut.map(origin)).toEqual([10, 12, 13]);
  });

  it("reorders, drops duplicates and late retransmissions, and swallows padding", () => {
    const { o: ordered, out } = setup();
    ordered.push(tagged(100, 0, { key: true }));
    ordered.push(tagged(102, 0));
    ordered.push(tagged(101, 0)); // reordered
    ordered.push(tagged(102, 0)); // duplicate (a retransmission of what arrived)
    ordered.push(tagged(101, 0)); // late duplicate
    ordered.push(tagged(103, 0, { padding: true }));
    ordered.push(tagged(104, 3000, { start: true }));
    expect(out.map(origin)).toEqual([100, 101, 102, 104]);
    const seqs = out.map(seqOf);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) & 0xffff);
    expect(ordered.stats.duplicates + ordered.stats.late).toBe(2);
    expect(ordered.stats.padding).toBe(1);
  });

  it("waits for a missing packet, then gives it up; video waits for the next key frame and asks for one", () => {
    const harness = setup();
    harness.o.push(tagged(0xfffe, 0, { key: true }));
    harness.o.push(tagged(0xffff, 0));
    harness.o.push(tagged(1, 3000, { start: true })); // 0 is missing (across the wrap)
    expect(harness.out.map(origin)).toEqual([0xfe, 0xff]);
    const before = harness.keyRequests();
    harness.advance(150);
    harness.o.push(tagged(2, 3000));
    expect(harness.o.stats.lost).toBe(1);
    expect(harness.keyRequests()).toBe(before + 1);
    expect(harness.out.map(origin)).toEqual([0xfe, 0xff]); // 1 and 2 belong to a frame that lost a packet
    harness.o.push(tagged(3, 6000, { key: true }));
    expect(harness.out.map(origin)).toEqual([0xfe, 0xff, 3]);
    harness.o.close();
  });

  it("audio goes on after a loss without waiting for anything", () => {
    const harness = setup("audio");
    harness.o.push(tagged(5, 0));
    harness.o.push(tagged(7, 960));
    harness.advance(150);
    harness.o.push(tagged(8, 1920));
    expect(harness.out.map(origin)).toEqual([5, 7, 8]);
    harness.o.close();
  });

  it("a new numbering (publisher restart) continues the output without a leap in time", () => {
    const harness = setup();
    harness.o.push(tagged(100, 1000, { key: true }));
    harness.advance(40);
    harness.o.push(tagged(30000, 999_999_999, { key: true }));
    expect(harness.out).toHaveLength(2);
    expect(seqOf(harness.out[1]!)).toBe((seqOf(harness.out[0]!) + 1) & 0xffff);
    const dt = (harness.out[1]!.readUInt32BE(4) - harness.out[0]!.readUInt32BE(4)) >>> 0;
    expect(dt).toBeGreaterThan(0);
    expect(dt).toBeLessThan(90000);
    harness.o.close();
  });
});
