import { spawn } from "node:child_process";
import dgram from "node:dgram";

export interface DumpPacket {
  /** ms since the start of the recording */
  at: number;
  kind: "video" | "audio";
  data: Buffer;
}

/**
 * Record a few seconds of real VP8 (640x360, 30 fps, ~1 Mbps) and Opus RTP made by FFmpeg from
 * its test sources. The benchmark's publisher replays it in a loop.
 */
export async function recordRtp(seconds = 6): Promise<DumpPacket[]> {
  const sockets = await Promise.all(
    ["video", "audio"].map(
      (kind) =>
        new Promise<{ kind: "video" | "audio"; socket: dgram.Socket; port: number }>((resolve) => {
          const socket = dgram.createSocket("udp4");
          socket.bind(0, "127.0.0.1", () => resolve({ kind: kind as "video" | "audio", socket, port: socket.address().port }));
        }),
    ),
  );
  const packets: DumpPacket[] = [];
  let t0 = 0;
  for (const { kind, socket } of sockets) {
    socket.on("message", (data) => {
      const now = performance.now();
      if (!t0) t0 = now;
      packets.push({ at: now - t0, kind, data: Buffer.from(data) });
    });
  }
  const [videoSocket, audioSocket] = sockets;
  const ff = spawn(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=640x360:rate=30:duration=${seconds}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      "-map",
      "0:v",
      "-c:v",
      "libvpx",
      "-deadline",
      "realtime",
      "-cpu-used",
      "8",
      "-b:v",
      "1M",
      "-g",
      "60",
      "-f",
      "rtp",
      "-payload_type",
      "96",
      `rtp://127.0.0.1:${videoSocket.port}?pkt_size=1200`,
      "-map",
      "1:a",
      "-c:a",
      "libopus",
      "-b:a",
      "48k",
      "-f",
      "rtp",
      "-payload_type",
      "111",
      `rtp://127.0.0.1:${audioSocket.port}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  await new Promise((resolve, reject) => {
    ff.once("exit", resolve);
    ff.once("error", reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const { socket } of sockets) socket.close();
  // RTCP from ffmpeg also arrives on port+1 (not bound); keep only RTP with our payload types
  return packets.filter((p) => (p.data[1] & 0x7f) === (p.kind === "video" ? 96 : 111));
}
