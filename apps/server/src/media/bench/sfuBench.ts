/**
 * `npm run bench:sfu` — one publisher sending real VP8 + Opus RTP (recorded once from FFmpeg,
 * replayed in a loop) through the SFU, running as a media node in its own process, to N werift
 * subscribers in this process; N steps up. Per step: forwarded packets/s, SFU CPU µs per
 * forwarded packet, loss, p50/p99 forwarding latency, SFU RSS per subscriber; plus the SRTP
 * encrypt floor measured in the same run. Run once per forwarding path (werift's sender, fast path).
 *
 * Environment: BENCH_STEPS (default "10,50,100,200"), BENCH_WINDOW_MS (8000), BENCH_SETTLE_MS
 * (2000), BENCH_PATHS ("werift,fast"), BENCH_OUT (JSON results file, default test-artifacts/).
 * BENCH_AUDIO_ONLY=1: the publisher sends only its microphone (Opus), every packet with an RFC 6464
 * audio level (1 s loud, 1 s quiet); the publisher-only row (always printed) gives the SFU's cost
 * per received packet. BENCH_BASELINE_ROOT=<checkout of another commit>: every path also runs
 * with that checkout's SFU (labelled "baseline"), in the same run, before this one's ("new").
 * BENCH_MODE=scale: one class over more CPU, in one run (fast path): the SFU with MEDIA_WORKERS=1,
 * then MEDIA_WORKERS=2 (subscribers spread over both workers, the publisher piped), then two media
 * nodes of one worker each (BENCH_SCALE="w1,w2,n2" by default); each steps N up (BENCH_STEPS,
 * default "25,50,75,100,150,200,250,300") until loss reaches 1 %, and reports the largest N
 * below 1 % loss for each and the ratios (scaleBench.ts).
 * BENCH_PEERS ("vtp,janus"): Janus (Debian's `janus`) runs after VTP with the same publisher,
 * subscribers and steps (janusBench.ts), and a VTP/Janus table follows; skipped when not installed.
 * BENCH_JANUS_EVENT_LOOPS ("0"): one Janus run per value of its `event_loops` (0: a thread per handle).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createMediaService, type MediaService } from "../index.js";
import { recordRtp, type DumpPacket } from "./rtpDump.js";
import { measureSrtpFloor, type SrtpFloor } from "./srtpFloor.js";
import { URI_AUDIO_LEVEL } from "../rtp/audioLevel.js";
import { measureTalkMeter } from "./measure.js";
import { whileMediaBusy } from "./busyRetry.js";
import { Publisher, Subscriber } from "./benchPeers.js";
import { required } from "./required.js";
import { LatencyProbe, runSteps, type StepResult } from "./sfuSteps.js";
import { runJanus, sideBySide } from "./janusBench.js";
import { EVENT_LOOPS, JANUS_BIN, janusVersion } from "./janusServer.js";

const STEPS = (process.env.BENCH_STEPS ?? "10,50,100,200").split(",").map(Number);
const PATHS = (process.env.BENCH_PATHS ?? "werift,fast").split(",") as ("werift" | "fast")[];
const SECRET = "bench-secret-0123456789abcdef";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../../../..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const AUDIO_ONLY = process.env.BENCH_AUDIO_ONLY === "1";
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;
/** Which SFUs run: "vtp", "janus" (Janus is skipped with a message when its binary is absent). */
const PEERS = (process.env.BENCH_PEERS ?? "vtp,janus").split(",");

/** How the SFU runs: worker threads per media node, and media nodes (separate processes). */
export interface SfuShape {
  workers: number;
  nodes: number;
}

async function startSfu(fast: boolean, root: string, workers = 1, index = 0): Promise<{ url: string; child: ChildProcess }> {
  const nodeArgs = (process.env.BENCH_SFU_NODE_ARGS ?? "").split(" ").filter(Boolean); // e.g. --cpu-prof
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(root, "apps/server/src/media/bench/sfuServer.ts")], {
    env: {
      ...process.env,
      MEDIA_SECRET: SECRET,
      MEDIA_WORKERS: String(workers),
      MEDIA_SPREAD_THRESHOLD: "0",
      MEDIA_FAST_PATH: fast ? "1" : "0",
      RTC_MIN_PORT: String(45000 + index * 2000),
      RTC_MAX_PORT: String(46999 + index * 2000),
      MEDIA_INACTIVITY_TIMEOUT_MS: "600000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    required(child.stdout, "the SFU's stdout").on("data", (chunk: Buffer) => {
      out += chunk;
      const match = /MEDIA_NODE_URL=(\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`SFU exited ${code}`)));
  });
  return { url, child };
}

