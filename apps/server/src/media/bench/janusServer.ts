/**
 * Janus (C, Debian's `janus` package) as the comparison SFU of the SFU bench: started from a
 * generated config in a temp dir (videoroom plugin + plain HTTP transport on 127.0.0.1 only, no
 * event handlers or loggers, ICE on loopback only, no IPv6, no STUN), and a client of its HTTP
 * REST API (session, plugin handles, long-polled events, keepalives).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { required } from "./required.js";

export const JANUS_BIN = process.env.BENCH_JANUS_BIN ?? "/usr/bin/janus";
const LIB = "/usr/lib/x86_64-linux-gnu/janus";
/**
 * BENCH_JANUS_EVENT_LOOPS: Janus's `event_loops` (shared media loop threads), one Janus run per
 * value, e.g. "0,2"; 0 = its default, one thread per handle.
 */
export const EVENT_LOOPS = (process.env.BENCH_JANUS_EVENT_LOOPS ?? "0").split(",").map(Number);

/** Janus's version line ("1.1.2"), or null when the binary is absent. */
export function janusVersion(): string | null {
  if (!fs.existsSync(JANUS_BIN)) return null;
  const out = spawnSync(JANUS_BIN, ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /Janus version: \d+ \(([^)]+)\)/.exec(out)?.[1] ?? "unknown";
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface JanusProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts Janus with only the videoroom plugin and the HTTP transport; resolves once HTTP answers. */
export async function startJanus(eventLoops: number, rtpPorts = "47000-49999"): Promise<JanusProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vtp-janus-"));
  for (const sub of ["plugins", "transports", "events", "loggers"]) fs.mkdirSync(path.join(dir, sub));
  // Only these two libraries are visible to Janus: no other plugin or transport can load.
  fs.symlinkSync(path.join(LIB, "plugins/libjanus_videoroom.so"), path.join(dir, "plugins/libjanus_videoroom.so"));
  fs.symlinkSync(path.join(LIB, "transports/libjanus_http.so"), path.join(dir, "transports/libjanus_http.so"));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, "janus.jcfg"),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 3
  session_timeout = 0${eventLoops ? `\n  event_loops = ${eventLoops}` : ""}
}
certificates: {}
media: {
  ipv6 = false
  rtp_port_range = "${rtpPorts}"
}
nat: {
  nice_debug = false
  ice_enforce_list = "lo"
}
plugins: {}
transports: {}
loggers: {}
events: { broadcast = false }
`,
  );
  fs.writeFileSync(
    path.join(dir, "janus.transport.http.jcfg"),
    `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${port}
  ip = "127.0.0.1"
  https = false
}
admin: { admin_http = false admin_https = false }
cors: {}
`,
  );
  fs.writeFileSync(path.join(dir, "janus.plugin.videoroom.jcfg"), "general: {}\n");
  const child: ChildProcess = spawn(JANUS_BIN, ["-F", dir, "-C", path.join(dir, "janus.jcfg")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log = (log + chunk).slice(-20000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk).slice(-20000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/janus`;
  const deadline = Date.now() + 20_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`janus exited ${child.exitCode}:\n${log}`);
    const ok = await fetch(`${url}/info`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`janus did not answer on ${url} within 20 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: required(child.pid, "janus's pid"),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killed = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(killed);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface JanusEvent {
  janus: string;
  transaction?: string;
  sender?: number;
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: "offer" | "answer"; sdp: string };
  error?: { code: number; reason: string };
}

/** One Janus session over HTTP: requests, plugin messages answered through the long poll. */
export class JanusSession {
  #next = 0;
  #waiting = new Map<string, { resolve: (e: JanusEvent) => void; reject: (e: Error) => void }>();
  #closed = false;
  #keepalive: NodeJS.Timeout | undefined;

  private constructor(
    private readonly base: string,
    readonly id: number,
  ) {}

  static async create(url: string): Promise<JanusSession> {
    const created = await post(url, { janus: "create", transaction: "create" });
    const session = new JanusSession(url, (created as { data: { id: number } }).data.id);
    void session.#poll();
    session.#keepalive = setInterval(() => {
      post(`${url}/${session.id}`, { janus: "keepalive", transaction: "ka" }).catch(() => {});
    }, 25_000);
    return session;
  }

  async attach(plugin: string): Promise<number> {
    const res = await post(`${this.base}/${this.id}`, { janus: "attach", plugin, transaction: `t${this.#next++}` });
    return (res as { data: { id: number } }).data.id;
  }

  /** A plugin message whose answer is the asynchronous event (with its jsep) for the same transaction. */
  async message(handle: number, body: Record<string, unknown>, jsep?: Record<string, unknown>): Promise<JanusEvent> {
    const transaction = `t${this.#next++}`;
    const event = new Promise<JanusEvent>((resolve, reject) => this.#waiting.set(transaction, { resolve, reject }));
    const res = (await post(`${this.base}/${this.id}/${handle}`, { janus: "message", transaction, body, ...(jsep ? { jsep } : {}) })) as JanusEvent;
    if (res.janus === "success") {
      this.#waiting.delete(transaction);
      return res; // synchronous requests (create room) answer directly
    }
    const answered = await event;
    const data = answered.plugindata?.data;
    if (data?.error) throw new Error(`janus: ${String(data.error)} (${String(data.error_code)})`);
    return answered;
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let events: JanusEvent[];
      try {
        const res = await fetch(`${this.base}/${this.id}?maxev=50&rid=${Date.now()}`);
        const body = (await res.json()) as JanusEvent | JanusEvent[];
        events = Array.isArray(body) ? body : [body];
      } catch (err) {
        if (!this.#closed) for (const w of this.#waiting.values()) w.reject(err as Error);
        return;
      }
      for (const event of events) {
        const waiting = event.transaction ? this.#waiting.get(event.transaction) : undefined;
        if (waiting && event.janus === "event") {
          this.#waiting.delete(required(event.transaction, "a transaction"));
          waiting.resolve(event);
        }
      }
    }
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#keepalive);
    await post(`${this.base}/${this.id}`, { janus: "destroy", transaction: "destroy" }).catch(() => {});
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as JanusEvent;
  if (json.janus === "error") throw new Error(`janus ${String(body.janus)}: ${json.error?.reason} (${json.error?.code})`);
  return json;
}
