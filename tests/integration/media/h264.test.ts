/**
 * H.264 through the SFU: the system ffmpeg encodes a test pattern with libx264 (constrained
 * baseline, packetization-mode=1: single NAL / STAP-A / FU-A) to RTP; a werift publisher whose
 * offer has only H.264 sends those packets; a werift subscriber (which could also take VP8) gets a
 * consumer whose m-line is H.264 with the server's fmtp, and receives the payloads unchanged,
 * starting with a keyframe (rtp/keyframe.ts).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaStreamTrack, RTCPeerConnection, RtpPacket, useAbsSendTime, useH264, useNACK, useOPUS, usePLI, useREMB, useSdesMid, useVP8 } from "werift";
import { isH264KeyframeStart } from "../../../apps/server/src/media/rtp/keyframe.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";
import { waitFor } from "../../helpers/wait.js";

function ffmpegMissing(): string | false {
  const encoders = spawnSync("ffmpeg", ["-hide_banner", "-encoders"], { encoding: "utf8" });
  if (encoders.status === 0 && /libx264/.test(encoders.stdout)) return false;
  if (process.env.CI === "true") throw new Error("ffmpeg with libx264 is required in CI");
  return "ffmpeg with libx264 not found: skipping the H.264 test";
}
const skip = ffmpegMissing();
if (skip) console.warn(`SKIPPED: ${skip}`);

const feedback = () => [useNACK(), usePLI(), useREMB()];
const exts = { video: [useSdesMid(), useAbsSendTime()], audio: [useSdesMid()] };

/** The m-line of `mid` in an SDP: its rtpmap and fmtp lines by payload type. */
function mline(sdp: string, mid: string) {
  const block = sdp
    .split(/\r?\nm=/)
    .slice(1)
    .find((b) => new RegExp(`\\r?\\na=mid:${mid}\\r?\\n`).test(`\n${b}\n`))!;
  const rtpmap = new Map<number, string>();
  const fmtp = new Map<number, string>();
  for (const l of block.split(/\r?\n/)) {
    const rtp = /^a=rtpmap:(\d+) ([^/]+)/.exec(l);
    const fmt = /^a=fmtp:(\d+) (.*)$/.exec(l);
    if (rtp) rtpmap.set(Number(rtp[1]), rtp[2].toUpperCase());
    else if (fmt) fmtp.set(Number(fmt[1]), fmt[2]);
  }
  return { header: block.split(/\r?\n/)[0], rtpmap, fmtp };
}