export async function runPath(
  fast: boolean,
  dump: DumpPacket[],
  floor: SrtpFloor,
  variant: { label: string; root: string },
  shape: SfuShape = { workers: 1, nodes: 1 },
  opts: { steps?: number[]; stopAtLossPct?: number } = {},
): Promise<StepResult[]> {
  const label = `${variant.label ? `${variant.label} ` : ""}${fast ? "fast" : "werift"}${AUDIO_ONLY ? " audio" : ""}`;
  const sfus = await Promise.all(Array.from({ length: shape.nodes }, (_, i) => startSfu(fast, variant.root, shape.workers, i)));
  const pids = sfus.map((s) => required(s.child.pid, "the SFU's pid"));
  // More than one node: later subscribers go to the least-loaded node (the publisher's piped there).
  const media: MediaService = await createMediaService({ nodes: sfus.map((s) => s.url), secret: SECRET, env: { MEDIA_SPREAD_THRESHOLD: "0" } });
  const roomId = "bench";
  const pub = new Publisher(dump, AUDIO_ONLY);
  await media.joinPeer(roomId, "pub", "pub");
  const sendT = (await media.createTransport(roomId, "pub", "send")).transportId;
  await pub.pc.setLocalDescription(await pub.pc.createOffer());
  const offered = new RegExp(`a=extmap:(\\d+) ${URI_AUDIO_LEVEL}`).exec(required(pub.pc.localDescription, "the publisher's offer").sdp);
  pub.levelId = offered ? Number(offered[1]) : 0;
  const ans = await media.connectTransport(roomId, "pub", sendT, { type: "offer", sdp: required(pub.pc.localDescription, "the publisher's offer").sdp });
  await pub.pc.setRemoteDescription(required(ans.answer, "the SFU's answer"));
  const transceivers = pub.pc.getTransceivers();
  const vt = transceivers.find((t) => t.kind === "video");
  const at = required(
    transceivers.find((t) => t.kind === "audio"),
    "the audio transceiver",
  );
  const videoId = vt
    ? (await media.produce(roomId, "pub", { transportId: sendT, kind: "video", source: "camera", mid: required(vt.mid, "the video mid") })).producerId
    : undefined;
  const audioId = (await media.produce(roomId, "pub", { transportId: sendT, kind: "audio", source: "microphone", mid: required(at.mid, "the audio mid") }))
    .producerId;
  while (pub.pc.connectionState !== "connected") await sleep(50);
  pub.start();

  const latency = new LatencyProbe(pub);
  const subs: Subscriber[] = [];
  const addSubscriber = async () => {
    const id = `sub${subs.length}`;
    const sub = new Subscriber(latency.onRtp);
    await media.joinPeer(roomId, id, id);
    const recvT = (await media.createTransport(roomId, id, "recv")).transportId;
    for (const producerId of videoId ? [videoId, audioId] : [audioId]) {
      const consumed = await whileMediaBusy(() => media.consume(roomId, id, { producerId, transportId: recvT }), { deadlineMs: 60_000 });
      await sub.pc.setRemoteDescription(consumed.offer);
      await sub.pc.setLocalDescription(await sub.pc.createAnswer());
      const answer = required(sub.pc.localDescription, "the subscriber's answer").sdp;
      await whileMediaBusy(() => media.connectTransport(roomId, id, recvT, { type: "answer", sdp: answer }), { deadlineMs: 60_000 });
    }
    while (sub.pc.connectionState !== "connected") await sleep(20);
    if (latency.videoPt < 0 && videoId)
      latency.videoPt = required(
        sub.pc.getTransceivers().find((t) => t.kind === "video"),
        "the video transceiver",
      ).codecs[0].payloadType;
    sub.tap();
    subs.push(sub);
  };
  const forwarded = async () => (await media.stats()).packetsForwarded;
  const results = await runSteps({ label, pids, pub, subs, addSubscriber, forwarded, latency, floorUs: floor.weriftEncryptUs }, opts.steps ?? STEPS, opts);
  pub.stop();
  for (const s of subs) await s.pc.close().catch(() => {});
  await pub.pc.close().catch(() => {});
  await media.close();
  for (const { child } of sfus) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  return results;
}

