/**
 * `npm run bench:live`: not a test. One live stream fed by generated RTP (a VP8 picture whose
 * colour flips from red to green at a known moment, and an Opus tone), in one run:
 * 1. CPU of the stream's compositor FFmpeg (the 720p/360p encode) and of this process, as a share
 *    of one core, over BENCH_SECONDS (20);
 * 2. glass-to-glass latency estimate, plain HLS and low-latency HLS side by side: from the flip on
 *    the publisher's video to the first HLS segment showing green being listed in the plain
 *    playlist, plus the player's hold-back (hls.js keeps 2 segments = 4 s behind the live edge);
 *    and to the first LL-HLS part showing green being listed, plus PART-HOLD-BACK (hls.js in
 *    low-latency mode plays that far behind the last part);
 * 3. concurrent HLS viewers served by the live file route (Fastify, as the app server registers it)
 *    on loopback: N simulated players, each fetching the variant playlist every 2 s and each new
 *    segment; N grows (BENCH_VIEWERS, "50,100,200,400") until a round misses a segment deadline
 *    (p95 segment fetch > 2 s) or fails a request.
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import Fastify from "fastify";
import pino from "pino";
import type { RecorderSource, RecorderTrack } from "../recording/source.js";
import { LiveStream } from "./LiveStream.js";
import type { LlPackager } from "./llhls/packager.js";
import { liveRoutes } from "./routes.js";
import { LiveService } from "./service.js";

const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const VIEWER_STEPS = (process.env.BENCH_VIEWERS || "50,100,200,400").split(",").map(Number);
const dir = mkdtempSync(path.join(tmpdir(), "vtp-bench-live-"));
const log = pino({ level: "warn" });
const FLIP_AFTER_S = 12;

/** A track of generated RTP: FFmpeg sends to a socket of ours. */
async function generated(kind: "audio" | "video"): Promise<{ track: RecorderTrack; startedAt: number; stop: () => void }> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  const port = (sock.address() as { port: number }).port;
  const listeners = new Set<(packet: Buffer) => void>();
  sock.on("message", (message) => {
    const payloadType = message[1] ?? 0;
    if (message.length >= 12 && !(payloadType >= 192 && payloadType <= 223)) for (const listener of listeners) listener(message);
  });
  const input =
    kind === "video"
      ? ["-f", "lavfi", "-i", `color=c=red:s=640x360:r=25,drawbox=c=green:t=fill:enable='gte(t,${FLIP_AFTER_S})',noise=alls=20:allf=t`]
      : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"];
  const codec =
    kind === "video"
      ? ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k", "-g", "25", "-payload_type", "96"]
      : ["-ac", "2", "-c:a", "libopus", "-payload_type", "111"];
  const proc = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", ...input, ...codec, "-f", "rtp", `rtp://127.0.0.1:${port}`], {
    stdio: "ignore",
  });
  const track: RecorderTrack = {
    id: `${kind}-1`,
    peerId: "peer-1",
    userId: "teacher",
    kind,
    source: kind === "video" ? "camera" : "microphone",
    codec: kind === "video" ? { name: "VP8", payloadType: 96, clockRate: 90000 } : { name: "opus", payloadType: 111, clockRate: 48000, channels: 2 },
    onRtp: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose: () => {},
    requestKeyFrame: () => {},
  };
  return {
    track,
    startedAt: Date.now(),
    stop: () => {
      proc.kill("SIGKILL");
      sock.close();
    },
  };
}

