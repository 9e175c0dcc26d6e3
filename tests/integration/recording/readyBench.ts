/**
 * `npm run bench:recording-ready` (docs/BENCHMARKS.md "Recordings ready at once"): seconds from
 * Stop to "ready" as the host sees it (the recording's status through the REST API), and the CPU
 * the composition takes during the class. A real app server (createTestApp: PGlite, local
 * storage, the in-process worker) records a class fed by FFmpeg's RTP: a 1280×720 VP8 camera,
 * an Opus microphone and a 1280×720 screen share during the middle third of the class. Each
 * class length runs with composing during the class (the default) and, where asked, with
 * RECORDING_COMPOSE_LIVE=false (the after-class pass alone).
 * CPU during the class: the CPU of this process's finished children (`/proc/self/stat` cutime +
 * cstime: the window composers and the board; the capture and source FFmpegs, the same in both
 * modes, are still running and not counted, nor is the small AAC encoder) per second of class, as
 * a share of one core.
 * Env: BENCH_READY_SECONDS ("60,600": class lengths), BENCH_AFTER_CLASS_SECONDS ("60": lengths
 * also run without composing during the class). Run it alone (it is the machine's load).
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createTestApp, signUp } from "../../helpers/app.js";
import { liveRoom } from "../../helpers/rooms.js";
import { waitProcessed } from "./wait.js";
import { FfmpegRtpSource } from "./rtp-source.js";

const LENGTHS = (process.env.BENCH_READY_SECONDS ?? "60,600").split(",").map(Number);
const AFTER_CLASS = new Set((process.env.BENCH_AFTER_CLASS_SECONDS ?? "60").split(",").map(Number));
const TICKS = 100; // USER_HZ
/** A benchmark measures over fixed spans of time (a test never does). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds of this process's children that have ended (fields 16 and 17 of /proc/self/stat). */
function childrenCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

async function oneClass(seconds: number, composeLive: boolean) {
  const testApp = await createTestApp({ RECORDING_COMPOSE_LIVE: String(composeLive) });
  const teacher = await signUp(testApp, { role: "teacher" });
  const roomId = await liveRoom(testApp, teacher.user.id, "Lecture");
  const source = new FfmpegRtpSource(teacher.user.id);
  testApp.app.recording.service.setSourceFactory(async () => source);
  try {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: teacher.auth, payload: { roomId } });
    const id = res.json().recording.id as string;
    const cpu0 = childrenCpu();
    const started = performance.now();
    await source.addTrack("cam", "video", "camera", { size: "1280x720" });
    await source.addTrack("mic", "audio", "microphone");
    await sleep((seconds * 1000) / 3);
    const endShare = await source.addTrack("screen", "video", "screen", { size: "1280x720", screen: true });
    await sleep((seconds * 1000) / 3);
    await endShare();
    await sleep(Math.max(0, seconds * 1000 - (performance.now() - started)));
    const classCpu = childrenCpu() - cpu0;
    const classS = (performance.now() - started) / 1000;
    await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${id}/stop`, headers: teacher.auth });
    const stopped = performance.now();
    const rec = await waitProcessed(testApp, id, teacher.auth, 20_000);
    const readyS = (performance.now() - stopped) / 1000;
    return { seconds, composeLive, status: rec.status, durationS: rec.durationSeconds, readyS, cpuShare: classCpu / classS, load: loadavg()[0] };
  } finally {
    await source.stop();
    await testApp.close();
  }
}

const rows: Awaited<ReturnType<typeof oneClass>>[] = [];
for (const seconds of LENGTHS) {
  for (const composeLive of AFTER_CLASS.has(seconds) ? [true, false] : [true]) {
    const row = await oneClass(seconds, composeLive);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
console.log("\n| class | composed | Stop → ready | CPU during the class (share of a core, finished children) | status | load |");
console.log("|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.seconds} s | ${r.composeLive ? "during the class" : "after class"} | ${r.readyS.toFixed(1)} s | ${(r.cpuShare * 100).toFixed(0)} % | ${r.status} (${r.durationS} s) | ${r.load.toFixed(1)} |`,
  );
process.exit(0);
