import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../apps/server/src/config/index.js";
import { loggableUrl, prettyLogs } from "../../../apps/server/src/logging.js";
import { freePort, runVtp, startVtp, VTP_BIN, type VtpProcess } from "../../helpers/process.js";
import { decodeMail, tokenFromMail } from "../../helpers/smtp.js";

/**
 * What a person running `vtp start` reads: JSON lines for machines, one readable line per
 * event on a terminal (or with LOG_FORMAT=pretty), health probes only at debug, the outbox's
 * link alone on its line, and no secrets either way.
 */
const servers: VtpProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop("SIGKILL").catch(() => {});
});

async function start(env: Record<string, string>): Promise<VtpProcess> {
  const server = await startVtp({ VTP_MEDIA: "off", ...env });
  servers.push(server);
  return server;
}

/** Waits until the server's output holds a line matching `re` (logs are written as events happen). */
async function waitForLine(server: VtpProcess, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = server
      .output()
      .split("\n")
      .find((l) => re.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matching ${re} in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function register(server: VtpProcess, email: string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "log test password", fullName: "Lena Logs", role: "student" }),
  });
  return res.status;
}

function outboxToken(server: VtpProcess): string {
  const dir = path.join(server.dataDir, "outbox");
  const file = readdirSync(dir).find((f) => f.endsWith(".eml"))!;
  return tokenFromMail(decodeMail(readFileSync(path.join(dir, file), "utf8")), "/verify-email");
}

