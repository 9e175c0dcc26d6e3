/**
 * The two ends of the SFU bench (sfuBench.ts), both werift peer connections in the bench process:
 * the Publisher replays a recorded VP8 + Opus RTP dump in a loop, each Subscriber counts the RTP
 * the SFU forwards to it at its UDP socket.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpPacket, useAudioLevelIndication, useOPUS, useSdesMid, useVP8 } from "werift";
import type { DumpPacket } from "./rtpDump.js";
import { required } from "./required.js";

const clientConfig = () => ({ iceServers: [], iceUseIpv6: false, codecs: { video: [useVP8()], audio: [useOPUS()] } });
/** The publisher offers the audio-level extension; it stamps it in every packet whether the SFU took it or not (same bytes for both SFUs). */
const publisherConfig = () => ({ ...clientConfig(), headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] } });

/** Replays the dump through a werift publisher, looping with continuous seq/timestamps. */
export class Publisher {
  readonly pc = new RTCPeerConnection(publisherConfig());
  readonly video = new MediaStreamTrack({ kind: "video" });
  readonly audio = new MediaStreamTrack({ kind: "audio" });
  readonly sentAt = { video: new Float64Array(65536), audio: new Float64Array(65536) };
  readonly sent = { video: 0, audio: 0 };
  #timer: NodeJS.Timeout | undefined;
  /** The publisher's id for the audio-level extension (from its own offer). */
  levelId = 0;

  /** `audioOnly`: the video track is left out and the dump's video packets are skipped (BENCH_AUDIO_ONLY). */
  constructor(
    private readonly dump: DumpPacket[],
    private readonly audioOnly: boolean,
  ) {
    if (!audioOnly) this.pc.addTransceiver(this.video, { direction: "sendonly" });
    this.pc.addTransceiver(this.audio, { direction: "sendonly" });
  }

  start(): void {
    const dur = this.dump[this.dump.length - 1].at + 33;
    const first = {
      video: required(
        this.dump.find((p) => p.kind === "video"),
        "a video packet",
      ),
      audio: required(
        this.dump.find((p) => p.kind === "audio"),
        "an audio packet",
      ),
    };
    const span = { video: 0, audio: 0 };
    for (const kind of ["video", "audio"] as const) {
      const last = required(
        this.dump.findLast((p) => p.kind === kind),
        `a ${kind} packet`,
      );
      span[kind] = (last.data.readUInt32BE(4) - first[kind].data.readUInt32BE(4) + (kind === "video" ? 3000 : 960)) >>> 0;
    }
    const seq = { video: 1, audio: 1 };
    const t0 = performance.now();
    let i = 0;
    let loop = 0;
    this.#timer = setInterval(() => {
      const now = performance.now() - t0;
      while (true) {
        const packet = this.dump[i];
        if (loop * dur + packet.at > now) break;
        const rtp = RtpPacket.deSerialize(packet.data);
        const kind = packet.kind;
        if (this.audioOnly && kind === "video") {
          if (++i === this.dump.length) {
            i = 0;
            loop++;
          }
          continue;
        }
        rtp.header.sequenceNumber = seq[kind];
        rtp.header.timestamp = (rtp.header.timestamp + loop * span[kind]) >>> 0;
        rtp.header.extensions = [];
        if (kind === "audio" && this.levelId > 0) {
          const loud = Math.floor(this.sent.audio / 50) % 2 === 0; // 1 s speech, 1 s silence
          rtp.header.extensions = [{ id: this.levelId, payload: Buffer.from([0x80 | (loud ? 30 : 127)]) }];
        }
        this.sentAt[kind][seq[kind]] = performance.now();
        seq[kind] = (seq[kind] + 1) & 0xffff;
        this.sent[kind]++;
        (kind === "video" ? this.video : this.audio).writeRtp(rtp);
        if (++i === this.dump.length) {
          i = 0;
          loop++;
        }
      }
    }, 5);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A subscriber whose RTP is counted at the UDP socket (no SRTP decrypt), RTCP/STUN go to werift. */
export class Subscriber {
  readonly pc = new RTCPeerConnection(clientConfig());
  received = 0;
  constructor(readonly onRtp: (pt: number, seq: number, now: number) => void) {}

  tap(): void {
    // werift's internals, as FastSink reads them: the UDP socket of the nominated candidate pair.
    const dtls = this.pc.getTransceivers()[0].dtlsTransport as unknown as {
      iceTransport: { connection: { nominated: { protocol: { transport: { socket: import("node:dgram").Socket } } } } };
    };
    const socket = dtls.iceTransport.connection.nominated.protocol.transport.socket;
    const original = socket.listeners("message") as ((...listenerArgs: unknown[]) => void)[];
    socket.removeAllListeners("message");
    socket.on("message", (data: Buffer, rinfo: unknown) => {
      const b0 = data[0];
      const pt = data[1] & 0x7f;
      if (b0 >= 128 && b0 <= 191 && (pt < 64 || pt > 95)) {
        this.received++;
        this.onRtp(pt, data.readUInt16BE(2), performance.now());
        return;
      }
      for (const l of original) l.call(socket, data, rinfo);
    });
  }
}
