import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import type { RecorderSource, RecorderTrack } from "../../../apps/server/src/recording/index.js";
import { testPattern, vp8Realtime } from "../../helpers/media-content.js";

/**
 * A RecorderSource fed by FFmpeg-generated RTP (VP8 test pattern, Opus tone) instead of the
 * SFU: each track is an FFmpeg sending RTP to a UDP socket of ours.
 */
export class FfmpegRtpSource implements RecorderSource {
  private onTrack?: (track: RecorderTrack) => void;
  private readonly procs: ChildProcess[] = [];
  private readonly sockets: dgram.Socket[] = [];
  private readonly closers: (() => void)[] = [];

  constructor(private readonly userId: string | null) {}

  async start(onTrack: (track: RecorderTrack) => void) {
    this.onTrack = onTrack;
  }

  /**
   * Starts a generated track; returns a function that ends it (the producer closes). With
   * `silentForMs`, the track stops sending that long before its producer closes, as a browser's
   * does when its close message is slow to arrive.
   */
  async addTrack(
    id: string,
    kind: "audio" | "video",
    source: string,
    /** `screen`: the picture is the magenta test pattern a content check recognises as a shared screen. */
    opts: { size?: string; screen?: boolean } = {},
  ): Promise<(options?: { silentForMs?: number }) => Promise<void>> {
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
    const port = (sock.address() as { port: number }).port;
    const listeners = new Set<(packet: Buffer) => void>();
    const closeListeners: (() => void)[] = [];
    sock.on("message", (message) => {
      if (message.length >= 12 && !(message[1]! >= 192 && message[1]! <= 223)) for (const listener of listeners) listener(message); // RTP, not RTCP
    });
    const input =
      kind === "video"
        ? ["-f", "lavfi", "-i", testPattern(opts.size ?? "640x360", opts.screen), ...vp8Realtime("400k"), "-g", "25", "-payload_type", "96"]
        : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2", "-c:a", "libopus", "-b:a", "48k", "-payload_type", "111"];
    const proc = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", ...input, "-f", "rtp", `rtp://127.0.0.1:${port}`], {
      stdio: "ignore",
    });
    this.procs.push(proc);
    this.sockets.push(sock);
    const track: RecorderTrack = {
      id,
      peerId: `peer-${id}`,
      userId: this.userId,
      kind,
      source,
      codec: kind === "video" ? { name: "VP8", payloadType: 96, clockRate: 90000 } : { name: "opus", payloadType: 111, clockRate: 48000, channels: 2 },
      onRtp: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onClose: (listener) => closeListeners.push(listener),
      requestKeyFrame: () => {},
    };
    this.onTrack?.(track);
    const close = async ({ silentForMs = 0 } = {}) => {
      proc.kill("SIGKILL");
      listeners.clear();
      if (silentForMs) await new Promise((resolve) => setTimeout(resolve, silentForMs));
      sock.close();
      for (const listener of closeListeners) listener();
    };
    this.closers.push(() => void close());
    return close;
  }

  async stop() {
    for (const proc of this.procs) proc.kill("SIGKILL");
    for (const socket of this.sockets) {
      try {
        socket.close();
      } catch {}
    }
  }
}