describe("logs", () => {
  it("are JSON lines when stdout is not a terminal; health checks only at debug; one line per request", async () => {
    const server = await start({ LOG_LEVEL: "debug" });
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/verify-email?token=secret-looking-token`)).status).toBe(200);
    expect(await register(server, "json@school.test")).toBe(201);
    await waitForLine(server, /POST \/api\/v1\/auth\/register 201/);

    const lines = server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    type LogEntry = {
      level?: number;
      msg?: string;
      req?: { url?: string; method?: string };
      res?: { statusCode?: number };
      responseTime?: unknown;
      outbox?: { to?: string };
      link?: string;
    };
    const entries = lines.map((l) => JSON.parse(l) as LogEntry);
    expect(entries.length).toBeGreaterThan(3);
    const requests = entries.filter((e) => e.req && e.res);
    const health = requests.filter((e) => e.req?.url === "/health" || e.req?.url === "/api/v1/health");
    expect(health.length).toBeGreaterThan(0); // logged…
    expect(health.every((e) => e.level === 20)).toBe(true); // …but only at debug
    const reg = requests.find((e) => e.req?.url === "/api/v1/auth/register")!;
    expect(reg).toMatchObject({ level: 30, req: { method: "POST" }, res: { statusCode: 201 } });
    expect(typeof reg.responseTime).toBe("number");
    expect(reg.msg).toMatch(/^POST \/api\/v1\/auth\/register 201 [\d.]+ ms$/);
    // one line per request: Fastify's "incoming request" line is gone
    expect(requests.filter((e) => e.req?.url === "/api/v1/auth/register")).toHaveLength(1);
    expect(entries.some((e) => e.msg === "incoming request")).toBe(false);

    // capability tokens in URLs are redacted, passwords never appear
    const out = server.output();
    expect(out).not.toContain("secret-looking-token");
    expect(out).toContain("/verify-email?token=[redacted]");
    expect(out).not.toContain("log test password");
    // the outbox mail is a JSON entry with its link (the local way to verify)
    const mail = entries.find((e) => e.outbox?.to === "json@school.test")!;
    expect(mail.link).toBe(`${server.url}/verify-email?token=${outboxToken(server)}`);
  });

  it("are readable lines with LOG_FORMAT=pretty: request on one line, the outbox link alone, health not at info", async () => {
    const server = await start({ LOG_FORMAT: "pretty" });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await register(server, "pretty@school.test")).toBe(201);
    const line = await waitForLine(server, /POST \/api\/v1\/auth\/register 201/);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: POST \/api\/v1\/auth\/register 201 [\d.]+ ms$/);

    const lines = server.output().split("\n");
    expect(lines.filter((l) => l.startsWith("{"))).toEqual([]);
    expect(lines.filter((l) => /\/health\b/.test(l))).toEqual([]);
    const link = `${server.url}/verify-email?token=${outboxToken(server)}`;
    expect(lines).toContain(link); // a line of its own, ready to copy
    const before = lines[lines.indexOf(link) - 1]!;
    expect(before).toMatch(/INFO: outbox: "Verify your email for VTP" to pretty@school\.test .*its link:$/);
    expect(server.output()).not.toContain("log test password");
  });

  it("are readable, coloured lines by default when stdout is a terminal (`npm start` in a shell)", async (ctx) => {
    const hasScript = spawnSync("script", ["--version"]).status === 0;
    if (!hasScript && process.env.CI !== "true") return ctx.skip("util-linux `script` (a pseudo-terminal) is not installed");
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), "vtp-tty-"));
    const pidFile = path.join(dir, "pid");
    // `script` gives the server a pseudo-terminal as stdout; its shell records its pid, then becomes the server.
    const command = `echo $$ > '${pidFile}'; exec '${process.execPath}' '${VTP_BIN}' start`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      VTP_DATA_DIR: dir,
      VTP_MEDIA: "off",
      BCRYPT_COST: "4",
      LOG_LEVEL: "info",
    };
    delete env.LOG_FORMAT;
    delete env.NO_COLOR;
    const tty = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    tty.stdout!.on("data", (chunk) => (out += chunk));
    const exited = new Promise((resolve) => tty.on("exit", resolve));
    const server = { output: () => out } as VtpProcess;
    try {
      // A cold start compiles the server (tsx): on a loaded 2-core machine it once took over 60 s.
      await waitForLine(server, /VTP is running/, 150_000);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/rooms`)).status).toBe(401);
      await waitForLine(server, /GET \/api\/v1\/rooms 401/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colour codes (ESC [ … m) the pretty log writes
      const plain = out.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, "");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the pretty log colours the level with an ANSI code (ESC [ 32 m)
      expect(out).toMatch(/\x1b\[32mINFO/); // coloured level
      expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: GET \/api\/v1\/rooms 401 [\d.]+ ms$/m);
      expect(plain.split("\n").filter((l) => l.startsWith("{"))).toEqual([]);
      expect(plain).not.toMatch(/\/health/);
    } finally {
      const pid = Number(readFileSync(pidFile, "utf8").trim() || 0);
      if (pid) process.kill(pid, "SIGTERM");
      else tty.kill("SIGKILL");
      await exited;
    }
  });

  it("pick pretty only for a terminal unless told; LOG_FORMAT is validated", async () => {
    expect(prettyLogs("auto", true)).toBe(true);
    expect(prettyLogs("auto", false)).toBe(false);
    expect(prettyLogs("json", true)).toBe(false);
    expect(prettyLogs("pretty", false)).toBe(true);

    const env = { VTP_DATA_DIR: "/tmp/unused", JWT_SECRET: "x".repeat(32) };
    expect(loadConfig(env, { persistSecret: false }).logFormat).toBe("auto");
    expect(loadConfig({ ...env, LOG_FORMAT: "json" }, { persistSecret: false }).logFormat).toBe("json");
    expect(loadConfig({ ...env, LOG_FORMAT: "pretty" }, { persistSecret: false }).logFormat).toBe("pretty");
    expect(() => loadConfig({ ...env, LOG_FORMAT: "colour" }, { persistSecret: false })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, LOG_FORMAT: "colour" }, { persistSecret: false })).toThrow(
      /LOG_FORMAT must be one of auto, json, pretty \(got "colour"\)/,
    );

    const bad = await runVtp(["start"], { ...env, HOST: "127.0.0.1", LOG_FORMAT: "colour" }, { killAfterMs: 60_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.code).not.toBeNull();
    expect(bad.stderr).toMatch(/LOG_FORMAT must be one of auto, json, pretty/);
  });

  it("give every socket event a request id: one debug line per event with its outcome (its error lines carry the same id)", async () => {
    const admin = { email: "logs-admin@school.test", password: "log test password 1" };
    const server = await start({ LOG_FORMAT: "json", LOG_LEVEL: "debug", VTP_ADMIN_EMAIL: admin.email, VTP_ADMIN_PASSWORD: admin.password });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(admin),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const socket = io(server.url, { transports: ["websocket"], auth: { token: accessToken }, reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      const ack = await socket.timeout(10_000).emitWithAck("leave-room", { roomId: "00000000-0000-4000-8000-000000000000" });
      expect(ack.ok).toBe(false);
      const line = await waitForLine(server, /"event":"leave-room".*"msg":"socket event"/);
      const entry = JSON.parse(line) as { reqId: string; outcome: string; ms: number; socketId: string };
      expect(entry.reqId).toMatch(/^ev-[0-9a-z]+$/);
      expect(entry.outcome).toBe(ack.error.code);
      expect(entry.socketId).toBe(socket.id);
      expect(typeof entry.ms).toBe("number");
    } finally {
      socket.close();
    }
  });

  it("redacts capability tokens from logged URLs", () => {
    expect(loggableUrl("/verify-email?token=abc&next=%2Fjoin")).toBe("/verify-email?token=[redacted]&next=%2Fjoin");
    expect(loggableUrl("/api/v1/recordings/r1/stream?exp=99&sig=abc")).toBe("/api/v1/recordings/r1/stream?exp=99&sig=[redacted]");
    expect(loggableUrl("/api/v1/shared/recordings/tok123/download")).toBe("/api/v1/shared/recordings/[redacted]/download");
    expect(loggableUrl("/shared/recordings/tok123")).toBe("/shared/recordings/[redacted]");
    expect(loggableUrl("/api/v1/rooms?limit=5")).toBe("/api/v1/rooms?limit=5");
  });
});