/** CPU seconds of a process so far (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function compositorPid(hlsDir: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`${hlsDir}/%v/index.m3u8`)) return Number(entry);
    } catch {}
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const segmentsOf = (text: string) => text.split("\n").filter((line) => line.endsWith(".ts"));

/** Mean colour of a segment's first frame, or its last (tiny decode). */
function colourOf(file: string, last = false): Promise<[number, number, number]> {
  return new Promise((resolve, reject) => {
    const proc = spawn("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-i",
      file,
      ...(last ? [] : ["-frames:v", "1"]),
      "-vf",
      "scale=16:9",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ]);
    const chunks: Buffer[] = [];
    proc.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    proc.on("error", reject);
    proc.on("close", () => {
      const all = Buffer.concat(chunks);
      const rgb = last ? all.subarray(Math.max(0, all.length - 16 * 9 * 3)) : all;
      let [red, green, blue] = [0, 0, 0];
      for (let i = 0; i + 2 < rgb.length; i += 3) {
        red += rgb.readUInt8(i);
        green += rgb.readUInt8(i + 1);
        blue += rgb.readUInt8(i + 2);
      }
      const count = Math.max(1, rgb.length / 3);
      resolve([red / count, green / count, blue / count]);
    });
  });
}

async function main() {
  const hlsDir = path.join(dir, "live", "bench");
  const video = await generated("video");
  const audio = await generated("audio");
  const source: RecorderSource = {
    start: async (onTrack) => {
      onTrack(video.track);
      onTrack(audio.track);
    },
    stop: async () => {},
  };
  const stream = new LiveStream("bench", "room", source, { ffmpeg: "ffmpeg", dir: hlsDir, hostId: "teacher", log });
  await stream.start();
  const playlist = path.join(hlsDir, "720p", "index.m3u8");
  const read = () => {
    try {
      return readFileSync(playlist, "utf8");
    } catch {
      return "";
    }
  };

  // 2. Latency: the flip on the publisher's video → the first green segment listed (plain HLS), and
  // the first green part listed (LL-HLS), in the same run. The time is when it was first listed,
  // not when its decode here ended.
  const flipAt = video.startedAt + FLIP_AFTER_S * 1000;
  // When each segment / part was first listed: a cheap poll every 20 ms, apart from the decoding below.
  const firstListed = new Map<string, number>();
  const ll = stream.ll[0]?.packager as LlPackager;
  const note = () => {
    const now = Date.now();
    for (const segment of segmentsOf(read())) if (!firstListed.has(segment)) firstListed.set(segment, now);
    for (const segment of ll.segments)
      for (const [index] of segment.parts.entries()) if (!firstListed.has(`ll-${segment.msn}.${index}`)) firstListed.set(`ll-${segment.msn}.${index}`, now);
  };
  const noter = setInterval(note, 20);
  const seen = new Set<string>();
  const probe = path.join(dir, "part-probe.mp4");
  let greenListedAt = 0;
  let greenPartAt = 0;
  while ((!greenListedAt || !greenPartAt) && Date.now() < flipAt + 60_000) {
    note();
    for (const segment of segmentsOf(read())) {
      const listedAt = firstListed.get(segment) ?? Date.now();
      if (seen.has(segment) || greenListedAt || listedAt < flipAt) continue;
      seen.add(segment);
      const [red, green] = await colourOf(path.join(hlsDir, "720p", segment)).catch(() => [0, 0, 0] as [number, number, number]);
      if (green > 100 && red < 100) greenListedAt = listedAt;
    }
    for (const segment of ll.segments) {
      for (const [index] of segment.parts.entries()) {
        const key = `ll-${segment.msn}.${index}`;
        const listedAt = firstListed.get(key) ?? Date.now();
        if (seen.has(key) || greenPartAt || listedAt < flipAt) continue;
        seen.add(key);
        const init = ll.inits.get(segment.init);
        if (!init) continue;
        writeFileSync(probe, Buffer.concat([init, ...segment.parts.slice(0, index + 1).map((part) => part.data)]));
        const [red, green] = await colourOf(probe, true).catch(() => [0, 0, 0] as [number, number, number]);
        if (green > 100 && red < 100) greenPartAt = listedAt;
      }
    }
    await sleep(50);
  }
  clearInterval(noter);
  const toPlaylist = (greenListedAt - flipAt) / 1000;
  const toPart = (greenPartAt - flipAt) / 1000;
  const partHoldBack = Number(/PART-HOLD-BACK=([\d.]+)/.exec(ll.playlist())?.[1]);

  // 1. CPU per live stream.
  const pid = compositorPid(hlsDir);
  const wall0 = performance.now();
  const own0 = process.cpuUsage();
  const ffmpeg0 = pid ? cpuSeconds(pid) : 0;
  await sleep(SECONDS * 1000);
  const wall = (performance.now() - wall0) / 1000;
  const own = process.cpuUsage(own0);
  const compositorCores = pid ? (cpuSeconds(pid) - ffmpeg0) / wall : Number.NaN;
  const nodeCores = (own.user + own.system) / 1e6 / wall;

  // 3. Concurrent HLS viewers on the live file route.
  const service = new LiveService({ db: undefined as never, log, dataDir: dir, publicUrl: "http://127.0.0.1", secret: "bench" });
  (service as unknown as { streams: Map<string, unknown> }).streams.set("00000000-0000-4000-8000-000000000001", { stream: { id: "bench" }, ended: false });
  const key = (service as unknown as { keys: { issue(roomId: string): string } }).keys.issue("00000000-0000-4000-8000-000000000001");
  const app = Fastify({ logger: false });
  await app.register(liveRoutes, { prefix: "/api/v1", ctx: { auth: { guard: () => async () => {} } } as never, live: service });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `${address}/api/v1/live/m/${key}/hls/720p/`;
  const rounds: { viewers: number; requests: number; failures: number; p95Ms: number; mbps: number }[] = [];
  for (const viewers of VIEWER_STEPS) {
    const times: number[] = [];
    let failures = 0;
    let bytes = 0;
    const until = Date.now() + 12_000;
    const player = async () => {
      const got = new Set<string>();
      while (Date.now() < until) {
        const started = Date.now();
        try {
          const text = await (await fetch(`${base}index.m3u8`)).text();
          const newest = segmentsOf(text).at(-1);
          if (newest && !got.has(newest)) {
            got.add(newest);
            const t0 = performance.now();
            const res = await fetch(`${base}${newest}`);
            const body = await res.arrayBuffer();
            if (!res.ok) failures++;
            bytes += body.byteLength;
            times.push(performance.now() - t0);
          }
        } catch {
          failures++;
        }
        await sleep(Math.max(0, 2000 - (Date.now() - started)));
      }
    };
    await Promise.all(Array.from({ length: viewers }, player));
    times.sort((left, right) => left - right);
    const p95Ms = times[Math.floor(times.length * 0.95)] ?? Number.NaN;
    rounds.push({ viewers, requests: times.length, failures, p95Ms: Math.round(p95Ms), mbps: Math.round((bytes * 8) / 12 / 1e6) });
    if (failures > 0 || p95Ms > 2000) break;
  }
  await app.close();
  await stream.stop();
  video.stop();
  audio.stop();
  rmSync(dir, { recursive: true, force: true });

  console.log(JSON.stringify({ cpus: cpus().length, loadavg: (await import("node:os")).loadavg(), seconds: SECONDS }, null, 0));
  console.log(
    `CPU per live stream (720p+360p encode): compositor FFmpeg ${(compositorCores * 100).toFixed(0)} % of a core, node ${(nodeCores * 100).toFixed(0)} % (RTP reorder + feed, includes this bench)`,
  );
  console.log(
    `Latency: publisher's flip → first green segment listed ${toPlaylist.toFixed(1)} s; + player hold-back 4 s ≈ ${(toPlaylist + 4).toFixed(1)} s glass-to-glass (plain HLS, 2 s segments)`,
  );
  console.log(
    `Latency: publisher's flip → first green LL-HLS part listed ${toPart.toFixed(1)} s; + PART-HOLD-BACK ${partHoldBack} s ≈ ${(toPart + partHoldBack).toFixed(1)} s glass-to-glass (LL-HLS, 0.5 s parts); LL/plain ${((toPart + partHoldBack) / (toPlaylist + 4)).toFixed(2)}`,
  );
  for (const round of rounds)
    console.log(
      `HLS viewers ${round.viewers}: ${round.requests} segments fetched, ${round.failures} failures, p95 segment fetch ${round.p95Ms} ms, ${round.mbps} Mbit/s served`,
    );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
