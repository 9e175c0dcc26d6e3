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
const seqOf = (p: Buffer) => p.readUInt16BE(2);
const origin = (p: Buffer) => p[15]; // the test payload byte we tag below

function setup(kind: "audio" | "video" = "video") {
  let now = 0;
  const out: Buffer[] = [];
  let keyRequests = 0;
  const o = new OrderedRtp({
    kind,
    codec: kind === "video" ? "VP8" : "opus",
    clockRate: 90000,
    emit: (p) => out.push(p),
    onNeedKeyFrame: () => keyRequests++,
    now: () => now,
    maxWaitMs: 100,
  });
  return { o, out, advance: (ms: number) => (now += ms), keyRequests: () => keyRequests };
}
/** A packet whose last payload byte names its original sequence number (mod 256). */
const tagged = (seq: number, ts: number, opts: Parameters<typeof vp8>[2] = {}) => {
  const p = vp8(seq, ts, opts);
  if (!opts.padding) p[15] = seq & 0xff;
  return p;
};

describe("OrderedRtp: what the recorder hands FFmpeg", () => {
  it("drops everything before the first key frame, then lets through in order with contiguous sequence numbers", () => {
    const { o, out } = setup();
    o.push(tagged(10, 0, { start: true }));
    o.push(tagged(11, 0));
    o.push(tagged(12, 3000, { key: true }));
    o.push(tagged(13, 3000));
    o.push(tagged(14, 6000, { start: true }));
    expect(out.map(origin)).toEqual([12, 13, 14]);
    const seqs = out.map(seqOf);
    expect(seqs[1]).toBe((seqs[0]! + 1) & 0xffff);
    expect(seqs[2]).toBe((seqs[0]! + 2) & 0xffff);
    expect(o.stats.gated).toBe(2);
  });

  it("hands over what it holds behind a gap when the track ends (flush), so a file keeps its last frames", () => {
    const { o, out } = setup();
    o.push(tagged(200, 0, { key: true }));
    o.push(tagged(202, 3000, { start: true })); // 201 is missing: 202 waits for it
    o.push(tagged(203, 3000));
    expect(out.map(origin)).toEqual([200]);
    o.flush();
    // Video after a loss waits for a key frame; audio goes on from the packets after the gap.
    expect(o.stats.lost).toBe(1);
    const { o: audio, out: audioOut } = setup("audio");
    audio.push(tagged(10, 0));
    audio.push(tagged(12, 960));
    audio.push(tagged(13, 1920));
    expect(audioOut.map(origin)).toEqual([10]);
    audio.flush();
    expect(audioOut.map(origin)).toEqual([10, 12, 13]);
  });

  it("reorders, drops duplicates and late retransmissions, and swallows padding", () => {
    const { o, out } = setup();
    o.push(tagged(100, 0, { key: true }));
    o.push(tagged(102, 0));
    o.push(tagged(101, 0)); // reordered
    o.push(tagged(102, 0)); // duplicate (a retransmission of what arrived)
    o.push(tagged(101, 0)); // late duplicate
    o.push(tagged(103, 0, { padding: true }));
    o.push(tagged(104, 3000, { start: true }));
    expect(out.map(origin)).toEqual([100, 101, 102, 104]);
    const seqs = out.map(seqOf);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) & 0xffff);
    expect(o.stats.duplicates + o.stats.late).toBe(2);
    expect(o.stats.padding).toBe(1);
  });

  it("waits for a missing packet, then gives it up; video waits for the next key frame and asks for one", () => {
    const t = setup();
    t.o.push(tagged(0xfffe, 0, { key: true }));
    t.o.push(tagged(0xffff, 0));
    t.o.push(tagged(1, 3000, { start: true })); // 0 is missing (across the wrap)
    expect(t.out.map(origin)).toEqual([0xfe, 0xff]);
    const before = t.keyRequests();
    t.advance(150);
    t.o.push(tagged(2, 3000));
    expect(t.o.stats.lost).toBe(1);
    expect(t.keyRequests()).toBe(before + 1);
    expect(t.out.map(origin)).toEqual([0xfe, 0xff]); // 1 and 2 belong to a frame that lost a packet
    t.o.push(tagged(3, 6000, { key: true }));
    expect(t.out.map(origin)).toEqual([0xfe, 0xff, 3]);
    t.o.close();
  });

  it("audio goes on after a loss without waiting for anything", () => {
    const t = setup("audio");
    t.o.push(tagged(5, 0));
    t.o.push(tagged(7, 960));
    t.advance(150);
    t.o.push(tagged(8, 1920));
    expect(t.out.map(origin)).toEqual([5, 7, 8]);
    t.o.close();
  });

  it("a new numbering (publisher restart) continues the output without a leap in time", () => {
    const t = setup();
    t.o.push(tagged(100, 1000, { key: true }));
    t.advance(40);
    t.o.push(tagged(30000, 999_999_999, { key: true }));
    expect(t.out).toHaveLength(2);
    expect(seqOf(t.out[1]!)).toBe((seqOf(t.out[0]!) + 1) & 0xffff);
    const dt = (t.out[1]!.readUInt32BE(4) - t.out[0]!.readUInt32BE(4)) >>> 0;
    expect(dt).toBeGreaterThan(0);
    expect(dt).toBeLessThan(90000);
    t.o.close();
  });
});
