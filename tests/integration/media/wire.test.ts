/**
 * What a subscriber receives on the wire, on both forwarding paths (MEDIA_FAST_PATH=1: FastSink,
 * 0: werift's RTCRtpSender.sendRtp): the payload byte-for-byte as the publisher sent it, and the
 * header fields the subscriber's SDP negotiated (payload type, SSRC, header-extension ids).
 *
 * The publisher is a werift client, which (like Chromium) sends every packet with header
 * extensions (mid, abs-send-time): the SFU strips them, and werift still serializes the packet
 * with the X bit and an empty extension block. The fast path once took that block for payload,
 * so Chromium got VP8 whose descriptor was `BE DE 00 00 …` and never decoded a frame.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RtpPacket } from "werift";
import { useSdesMid } from "werift";
import { TestPublisher, TestSubscriber, clientPcConfig, waitFor } from "./helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";

const MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
const ABS_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

interface Section {
  mid: string;
  kind: string;
  /** payload type → codec name */
  rtpmap: Map<number, string>;
  ssrcs: Set<number>;
  /** extension id → uri */
  extmap: Map<number, string>;
}

function sections(sdp: string): Map<string, Section> {
  const out = new Map<string, Section>();
  for (const block of sdp.split(/\r?\nm=/).slice(1)) {
    const lines = block.split(/\r?\n/);
    const section: Section = { mid: "", kind: lines[0].split(" ")[0], rtpmap: new Map(), ssrcs: new Set(), extmap: new Map() };
    for (const l of lines) {
      const mid = /^a=mid:(\S+)/.exec(l);
      const rtpmap = /^a=rtpmap:(\d+) ([^/]+)/.exec(l);
      const ssrc = /^a=ssrc:(\d+) /.exec(l);
      const extmap = /^a=extmap:(\d+)(?:\/\S+)? (\S+)/.exec(l);
      if (mid) section.mid = mid[1];
      else if (rtpmap) section.rtpmap.set(Number(rtpmap[1]), rtpmap[2].toUpperCase());
      else if (ssrc) section.ssrcs.add(Number(ssrc[1]));
      else if (extmap) section.extmap.set(Number(extmap[1]), extmap[2]);
    }
    out.set(section.mid, section);
  }
  return out;
}

/** A subscriber that keeps the first packets of each m-line as werift parsed them. */
class RecordingSubscriber extends TestSubscriber {
  readonly packets = new Map<string, RtpPacket[]>();
  constructor(...args: ConstructorParameters<typeof TestSubscriber>) {
    super(...args);
    this.pc.onTrack.subscribe((track) => {
      const transceiver = this.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
      track.onReceiveRtp.subscribe((rtp) => {
        const mid = transceiver?.mid;
        if (!mid) return;
        const list = this.packets.get(mid) ?? [];
        if (list.length < 60) list.push(rtp.clone());
        this.packets.set(mid, list);
      });
    });
  }
}

for (const [path, fast, port] of [
  ["fast path (FastSink)", "1", 50000],
  ["werift path (sendRtp)", "0", 51000],
] as const) {
  describe(`forwarded RTP on the ${path}`, () => {
    let sut: MediaUnderTest;
    beforeAll(async () => {
      sut = await startInProcess(port, { MEDIA_FAST_PATH: fast, MEDIA_WORKERS: "1" });
    });
    afterAll(async () => {
      await sut?.stop();
    });

    const flavours: Array<[string, ReturnType<typeof clientPcConfig>]> = [
      ["mid and abs-send-time", clientPcConfig()],
      ["only mid on video, no extensions on audio", { ...clientPcConfig(), headerExtensions: { video: [useSdesMid()], audio: [] } }],
    ];
    it.each(flavours)(
      "carries the publisher's payload unchanged, with the PT, SSRC and extension ids the subscriber negotiated (%s)",
      async (flavour, pcConfig) => {
        const media = sut.media;
        const roomId = `wire-${fast}-${flavour.length}-${process.pid}`;
        const pub = new TestPublisher(media, roomId, "teacher");
        const sub = new RecordingSubscriber(media, roomId, "student", pcConfig);
        try {
          await pub.join();
          const cam = pub.addTrack("camera");
          const mic = pub.addTrack("microphone");
          await pub.negotiate();
          await pub.produce(cam);
          await pub.produce(mic);
          await sub.join();
          const video = await sub.consume(cam.producerId!);
          const audio = await sub.consume(mic.producerId!);
          await pub.connected();
          pub.startRtp();
          await waitFor("packets on both m-lines", () => (sub.packets.get(video.mid)?.length ?? 0) >= 40 && (sub.packets.get(audio.mid)?.length ?? 0) >= 40);

          // The SDP of the last exchange describes every m-line of the recv transport.
          const offer = sections(sub.pc.remoteDescription!.sdp);
          const answer = sections(sub.pc.localDescription!.sdp);
          for (const [consumed, codec] of [
            [video, "VP8"],
            [audio, "OPUS"],
          ] as const) {
            const offerLine = offer.get(consumed.mid)!;
            const answerLine = answer.get(consumed.mid)!;
            expect(offerLine, `offer m-line ${consumed.mid}`).toBeDefined();
            expect(answerLine, `answer m-line ${consumed.mid}`).toBeDefined();
            const pts = [...answerLine.rtpmap].filter(([, name]) => name === codec).map(([pt]) => pt);
            expect(pts.length).toBeGreaterThan(0);
            for (const rtp of sub.packets.get(consumed.mid)!) {
              const header = rtp.header;
              expect(pts, `${codec} payload type`).toContain(header.payloadType);
              expect(offerLine.ssrcs.has(header.ssrc), `ssrc ${header.ssrc} in a=ssrc of ${[...offerLine.ssrcs]}`).toBe(true);
              for (const e of header.extensions) {
                expect(answerLine.extmap.has(e.id), `extension id ${e.id} negotiated (${[...answerLine.extmap]})`).toBe(true);
                if (answerLine.extmap.get(e.id) === MID_URI) expect(e.payload.toString()).toBe(consumed.mid);
                if (answerLine.extmap.get(e.id) === ABS_URI) expect(e.payload.length).toBe(3);
              }
              for (const uri of [MID_URI, ABS_URI]) {
                const negotiated = [...answerLine.extmap.values()].includes(uri);
                expect(
                  header.extensions.some((e) => answerLine.extmap.get(e.id) === uri),
                  `${uri} written iff negotiated`,
                ).toBe(negotiated);
              }
              // The payload, byte for byte (see TestPublisher.startRtp).
              if (consumed.kind === "video") {
                expect(rtp.payload.length).toBe(900);
                expect(rtp.payload[0]).toBe(0x10); // VP8 descriptor: S=1, PID 0
                expect(rtp.payload[1] & 0xfe).toBe(0);
                expect(rtp.payload.subarray(2).every((b) => b === 0xab)).toBe(true);
              } else {
                expect(rtp.payload.equals(Buffer.alloc(120, 0x55))).toBe(true);
              }
            }
          }
        } finally {
          await pub.close().catch(() => {});
          await sub.close().catch(() => {});
        }
      },
    );
  });
}
