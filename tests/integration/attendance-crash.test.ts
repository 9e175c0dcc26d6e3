import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startVtp, type VtpProcess } from "../helpers/process.js";
import { TestClient } from "./rooms/helpers.js";

/**
 * A server process killed with SIGKILL while people are in a class cannot close their
 * attendance sessions. The next start on the same data directory closes them at the dead
 * process's last heartbeat, so the report stops showing them present and their minutes stop.
 */
const ADMIN = { email: "crash-admin@school.test", password: "crash admin password" };
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function api(server: VtpProcess, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function start(dataDir: string): Promise<{ server: VtpProcess; token: string }> {
  const server = await startVtp({
    VTP_DATA_DIR: dataDir,
    VTP_ADMIN_EMAIL: ADMIN.email,
    VTP_ADMIN_PASSWORD: ADMIN.password,
    VTP_MEDIA: "off",
    LOG_LEVEL: "warn",
    JWT_SECRET: "crash-test-secret-crash-test-secret-0123",
  });
  cleanups.push(() => server.stop("SIGKILL"));
  const login = await api(server, "POST", "/api/v1/auth/login", ADMIN);
  expect(login.status).toBe(200);
  return { server, token: login.body.accessToken as string };
}

describe("attendance after a crash", () => {
  it("sessions open when the server was killed (kill -9) are closed on the next start, and stop counting", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-crash-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    const first = await start(dataDir);
    const room = await api(first.server, "POST", "/api/v1/rooms", { title: "Crash course" }, first.token);
    expect(room.status).toBe(201);
    const roomId = room.body.room.id as string;
    const client = await TestClient.connect(first.server.url, first.token, "admin");
    cleanups.push(async () => client.close());
    expect((await client.emit("join-room", { roomId })).ok).toBe(true);

    const before = await api(first.server, "GET", `/api/v1/rooms/${roomId}/attendance`, undefined, first.token);
    expect(before.body.attendance[0]).toMatchObject({ email: ADMIN.email, present: true, lastLeaveAt: null });

    const killedAt = Date.now();
    await first.server.stop("SIGKILL");
    client.close();

    const second = await start(dataDir);
    const after = await api(second.server, "GET", `/api/v1/rooms/${roomId}/attendance`, undefined, second.token);
    expect(after.status).toBe(200);
    const entry = after.body.attendance.find((e: { email: string }) => e.email === ADMIN.email);
    expect(entry.present).toBe(false);
    expect(entry.lastLeaveAt).not.toBeNull();
    // Closed at the dead process's last heartbeat: after joining, not after the kill.
    expect(Date.parse(entry.lastLeaveAt)).toBeGreaterThanOrEqual(Date.parse(entry.firstJoinAt));
    expect(Date.parse(entry.lastLeaveAt)).toBeLessThanOrEqual(killedAt + 1000);

    // The minutes no longer grow.
    const later = await api(second.server, "GET", `/api/v1/rooms/${roomId}/attendance`, undefined, second.token);
    expect(later.body.attendance.find((e: { email: string }) => e.email === ADMIN.email).totalMinutes).toBe(entry.totalMinutes);
  }, 300_000);
});
