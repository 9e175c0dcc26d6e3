import fs from "node:fs";
import { audioLevelOf, TalkMeter } from "../rtp/audioLevel.js";

/** What the SFU bench reads of a process (/proc) and the talk meter's own cost. */

export function procCpu(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: (Number(fields[11]) * 1e6) / 100, sys: (Number(fields[12]) * 1e6) / 100 }; // µs, USER_HZ = 100
}
/** The CPU of several processes together (µs). */
export function procsCpu(pids: number[]): { user: number; sys: number } {
  return pids.map(procCpu).reduce((a, b) => ({ user: a.user + b.user, sys: a.sys + b.sys }), { user: 0, sys: 0 });
}
export function procCpuMicros(pid: number): number {
  const cpu = procCpu(pid);
  return cpu.user + cpu.sys;
}
export function procRssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * The talk-time work of one received packet alone, in this process: find the audio-level
 * extension among werift's parsed extensions (mid, abs-send-time, audio level) and feed the
 * meter; ns per packet over 5 million packets (1 s loud, 1 s quiet).
 */
export function measureTalkMeter(): number {
  const extensions = [
    { id: 1, payload: Buffer.from("0") },
    { id: 2, payload: Buffer.from([1, 2, 3]) },
    { id: 3, payload: Buffer.from([0x80 | 30]) },
  ];
  const quiet = [extensions[0], extensions[1], { id: 3, payload: Buffer.from([0x80 | 127]) }];
  const meter = new TalkMeter();
  const packets = 5_000_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < packets; i++) meter.onPacket(audioLevelOf(Math.floor(i / 50) % 2 === 0 ? extensions : quiet, 3), (i * 960) >>> 0);
  const ns = Number(process.hrtime.bigint() - started) / packets;
  if (meter.totalMs === 0) throw new Error("talk meter bench: nothing counted");
  return ns;
}
