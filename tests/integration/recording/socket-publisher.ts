import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpPacket,
  useAbsSendTime,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useSdesMid,
  useVP8,
  type RTCRtpTransceiver,
} from "werift";
import type { ClientEventName } from "@vtp/protocol";
import type { TestClient } from "../rooms/helpers.js";

type Source = "camera" | "microphone" | "screen";

interface Published {
  source: Source;
  kind: "audio" | "video";
  track: MediaStreamTrack;
  transceiver: RTCRtpTransceiver;
  producerId?: string;
  ffmpeg?: ChildProcess;
  socket?: dgram.Socket;
  packets: number;
  startedAt?: number;
  stoppedAt?: number;
}

/**
 * A browser stand-in publishing over Socket.IO the way the web client does (create-transport,
 * connect-transport with the offer, produce per m-line), with real media: FFmpeg encodes its
 * test sources (VP8 test pattern, magenta for a screen; Opus tone) to RTP, which the werift peer
 * connection sends.
 */
export class SocketPublisher {
  readonly pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    codecs: { video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB()] })], audio: [useOPUS()] },
    headerExtensions: { video: [useSdesMid(), useAbsSendTime()], audio: [useSdesMid(), useAbsSendTime()] },
  });
  readonly tracks: Published[] = [];
  transportId = "";

  constructor(readonly client: TestClient) {}

  /** The ack of a media event that must succeed. */
  private ok<A extends { ok: boolean }>(event: ClientEventName, r: A): A {
    if (!r.ok) throw new Error(`${event} failed: ${JSON.stringify(r)}`);
    return r;
  }

  /** Adds the tracks (one negotiation), produces them and starts their FFmpeg encoders. */
  async publish(sources: Source[], opts: { size?: string } = {}): Promise<Published[]> {
    if (!this.transportId) this.transportId = this.ok("create-transport", await this.client.emit("create-transport", { direction: "send" })).transportId;
    const added = sources.map((source) => {
      const kind = source === "microphone" ? "audio" : "video";
      const track = new MediaStreamTrack({ kind });
      const transceiver = this.pc.addTransceiver(track, { direction: "sendonly" });
      const t: Published = { source, kind, track, transceiver, packets: 0 };
      this.tracks.push(t);
      return t;
    });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const res = this.ok(
      "connect-transport",
      await this.client.emit("connect-transport", { transportId: this.transportId, description: { type: "offer", sdp: this.pc.localDescription!.sdp } }),
    );
    if (!res.answer) throw new Error("connect-transport answered no SDP answer");
    await this.pc.setRemoteDescription(res.answer);
    for (const t of added)
      t.producerId = this.ok(
        "produce",
        await this.client.emit("produce", { transportId: this.transportId, kind: t.kind, source: t.source, mid: t.transceiver.mid ?? undefined }),
      ).producerId;
    const deadline = Date.now() + 20_000;
    while (this.pc.connectionState !== "connected") {
      if (Date.now() > deadline) throw new Error(`publisher not connected (${this.pc.connectionState})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const t of added) await this.encode(t, opts.size);
    return added;
  }

  private async encode(t: Published, size = "640x360") {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    const port = socket.address().port;
    const pt = t.kind === "video" ? 96 : 111;
    socket.on("message", (m) => {
      if (m.length < 12 || (m[1]! & 0x7f) !== pt) return; // RTP of ours only (no RTCP)
      if (!t.startedAt) t.startedAt = Date.now();
      t.packets++;
      t.track.writeRtp(RtpPacket.deSerialize(m));
    });
    // A shared screen is the test pattern turned magenta (tests/helpers/media-content.ts tells it apart).
    const pattern = `testsrc2=size=${size}:rate=25${t.source === "screen" ? ",lutrgb=r=230:b=230:g=val*0.3" : ""}`;
    const input =
      t.kind === "video"
        ? ["-f", "lavfi", "-i", pattern, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k", "-g", "25", "-payload_type", String(pt)]
        : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2", "-c:a", "libopus", "-b:a", "48k", "-payload_type", String(pt)];
    t.ffmpeg = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", ...input, "-f", "rtp", `rtp://127.0.0.1:${port}?pkt_size=1200`], {
      stdio: "ignore",
    });
    t.socket = socket;
  }

  /** Ends a track the way the web client does: close-producer, then stop sending. */
  async unpublish(t: Published) {
    if (!t.producerId) throw new Error(`${t.source} was never produced`);
    this.ok("close-producer", await this.client.emit("close-producer", { producerId: t.producerId }));
    this.stopEncoder(t);
  }

  private stopEncoder(t: Published) {
    if (t.ffmpeg && t.ffmpeg.exitCode === null) t.ffmpeg.kill("SIGKILL");
    try {
      t.socket?.close();
    } catch {
      /* closed */
    }
    t.stoppedAt ??= Date.now();
  }

  async close() {
    for (const t of this.tracks) this.stopEncoder(t);
    await this.pc.close().catch(() => {});
  }
}
