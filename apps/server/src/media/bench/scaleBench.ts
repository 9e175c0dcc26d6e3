/**
 * `BENCH_MODE=scale npm run bench:sfu`: one publisher → N subscribers over more CPU, measured in
 * one run with the fast path: one media worker, two workers (MEDIA_WORKERS=2, subscribers spread
 * over both, the publisher's producers piped to the second), two media nodes of one worker each.
 * For each: the largest N whose window lost < 1 % of the packets at the subscribers' sockets.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { recordRtp } from "./rtpDump.js";
import { measureSrtpFloor } from "./srtpFloor.js";
import { markdown, runPath, type SfuShape } from "./sfuBench.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../../../..");
const SHAPES: Record<string, SfuShape & { label: string }> = {
  w1: { workers: 1, nodes: 1, label: "1 worker" },
  w2: { workers: 2, nodes: 1, label: "2 workers" },
  n2: { workers: 1, nodes: 2, label: "2 nodes × 1 worker" },
};
const MAX_LOSS_PCT = 1;

export async function runScaleBench(): Promise<void> {
  const steps = (process.env.BENCH_STEPS ?? "25,50,75,100,150,200,250,300").split(",").map(Number);
  const shapes = (process.env.BENCH_SCALE ?? "w1,w2,n2").split(",").map((key) => {
    const shape = SHAPES[key];
    if (!shape) throw new Error(`BENCH_SCALE: unknown ${key} (w1, w2, n2)`);
    return { key, ...shape };
  });
  console.error("recording VP8 + Opus RTP with FFmpeg ...");
  const dump = await recordRtp(6);
  const videoSizes = dump.filter((p) => p.kind === "video").map((p) => p.data.length - 12);
  const floor = measureSrtpFloor(Math.round(videoSizes.reduce((a, b) => a + b, 0) / videoSizes.length));
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const summary: { key: string; label: string; reached: number; firstLossy?: number }[] = [];
  const all = [];
  for (const shape of shapes) {
    const results = await runPath(true, dump, floor, { label: shape.label, root: ROOT }, shape, { steps, stopAtLossPct: MAX_LOSS_PCT });
    all.push(...results);
    const good = results.filter((r) => !r.failed && r.subscribers > 0 && r.lossPct < MAX_LOSS_PCT);
    const lossy = results.find((r) => r.failed || r.lossPct >= MAX_LOSS_PCT);
    summary.push({
      key: shape.key,
      label: shape.label,
      reached: good.length ? Math.max(...good.map((r) => r.subscribers)) : 0,
      firstLossy: lossy?.subscribers,
    });
  }
  const base = summary.find((s) => s.key === "w1")?.reached ?? 0;
  const lines = [
    `Scale run ${new Date().toISOString()}, load average before it ${load}; steps ${steps.join(", ")}; < ${MAX_LOSS_PCT} % loss`,
    "",
    "| SFU | N reached at < 1 % loss | first step not reached (≥ 1 % loss, or a joiner not admitted) | × 1 worker |",
    "| --- | --- | --- | --- |",
    ...summary.map(
      (s) =>
        `| ${s.label} | ${s.reached}${s.firstLossy === undefined ? " (every step)" : ""} | ${s.firstLossy ?? "—"} | ${base ? (s.reached / base).toFixed(2) : "—"} |`,
    ),
    "",
    markdown(floor, all, dump),
  ];
  const out = process.env.BENCH_OUT ?? path.join(ROOT, "test-artifacts", `bench-sfu-scale-${Date.now()}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ floor, summary, results: all }, null, 2));
  console.log(lines.join("\n"));
  console.error(`results: ${out}`);
}