export function markdown(floor: SrtpFloor, results: StepResult[], dump: DumpPacket[]): string {
  const cpu = os.cpus()[0];
  const video = dump.filter((p) => p.kind === "video");
  const lines = [
    `Run: ${new Date().toISOString()} — ${os.cpus().length} × ${cpu?.model ?? "?"}, ${(os.totalmem() / 1e9).toFixed(1)} GB, Node ${process.version}, ${os.type()} ${os.release()}`,
    `Source: FFmpeg VP8 640x360 30 fps ~1 Mbps (${video.length} packets, mean ${Math.round(video.reduce((a, p) => a + p.data.length, 0) / video.length)} B) + Opus 48 kb/s, replayed by one werift publisher; SFU = media node process, 1 worker thread; subscribers = werift peer connections in the bench process (RTP counted at the socket).`,
    "",
    `SRTP floor (same run, ${floor.bytes}-byte payload): werift SrtpSession.encrypt AEAD_AES_128_GCM **${floor.weriftEncryptUs.toFixed(2)} µs**; fast-path sealRtp GCM ${floor.sealGcmUs.toFixed(2)} µs; werift RtpPacket.deSerialize+serialize ${floor.reserializeUs.toFixed(2)} µs.`,
    "",
    "| path | N | pub pkt/s | fwd pkt/s | SFU CPU % | µs/fwd pkt (user+sys) | marginal µs/fwd | µs/received pkt | × floor | loss % | p50 ms | p99 ms | SFU RSS MB | RSS/sub KB | bench client CPU % |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.map((r) =>
      r.failed
        ? `| ${r.path} | ${r.subscribers} | ${r.failed} |||||||||||| `
        : `| ${r.path} | ${r.subscribers} | ${r.publishedPps} | ${r.forwardedPps} | ${r.sfuCpuPct} | ${r.usPerForwarded === null ? "—" : `${r.usPerForwarded} (${r.usUserPerForwarded}+${r.usSysPerForwarded})`} | ${r.marginalUsPerForwarded ?? "—"} | ${r.usPerPublished} | ${r.ratioToFloor ?? "—"} | ${r.lossPct} | ${r.latencyP50Ms ?? "—"} | ${r.latencyP99Ms ?? "—"} | ${r.sfuRssMB} | ${r.rssPerSubscriberKB} | ${r.benchClientCpuPct} |`,
    ),
  ];
  return lines.join("\n");
}

export async function runSfuBench(): Promise<void> {
  if (process.env.BENCH_MODE === "scale") {
    const { runScaleBench } = await import("./scaleBench.js");
    return runScaleBench();
  }
  console.error("recording VP8 + Opus RTP with FFmpeg ...");
  const dump = await recordRtp(6);
  const videoSizes = dump.filter((p) => p.kind === "video").map((p) => p.data.length - 12);
  const floor = measureSrtpFloor(Math.round(videoSizes.reduce((a, b) => a + b, 0) / videoSizes.length));
  console.error(`SRTP floor: ${JSON.stringify(floor)}`);
  if (AUDIO_ONLY) console.log(`Talk meter alone (audioLevelOf + TalkMeter.onPacket, in-process): ${measureTalkMeter().toFixed(1)} ns per received packet`);
  const results: StepResult[] = [];
  const variants = BASELINE_ROOT
    ? [
        { label: "baseline", root: BASELINE_ROOT },
        { label: "new", root: ROOT },
      ]
    : [{ label: "", root: ROOT }];
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  if (PEERS.includes("vtp")) for (const p of PATHS) for (const variant of variants) results.push(...(await runPath(p === "fast", dump, floor, variant)));
  const janus = PEERS.includes("janus") ? janusVersion() : null;
  if (PEERS.includes("janus") && !janus) console.error(`Janus skipped: ${JANUS_BIN} not found (apt-get install janus), VTP only`);
  if (janus) for (const loops of EVENT_LOOPS) results.push(...(await runJanus(dump, floor, STEPS, AUDIO_ONLY, loops)));
  const md = [`Load average at start: ${load}${janus ? `; Janus ${janus}` : ""}`, markdown(floor, results, dump), "", sideBySide(results)].join("\n");
  const out = process.env.BENCH_OUT ?? path.join(ROOT, "test-artifacts", `bench-sfu-${Date.now()}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ loadAverage: load, janus, floor, results, sideBySide: sideBySide(results) }, null, 2));
  console.log(md);
  console.error(`results: ${out}`);
}
