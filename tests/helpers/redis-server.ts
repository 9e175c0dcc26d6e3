import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./process.js";

/**
 * A private `redis-server` on a free port, without persistence, that a test can kill and
 * start again (it comes back empty, like a restarted Redis without a dump). Never the
 * machine's Redis.
 */
export class PrivateRedis {
  private proc?: ChildProcess;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) and waits until it answers PING. */
  async up(): Promise<void> {
    this.proc = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    try {
      for (let i = 0; i < 200; i++) {
        try {
          if (probe.status !== "ready") await probe.connect().catch(() => {});
          if ((await probe.ping()) === "PONG") return;
        } catch {
          /* not up yet */
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error("private redis-server did not start");
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: every connection drops and nothing is kept. */
  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  }
}
