import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { runFfmpeg } from "../../../apps/server/src/recording/ffmpeg.js";
import { startVtp } from "../../helpers/process.js";
import { TestClient } from "../rooms/helpers.js";
import { processedOn, recordAClass, signIn } from "../recording/spawned.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording shutdown test in CI");
if (!hasFfmpeg) console.warn("SKIP recording shutdown test: ffmpeg is not installed (apt-get install ffmpeg)");

/**
 * SIGTERM of the real `vtp start` with clients connected: a well-behaved Socket.IO client and
 * one that never answers (a laptop gone to sleep, a phone out of coverage), which used to keep
 * the server waiting on the WebSocket close handshake until it was killed.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const ADMIN = { email: "stop-admin@school.test", password: "stop admin password" };

/** Opens a WebSocket to the server and then ignores everything it is sent, close frames included. */
async function silentWebSocket(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(
        [
          "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
          `Host: 127.0.0.1:${port}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
          "Sec-WebSocket-Version: 13",
          "",
          "",
        ].join("\r\n"),
      );
    });
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      if (head.startsWith("HTTP/1.1 101")) resolve();
      else reject(new Error(`no WebSocket upgrade: ${head.split("\r\n")[0]}`));
    };
    socket.on("data", onData);
  });
  socket.on("error", () => {});
  socket.pause(); // from now on it reads nothing and answers nothing
  return socket;
}

describe("vtp start on SIGTERM", () => {
  it("exits 0 with connected clients, disconnects them and releases the data directory", async () => {
    const server = await startVtp(
      { DATABASE_URL: "", LOG_LEVEL: "info", VTP_ADMIN_EMAIL: ADMIN.email, VTP_ADMIN_PASSWORD: ADMIN.password },
      { timeoutMs: 150_000 },
    );
    cleanups.push(() => server.stop("SIGKILL"));
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };

    const client = await TestClient.connect(server.url, accessToken, "teacher");
    cleanups.push(async () => client.close());
    const disconnected = new Promise<string>((resolve) => client.socket.once("disconnect", (reason) => resolve(reason)));
    const silent = await silentWebSocket(server.port);
    cleanups.push(async () => silent.destroy());
    expect(existsSync(path.join(server.dataDir, "vtp.lock"))).toBe(true);

    const code = await server.stop("SIGTERM");
    expect(code, server.output().slice(-2000)).toBe(0);
    expect(await disconnected).toBe("io server disconnect");
    expect(server.output()).not.toMatch(/shutdown took too long/);
    expect(existsSync(path.join(server.dataDir, "vtp.lock"))).toBe(false);
    expect(existsSync(path.join(server.dataDir, "run", "admin.sock"))).toBe(false);
  });

  it.skipIf(!hasFfmpeg)("during a recording: finalizes the tracks, and the next start makes the recording ready", { timeout: 600_000 }, async () => {
    const env = {
      DATABASE_URL: "",
      LOG_LEVEL: "info",
      VTP_ADMIN_EMAIL: ADMIN.email,
      VTP_ADMIN_PASSWORD: ADMIN.password,
      MEDIA_WORKERS: "1",
      RTC_MIN_PORT: "55000",
      RTC_MAX_PORT: "55999",
    };
    const first = await startVtp(env, { timeoutMs: 150_000 });
    cleanups.push(() => first.stop("SIGKILL"));
    const { recordingId: id, pub } = await recordAClass(first, ADMIN, { title: "Last lesson", capturedMs: 3000, cleanups });

    expect(await first.stop("SIGTERM"), first.output().slice(-3000)).toBe(0);
    expect(first.output()).not.toMatch(/shutdown took too long/);
    await pub.close();

    const second = await startVtp({ ...env, VTP_DATA_DIR: first.dataDir }, { timeoutMs: 150_000 });
    cleanups.push(() => second.stop("SIGKILL"));
    const rec = await processedOn(second, await signIn(second, ADMIN), id);
    expect(rec.error, second.output().slice(-3000)).toBeNull();
    expect(rec.status).toBe("ready");
    expect(rec.tracks.map((x: { status: string }) => x.status)).toEqual(["finalized", "finalized"]);
    expect(second.output()).not.toMatch(/recovered interrupted recordings/);
    expect(await second.stop("SIGTERM")).toBe(0);
  });

  it.skipIf(!hasFfmpeg)("a processing job aborted by the shutdown before its FFmpeg step starts no FFmpeg", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "vtp-abort-")), "never.mp4");
    const stopping = new AbortController();
    stopping.abort(new Error("worker stopping"));
    await expect(runFfmpeg("ffmpeg", ["-f", "lavfi", "-i", "testsrc=duration=20:size=320x240:rate=10", out], { signal: stopping.signal })).rejects.toThrow(
      /worker stopping/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
