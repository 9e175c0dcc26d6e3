import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createPgDatabase } from "../../helpers/db.js";
import { startVtp, type VtpProcess } from "../../helpers/process.js";
import { TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recording crash test: ffmpeg is not installed (apt-get install ffmpeg)");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const probe = async (url: string) => JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function api(server: VtpProcess, method: string, url: string, body?: unknown, token?: string) {
  const r = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const ADMIN = { email: "rec-admin@school.test", password: "admin password 123" };
const login = async (s: VtpProcess) => (await api(s, "POST", "/api/v1/auth/login", ADMIN)).body.accessToken as string;

describe.skipIf(!hasFfmpeg)("recording survives kill -9 of the server", () => {
  it("finalizes what was captured on the next start and processes it to a playable MP4", async () => {
    const env: Record<string, string> = {
      VTP_ADMIN_EMAIL: ADMIN.email,
      VTP_ADMIN_PASSWORD: ADMIN.password,
      MEDIA_WORKERS: "1",
      RTC_MIN_PORT: "54000",
      RTC_MAX_PORT: "54999",
      LOG_LEVEL: "warn",
    };
    if (process.env.TEST_DATABASE_URL) {
      const { url, drop } = await createPgDatabase(process.env.TEST_DATABASE_URL);
      cleanups.push(drop);
      env.DATABASE_URL = url;
    }
    const first = await startVtp(env);
    cleanups.push(() => first.stop("SIGKILL"));
    let token = await login(first);
    const room = await api(first, "POST", "/api/v1/rooms", { title: "Crash course" }, token);
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    const roomId: string = room.body.room.id;

    const c = await TestClient.connect(first.url, token, "host");
    cleanups.push(async () => c.close());
    expect((await c.emit("join-room", { roomId })).ok).toBe(true);
    const pub = new SocketPublisher(c);
    cleanups.push(() => pub.close());
    await pub.publish(["camera", "microphone"]);

    const start = await api(first, "POST", "/api/v1/recordings/start", { roomId }, token);
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const id: string = start.body.recording.id;
    await c.waitFor("recording-started", (e) => e.recordingId === id);
    // Capture until both tracks have written a part on disk.
    for (let i = 0; ; i++) {
      const r = (await api(first, "GET", `/api/v1/recordings/${id}`, undefined, token)).body.recording;
      if (r.tracks.length === 2 && r.tracks.every((x: { parts: unknown[] }) => x.parts.length > 0) && i >= 10) break;
      if (i > 100) throw new Error(`capture did not start: ${JSON.stringify(r)}`);
      await sleep(500);
    }
    const killedAt = Date.now();
    expect(await first.stop("SIGKILL")).toBeNull();
    const capturedS = (killedAt - Date.parse(start.body.recording.startedAt)) / 1000;
    await pub.close();
    c.close();

    const second = await startVtp({ ...env, VTP_DATA_DIR: first.dataDir });
    cleanups.push(() => second.stop("SIGTERM"));
    token = await login(second);
    let rec;
    for (let i = 0; ; i++) {
      rec = (await api(second, "GET", `/api/v1/recordings/${id}`, undefined, token)).body.recording;
      if (rec.status === "ready" || rec.status === "failed") break;
      if (i > 600) throw new Error(`not processed: ${JSON.stringify(rec)}`);
      await sleep(300);
    }
    expect(rec.error, second.output().slice(-3000)).toBeNull();
    expect(rec.status).toBe("ready");
    expect(rec.tracks.map((x: { status: string }) => x.status)).toEqual(["finalized", "finalized"]);
    const info = await probe(`${second.url}${rec.urls.download}`);
    expect(info.streams.map((x: { codec_name: string }) => x.codec_name).sort()).toEqual(["aac", "h264"]);
    // Everything captured before the kill is in the file.
    expect(Number(info.format.duration)).toBeGreaterThan(capturedS - 1);
    expect(Math.abs(Number(info.format.duration) - rec.durationSeconds)).toBeLessThan(1);
  });
});
