import { execFile, spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
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
import { testPattern, vp8Realtime } from "../../helpers/media-content.js";
import type { TestClient } from "../rooms/helpers.js";

type Source = "camera" | "microphone" | "screen";

const DEFAULT_SIZE = "640x360";
const encodings = new Map<string, Promise<string>>();

/**
 * 10 s of VP8 (a key frame every second, looped) encoded once per machine and streamed with `-c copy`:
 * encoding live made the publisher fall behind real time on a loaded machine (its media then
 * covered a fraction of the time it was published), which is the test's own defect, not the
 * recorder's. A shared screen is the test pattern turned magenta (tests/helpers/media-content.ts
 * tells it apart).
 */
function preEncodedVideo(source: Source, size: string): Promise<string> {
  const key = `${source}-${size}`;
  let encoding = encodings.get(key);
  if (!encoding) {
    encoding = (async () => {
      const dir = path.join(os.tmpdir(), "vtp-test-media");
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${key}.ivf`);
      if (existsSync(file)) return file;
      const partial = `${file}.${process.pid}.ivf`;
      await promisify(execFile)("ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-y",
        "-f",
        "lavfi",
        "-i",
        testPattern(size, source === "screen"),
        "-t",
        "10",
        ...vp8Realtime("600k"),
        "-g",
        "25",
        "-f",
        "ivf",
        partial,
      ]);
      renameSync(partial, file);
      return file;
    })();
    encodings.set(key, encoding);
  }
  return encoding;
}

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
 * connect-transport with the offer, produce per m-line), with real media: FFmpeg streams its
 * test sources as RTP (pre-encoded VP8 test pattern, magenta for a screen; an Opus tone encoded
 * live), which the werift peer connection sends.
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
  private ok<A extends { ok: boolean }>(event: ClientEventName, ack: A): A {
    if (!ack.ok) throw new Error(`${event} failed: ${JSON.stringify(ack)}`);
    return ack;
  }

  /** Adds the tracks (one negotiation), produces them and starts their FFmpeg encoders. */
  async publish(sources: Source[], opts: { size?: string } = {}): Promise<Published[]> {
    // Encoded before anything is produced: a producer must not wait for its media.
    for (const source of sources) if (source !== "microphone") await preEncodedVideo(source, opts.size ?? DEFAULT_SIZE);
    if (!this.transportId) this.transportId = this.ok("create-transport", await this.client.emit("create-transport", { direction: "send" })).transportId;
    const added = sources.map((source) => {
      const kind = source === "microphone" ? "audio" : "video";
      const track = new MediaStreamTrack({ kind });
      const transceiver = this.pc.addTransceiver(track, { direction: "sendonly" });
      const published: Published = { source, kind, track, transceiver, packets: 0 };
      this.tracks.push(published);
      return published;
    });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const res = this.ok(
      "connect-transport",
      await this.client.emit("connect-transport", { transportId: this.transportId, description: { type: "offer", sdp: this.pc.localDescription!.sdp } }),
    );
    if (!res.answer) throw new Error("connect-transport answered no SDP answer");
    await this.pc.setRemoteDescription(res.answer);
    for (const published of added)
      published.producerId = this.ok(
        "produce",
        await this.client.emit("produce", {
          transportId: this.transportId,
          kind: published.kind,
          source: published.source,
          mid: published.transceiver.mid ?? undefined,
        }),
      ).producerId;
    const deadline = Date.now() + 20_000;
    while (this.pc.connectionState !== "connected") {
      if (Date.now() > deadline) throw new Error(`publisher not connected (${this.pc.connectionState})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const published of added) await this.encode(published, opts.size);
    return added;
  }

  private async encode(published: Published, size = DEFAULT_SIZE) {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
    const port = socket.address().port;
    const pt = published.kind === "video" ? 96 : 111;
    socket.on("message", (message) => {
      if (message.length < 12 || (message[1]! & 0x7f) !== pt) return; // RTP of ours only (no RTCP)
      if (!published.startedAt) published.startedAt = Date.now();
      published.packets++;
      published.track.writeRtp(RtpPacket.deSerialize(message));
    });
    const input =
      published.kind === "video"
        ? ["-stream_loop", "-1", "-re", "-i", await preEncodedVideo(published.source, size), "-c:v", "copy", "-payload_type", String(pt)]
        : ["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2", "-c:a", "libopus", "-b:a", "48k", "-payload_type", String(pt)];
    published.ffmpeg = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", ...input, "-f", "rtp", `rtp://127.0.0.1:${port}?pkt_size=1200`], {
      stdio: "ignore",
    });
    published.socket = socket;
  }

  /** Ends a track the way the web client does: close-producer, then stop sending. */
  async unpublish(published: Published) {
    if (!published.producerId) throw new Error(`${published.source} was never produced`);
    this.ok("close-producer", await this.client.emit("close-producer", { producerId: published.producerId }));
    this.stopEncoder(published);
  }

  private stopEncoder(published: Published) {
    if (published.ffmpeg && published.ffmpeg.exitCode === null) published.ffmpeg.kill("SIGKILL");
    try {
      published.socket?.close();
    } catch {
      /* closed */
    }
    published.stoppedAt ??= Date.now();
  }

  async close() {
    for (const published of this.tracks) this.stopEncoder(published);
    await this.pc.close().catch(() => {});
  }
}
