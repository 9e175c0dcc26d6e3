/**
 * `npm run bench:recording` (apps/server/bin/vtp-bench-recording.js): not a test.
 * 1. Processing speed: a 60 s two-track class (VP8 camera + Opus microphone, captured-track
 *    Matroska files made by FFmpeg) composed to MP4 and the HLS ladder exactly as the
 *    processing job does; speed = media seconds / wall seconds.
 * 2. Capture cost per recorded track: N video tracks of real VP8 RTP (replayed from memory at
 *    real time) through TrackCapture (loopback UDP → `ffmpeg -c copy`) for a fixed time;
 *    process.cpuUsage() of this process (minus the replay alone) and the FFmpeg children's CPU
 *    (/proc/<pid>/stat), as a share of one core per track.
 * Env: BENCH_SECONDS (class length, 60), BENCH_TRACKS (4), BENCH_CAPTURE_SECONDS (20).
 */
import { spawn, execFileSync } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { composeArgs, hlsArgs } from "./compose.js";
import { TrackCapture } from "./TrackCapture.js";
import type { RecorderTrack } from "./source.js";

const SECONDS = Number(process.env.BENCH_SECONDS || 60);
const TRACKS = Number(process.env.BENCH_TRACKS || 4);
const CAPTURE_S = Number(process.env.BENCH_CAPTURE_SECONDS || 20);
const dir = mkdtempSync(path.join(tmpdir(), "vtp-bench-rec-"));

function run(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args], { stdio: ["ignore", "ignore", "inherit"] });
    proc.once("error", reject);
    proc.once("exit", (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`ffmpeg exited ${code}`))));
  });
}

async function processing() {
  const cam = path.join(dir, "video-camera.mkv");
  const mic = path.join(dir, "audio-microphone.mkv");
  await run([
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=640x360:rate=25:duration=${SECONDS}`,
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-b:v",
    "800k",
    "-g",
    "50",
    cam,
  ]);
  await run(["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`, "-ac", "2", "-c:a", "libopus", "-b:a", "48k", mic]);
  const mp4 = path.join(dir, "recording.mp4");
  const track = (kind: "audio" | "video", source: string) => ({ kind, source, user_id: "host", producer_id: `${kind}-1` });
  const compose = await run(
    composeArgs(
      [
        { file: cam, offsetMs: 0, track: track("video", "camera") },
        { file: mic, offsetMs: 0, track: track("audio", "microphone") },
      ],
      { hostId: "host", durationS: SECONDS, output: mp4 },
    ),
  );
  mkdirSync(path.join(dir, "hls"), { recursive: true });
  const hls = await run(hlsArgs(mp4, path.join(dir, "hls")));
  return { compose, hls };
}

/** Some seconds of real VP8 RTP (640x360, 25 fps, ~800 kbps) from FFmpeg. */
async function vp8Rtp(seconds: number): Promise<{ at: number; data: Buffer }[]> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  const packets: { at: number; data: Buffer }[] = [];
  let t0 = 0;
  sock.on("message", (msg) => {
    if ((msg[1] & 0x7f) !== 96) return;
    const now = performance.now();
    t0 ||= now;
    packets.push({ at: now - t0, data: Buffer.from(msg) });
  });
  await run([
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-b:v",
    "800k",
    "-g",
    "50",
    "-f",
    "rtp",
    "-payload_type",
    "96",
    `rtp://127.0.0.1:${sock.address().port}?pkt_size=1200`,
  ]);
  sock.close();
  return packets;
}

/** Replays the dump to `sinks` at real time for `seconds` (looping, with continuous seq/ts). */
async function replay(dump: { at: number; data: Buffer }[], sinks: ((packet: Buffer) => void)[], seconds: number) {
  const loopMs = dump[dump.length - 1].at + 40;
  const t0 = performance.now();
  let i = 0;
  let loop = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const now = performance.now() - t0;
    while (dump[i].at + loop * loopMs <= now) {
      const packet = Buffer.from(dump[i].data);
      packet.writeUInt16BE((packet.readUInt16BE(2) + loop * dump.length) & 0xffff, 2);
      packet.writeUInt32BE((packet.readUInt32BE(4) + loop * Math.round((loopMs / 1000) * 90000)) >>> 0, 4);
      for (const s of sinks) s(packet);
      if (++i === dump.length) {
        i = 0;
        loop++;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim() || 100);
function childCpuS(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return 0;
  }
}

async function capture(dump: { at: number; data: Buffer }[]) {
  const cpuS = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
  const base0 = process.cpuUsage();
  await replay(dump, [], CAPTURE_S);
  const baseline = cpuS(process.cpuUsage(base0));
  const log = pino({ level: "silent" });
  const caps = Array.from({ length: TRACKS }, (_, trackIndex) => {
    const listeners = new Set<(packet: Buffer) => void>();
    const track: RecorderTrack = {
      id: `t${trackIndex}`,
      peerId: "p",
      userId: null,
      kind: "video",
      source: "camera",
      codec: { name: "VP8", payloadType: 96, clockRate: 90000 },
      onRtp: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onClose: () => {},
      requestKeyFrame: () => {},
    };
    const t0 = performance.now();
    return {
      listeners,
      cap: new TrackCapture(track, { ffmpeg: "ffmpeg", dir, baseName: `cap${trackIndex}`, clock: () => performance.now() - t0, log, onParts: () => {} }),
    };
  });
  await Promise.all(caps.map((c) => c.cap.start()));
  const c0 = process.cpuUsage();
  const f0 = caps.map((c) => childCpuS(c.cap.parts[0]?.pid));
  await replay(
    dump,
    caps.map((c) => (packet: Buffer) => {
      for (const l of c.listeners) l(packet);
    }),
    CAPTURE_S,
  );
  const proc = cpuS(process.cpuUsage(c0)) - baseline;
  const ff = caps.reduce((s, c, k) => s + childCpuS(c.cap.parts[0]?.pid) - f0[k], 0);
  await Promise.all(caps.map((c) => c.cap.stop()));
  return { nodePerTrack: proc / TRACKS / CAPTURE_S, ffmpegPerTrack: ff / TRACKS / CAPTURE_S, packets: caps.reduce((s, c) => s + c.cap.packets, 0) };
}

try {
  console.log(`VTP recording benchmark — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}`);
  const processed = await processing();
  const total = processed.compose + processed.hls;
  console.log(`processing ${SECONDS} s two-track class (VP8 640x360 + Opus → MP4 1280x720 H.264/AAC + HLS 720p/360p):`);
  console.log(
    `  compose MP4 ${processed.compose.toFixed(1)} s (${(SECONDS / processed.compose).toFixed(1)}× realtime), HLS ladder ${processed.hls.toFixed(1)} s (${(SECONDS / processed.hls).toFixed(1)}×), total ${total.toFixed(1)} s = ${(SECONDS / total).toFixed(1)}× realtime`,
  );
  const dump = await vp8Rtp(6);
  const captured = await capture(dump);
  console.log(`capture: ${TRACKS} VP8 tracks (~800 kbps each) for ${CAPTURE_S} s, ${captured.packets} packets:`);
  console.log(
    `  per track: server process ${(captured.nodePerTrack * 100).toFixed(2)} % of a core, ffmpeg -c copy ${(captured.ffmpegPerTrack * 100).toFixed(2)} % of a core`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
