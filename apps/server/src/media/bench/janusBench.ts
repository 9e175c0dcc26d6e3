/**
 * The Janus side of `npm run bench:sfu` (BENCH_PEERS=vtp,janus): the same werift publisher (same
 * recorded VP8 + Opus loop) into a Janus videoroom, the same socket-counting werift subscribers,
 * the same steps and windows (sfuSteps.ts); Janus's forwarded packets are those counted at the
 * subscribers' sockets. Then a side-by-side table, VTP/Janus ratios per step.
 */
import type { DumpPacket } from "./rtpDump.js";
import type { SrtpFloor } from "./srtpFloor.js";
import { URI_AUDIO_LEVEL } from "../rtp/audioLevel.js";
import { Publisher, Subscriber } from "./benchPeers.js";
import { JanusSession, startJanus } from "./janusServer.js";
import { required } from "./required.js";
import { runSteps, type StepResult } from "./sfuSteps.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ROOM = 4242;
const PLUGIN = "janus.plugin.videoroom";

async function connected(pc: Publisher["pc"], what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (pc.connectionState !== "connected") {
    if (Date.now() > deadline || pc.connectionState === "failed") throw new Error(`${what}: ${pc.connectionState} after 30 s`);
    await sleep(20);
  }
}

/** One Janus run; `eventLoops`: its `event_loops` setting (0 = default, a thread per handle). */
export async function runJanus(dump: DumpPacket[], floor: SrtpFloor, steps: number[], audioOnly: boolean, eventLoops: number): Promise<StepResult[]> {
  const janus = await startJanus(eventLoops);
  const session = await JanusSession.create(janus.url);
  const pub = new Publisher(dump, audioOnly);
  const subs: Subscriber[] = [];
  try {
    const pubHandle = await session.attach(PLUGIN);
    await session.message(pubHandle, { request: "create", room: ROOM, publishers: 1, bitrate: 2_000_000, videocodec: "vp8", audiocodec: "opus" });
    await pub.pc.setLocalDescription(await pub.pc.createOffer());
    const offer = required(pub.pc.localDescription, "the publisher's offer").sdp;
    const offered = new RegExp(`a=extmap:(\\d+) ${URI_AUDIO_LEVEL}`).exec(offer);
    pub.levelId = offered ? Number(offered[1]) : 0;
    const joined = await session.message(
      pubHandle,
      { request: "joinandconfigure", room: ROOM, ptype: "publisher", display: "pub", audio: true, video: !audioOnly },
      { type: "offer", sdp: offer, trickle: false },
    );
    const feed = required(joined.plugindata?.data.id as number | undefined, "the publisher's id in Janus");
    await pub.pc.setRemoteDescription(required(joined.jsep, "Janus's answer"));
    await connected(pub.pc, "publisher → Janus");
    pub.start();

    const addSubscriber = async () => {
      const sub = new Subscriber(() => {});
      const handle = await session.attach(PLUGIN);
      const offered = await session.message(handle, { request: "join", room: ROOM, ptype: "subscriber", streams: [{ feed }] });
      await sub.pc.setRemoteDescription(required(offered.jsep, "Janus's offer"));
      await sub.pc.setLocalDescription(await sub.pc.createAnswer());
      const answer = required(sub.pc.localDescription, "the subscriber's answer").sdp;
      await session.message(handle, { request: "start", room: ROOM }, { type: "answer", sdp: answer, trickle: false });
      await connected(sub.pc, `subscriber ${subs.length + 1} ← Janus`);
      sub.tap();
      subs.push(sub);
    };
    return await runSteps(
      {
        label: `janus${eventLoops ? ` ${eventLoops} loops` : ""}${audioOnly ? " audio" : ""}`,
        pids: [janus.pid],
        pub,
        subs,
        addSubscriber,
        forwarded: async () => null, // Janus has no counter here: the subscribers' sockets count
        latency: null, // Janus rewrites sequence numbers per subscriber
        floorUs: floor.weriftEncryptUs,
      },
      steps,
    );
  } finally {
    pub.stop();
    for (const s of subs) await s.pc.close().catch(() => {});
    await pub.pc.close().catch(() => {});
    await session.destroy();
    await janus.stop();
  }
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b !== 0 ? (a / b).toFixed(2) : "—");

/** VTP next to Janus for each step of the same run: cost per forwarded packet and memory per subscriber, VTP/Janus. */
export function sideBySide(results: StepResult[]): string {
  const janus = results.filter((r) => r.path.startsWith("janus"));
  const vtp = results.filter((r) => !r.path.startsWith("janus"));
  if (!janus.length || !vtp.length) return "";
  const lines = [
    "VTP vs Janus, same run, same publisher and subscribers (Janus: videoroom, forwarded = counted at the subscribers' sockets):",
    "",
    "| N | VTP path vs Janus | fwd pkt/s VTP / Janus | µs/fwd pkt VTP | µs/fwd pkt Janus | **VTP/Janus** | marginal µs VTP / Janus | ratio | RSS/sub KB VTP | RSS/sub KB Janus | **VTP/Janus** | loss % VTP / Janus |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const paths = [...new Set(vtp.map((r) => r.path))];
  for (const jp of [...new Set(janus.map((r) => r.path))])
    for (const p of paths)
      lines.push(
        ...block(
          p,
          jp,
          vtp.filter((r) => r.path === p),
          janus.filter((r) => r.path === jp),
        ),
      );
  return lines.join("\n");
}

function block(p: string, jp: string, vtp: StepResult[], janus: StepResult[]): string[] {
  const idle = (r: StepResult | undefined) => (r ? `${r.sfuCpuPct} % CPU, ${r.sfuRssMB} MB` : "—");
  const j0 = janus.find((r) => r.subscribers === 0);
  const v0 = vtp.find((r) => r.subscribers === 0);
  const lines = [`| 0 (publisher only) | ${p} vs ${jp} | idle: VTP ${idle(v0)} / Janus ${idle(j0)} | | | | | | | | | |`];
  for (const v of vtp.filter((r) => r.subscribers > 0)) {
    const j = janus.find((r) => r.subscribers === v.subscribers);
    if (!j || v.failed || j.failed) {
      lines.push(`| ${v.subscribers} | ${p} vs ${jp} | ${v.failed ?? ""} ${j?.failed ?? (j ? "" : "Janus: not reached")} | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${v.subscribers} | ${p} vs ${jp} | ${v.forwardedPps} / ${j.forwardedPps} | ${v.usPerForwarded} (${v.usUserPerForwarded}+${v.usSysPerForwarded}) | ${j.usPerForwarded} (${j.usUserPerForwarded}+${j.usSysPerForwarded}) | **${ratio(v.usPerForwarded, j.usPerForwarded)}** | ${v.marginalUsPerForwarded} / ${j.marginalUsPerForwarded} | ${ratio(v.marginalUsPerForwarded, j.marginalUsPerForwarded)} | ${v.rssPerSubscriberKB} | ${j.rssPerSubscriberKB} | **${ratio(v.rssPerSubscriberKB, j.rssPerSubscriberKB)}** | ${v.lossPct} / ${j.lossPct} |`,
    );
  }
  return lines;
}