describe.skipIf(Boolean(skip))("H.264 through the SFU (ffmpeg libx264 → werift publisher → SFU → werift subscriber)", () => {
  let sut: MediaUnderTest;
  let ffmpeg: ChildProcess | undefined;
  let udp: Socket | undefined;
  beforeAll(async () => {
    sut = await startInProcess(56000, { MEDIA_WORKERS: "1" });
  });
  afterAll(async () => {
    ffmpeg?.kill("SIGKILL");
    udp?.close();
    await sut?.stop();
  });

  it("negotiates H.264 (packetization-mode=1) for the consumer and forwards the payloads intact, from a keyframe", async () => {
    const media = sut.media;
    const roomId = `h264-${process.pid}`;
    const publisher = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      codecs: { video: [useH264({ rtcpFeedback: feedback() })], audio: [useOPUS()] },
      headerExtensions: exts,
    });
    // The subscriber could take either codec: the consumer's m-line must still be H.264 only.
    const subscriber = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      codecs: { video: [useVP8({ rtcpFeedback: feedback() }), useH264({ rtcpFeedback: feedback() })], audio: [useOPUS()] },
      headerExtensions: exts,
    });
    try {
      // Publisher: an H.264-only offer.
      await media.joinPeer(roomId, "teacher", "user-teacher");
      const send = await media.createTransport(roomId, "teacher", "send");
      const track = new MediaStreamTrack({ kind: "video" });
      const transceiver = publisher.addTransceiver(track, { direction: "sendonly" });
      await publisher.setLocalDescription(await publisher.createOffer());
      expect(mline(publisher.localDescription!.sdp, transceiver.mid!).rtpmap.values().next().value).toBe("H264");
      const { answer } = await media.connectTransport(roomId, "teacher", send.transportId, { type: "offer", sdp: publisher.localDescription!.sdp });
      await publisher.setRemoteDescription(answer!);
      expect([...mline(answer!.sdp, transceiver.mid!).rtpmap.values()], "the server answers H.264").toEqual(["H264"]);
      const { producerId } = await media.produce(roomId, "teacher", { transportId: send.transportId, kind: "video", source: "camera", mid: transceiver.mid! });
      const room = await media.getRoom(roomId);
      expect(room.peerList.find((p) => p.peerId === "teacher")!.producers[0].codec?.toLowerCase()).toBe("video/h264");

      // Subscriber: the consumer's m-line.
      await media.joinPeer(roomId, "student", "user-student");
      const recv = await media.createTransport(roomId, "student", "recv");
      const received: Buffer[] = [];
      subscriber.onTrack.subscribe((remoteTrack) => remoteTrack.onReceiveRtp.subscribe((rtp) => received.push(Buffer.from(rtp.payload))));
      const consumed = await media.consume(roomId, "student", { producerId, transportId: recv.transportId });
      const offered = mline(consumed.offer.sdp, consumed.mid);
      expect([...offered.rtpmap.values()], `the consumer's m-line offers only H.264: ${offered.header}`).toEqual(["H264"]);
      const [pt] = [...offered.rtpmap.keys()];
      const fmtp = offered.fmtp.get(pt) ?? "";
      expect(fmtp).toMatch(/packetization-mode=1/);
      expect(fmtp).toMatch(/profile-level-id=42e01f/i); // constrained baseline, level 3.1
      await subscriber.setRemoteDescription(consumed.offer);
      await subscriber.setLocalDescription(await subscriber.createAnswer());
      const answered = mline(subscriber.localDescription!.sdp, consumed.mid);
      expect([...answered.rtpmap.values()]).toEqual(["H264"]);
      await media.connectTransport(roomId, "student", recv.transportId, { type: "answer", sdp: subscriber.localDescription!.sdp });
      await waitFor("publisher connected", () => publisher.connectionState === "connected", 30_000);

      // ffmpeg → UDP → the publisher's track. Every payload sent is remembered.
      const sent = new Set<string>();
      let sentPackets = 0;
      const nalTypes = new Set<number>();
      udp = createSocket("udp4");
      udp.on("message", (msg) => {
        const rtp = RtpPacket.deSerialize(msg);
        sent.add(rtp.payload.toString("base64"));
        sentPackets++;
        nalTypes.add(rtp.payload[0] & 0x1f);
        track.writeRtp(rtp);
      });
      await new Promise<void>((resolve) => udp!.bind(0, "127.0.0.1", () => resolve()));
      const port = udp.address().port;
      let ffmpegErr = "";
      ffmpeg = spawn(
        "ffmpeg",
        [
          "-hide_banner",
          "-loglevel",
          "error",
          "-re",
          "-f",
          "lavfi",
          "-i",
          "testsrc=size=320x240:rate=30",
          "-t",
          "30",
          "-c:v",
          "libx264",
          "-profile:v",
          "baseline",
          "-pix_fmt",
          "yuv420p",
          "-tune",
          "zerolatency",
          "-g",
          "30",
          "-x264-params",
          "repeat-headers=1",
          "-f",
          "rtp",
          "-payload_type",
          "102",
          `rtp://127.0.0.1:${port}`,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      ffmpeg.stderr!.on("data", (chunk) => (ffmpegErr += chunk));

      await waitFor(`150 H.264 packets at the subscriber (ffmpeg sent ${sentPackets}; ${ffmpegErr})`, () => received.length >= 150, 60_000);
      ffmpeg.kill("SIGKILL");

      // Packetization-mode 1 shapes were used (FU-A for the large keyframes).
      expect(nalTypes.has(28), `FU-A packets sent (NAL types ${[...nalTypes]})`).toBe(true);
      // The first forwarded packet starts a keyframe (IDR or SPS): the consumer waited for one.
      expect(isH264KeyframeStart(received[0]), `first payload NAL type ${received[0][0] & 0x1f}`).toBe(true);
      expect(received.filter((p) => isH264KeyframeStart(p)).length).toBeGreaterThanOrEqual(1);
      // Every payload arrived exactly as ffmpeg made it.
      const unknown = received.filter((p) => !sent.has(p.toString("base64")));
      expect(unknown.length, "payloads changed on the way").toBe(0);
      // And the subscriber got the packets on the negotiated H.264 payload type (werift would drop others).
      const sub = subscriber.getTransceivers().find((t) => t.mid === consumed.mid)!;
      expect(sub.codecs.map((c) => c.mimeType.toLowerCase())).toEqual(["video/h264"]);
    } finally {
      ffmpeg?.kill("SIGKILL");
      await publisher.close().catch(() => {});
      await subscriber.close().catch(() => {});
      await media.leavePeer(roomId, "teacher").catch(() => {});
      await media.leavePeer(roomId, "student").catch(() => {});
    }
  }, 120_000);
});
