import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A network namespace of the test's own, joined to this machine's namespace by a veth pair, with
 * `tc` shaping on the link (docs/MEDIA.md, "Poor networks"). Everything is named uniquely and
 * removed by `destroy` (deleting the namespace removes the veth pair with it). Needs root and
 * iproute2 (`ip`, `tc`).
 */
export interface NetLab {
  /** The namespace's name (`ip netns exec <name> …`). */
  namespace: string;
  /** This machine's end of the link, the address the server's RTC side listens on. */
  hostIp: string;
  /** The namespace's end of the link. */
  labIp: string;
  /** An executable that runs Chromium inside the namespace (for playwright-core's executablePath). */
  chromiumWrapper: string;
  /**
   * Traffic towards the namespace: `rateKbit` (tbf), `delayMs` and `lossPercent` (netem, when the
   * kernel has it). Returns what was applied: "netem+tbf", or "tbf" alone.
   */
  limit(options: { rateKbit: number; delayMs: number; lossPercent: number }): "netem+tbf" | "tbf";
  /** Lifts every limit on the link. */
  unlimit(): void;
  destroy(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

/** Why the lab cannot be built here (not root, no iproute2), or false. */
export function netLabMissing(): string | false {
  if (process.getuid?.() !== 0) return "network namespaces need root";
  try {
    run("ip", ["-V"]);
    run("tc", ["-V"]);
  } catch {
    return "iproute2 (ip, tc) is not installed";
  }
  return false;
}

/** A /30 in 10.0.0.0/8 that no interface of this machine uses. */
function freeSubnet(): [string, string] {
  const used = run("ip", ["-4", "-o", "addr"]);
  for (let i = 0; i < 50; i++) {
    const [second, third] = randomBytes(2);
    const base = `10.${200 + (second % 50)}.${third}.`;
    if (!used.includes(` ${base}`)) return [`${base}1`, `${base}2`];
  }
  throw new Error("no free 10.x.y.0/30 for the test's veth pair");
}

export function createNetLab(chromium: string): NetLab {
  const tag = randomBytes(3).toString("hex");
  const namespace = `vtpq-${tag}`;
  const hostSide = `vq${tag}h`;
  const labSide = `vq${tag}n`;
  const [hostIp, labIp] = freeSubnet();
  const dir = mkdtempSync(path.join(tmpdir(), "vtp-netlab-"));
  const chromiumWrapper = path.join(dir, "chromium-in-netns");
  let built = false;
  const lab: NetLab = {
    namespace,
    hostIp,
    labIp,
    chromiumWrapper,
    limit({ rateKbit, delayMs, lossPercent }) {
      lab.unlimit();
      const tbf = ["tbf", "rate", `${rateKbit}kbit`, "burst", "8kb", "latency", "300ms"];
      try {
        run("tc", ["qdisc", "add", "dev", hostSide, "root", "handle", "1:", "netem", "delay", `${delayMs}ms`, "loss", `${lossPercent}%`]);
        run("tc", ["qdisc", "add", "dev", hostSide, "parent", "1:1", "handle", "10:", ...tbf]);
        return "netem+tbf";
      } catch (err) {
        // A kernel without sch_netem (some VMs and containers): the bottleneck alone, whose full
        // queue still drops packets and delays the rest (real loss and delay, not random ones).
        if (!String((err as { stderr?: Buffer }).stderr ?? err).includes("unknown")) throw err;
        lab.unlimit();
        run("tc", ["qdisc", "add", "dev", hostSide, "root", "handle", "1:", ...tbf]);
        return "tbf";
      }
    },
    unlimit() {
      try {
        run("tc", ["qdisc", "del", "dev", hostSide, "root"]);
      } catch {
        /* no limit set */
      }
    },
    destroy() {
      if (built) {
        try {
          run("ip", ["netns", "del", namespace]);
        } catch {
          /* already gone */
        }
        try {
          run("ip", ["link", "del", hostSide]);
        } catch {
          /* went with the namespace */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    built = true;
    run("ip", ["netns", "add", namespace]);
    run("ip", ["link", "add", hostSide, "type", "veth", "peer", "name", labSide]);
    run("ip", ["link", "set", labSide, "netns", namespace]);
    run("ip", ["addr", "add", `${hostIp}/30`, "dev", hostSide]);
    run("ip", ["link", "set", hostSide, "up"]);
    run("ip", ["netns", "exec", namespace, "ip", "addr", "add", `${labIp}/30`, "dev", labSide]);
    run("ip", ["netns", "exec", namespace, "ip", "link", "set", labSide, "up"]);
    run("ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"]);
    writeFileSync(chromiumWrapper, `#!/bin/sh\nexec ip netns exec ${namespace} ${chromium} "$@"\n`);
    chmodSync(chromiumWrapper, 0o755);
  } catch (err) {
    lab.destroy();
    throw err;
  }
  return lab;
}
