import { chmodSync, mkdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminChannel, sendAdminRequest, AdminChannelUnavailable, type AdminChannel } from "../../../apps/server/src/admin-channel/index.js";
import { createTestApp, type TestApp } from "../../helpers/app.js";

/** The admin socket's protocol against the real AccountService: answers, refusals, bad input. */
let testApp: TestApp;
let channel: AdminChannel;
beforeAll(async () => {
  testApp = await createTestApp();
  channel = (await startAdminChannel({ dataDir: testApp.dataDir, accounts: testApp.app.ctx.accounts, log: pino({ level: "silent" }) }))!;
});
afterAll(async () => {
  await channel?.close();
  await testApp?.close();
});

/** Sends raw bytes and returns the server's one-line answer. */
function raw(text: string): Promise<{ ok: boolean; error?: { code: string; message: string }; result?: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(channel.socketPath);
    let out = "";
    socket.on("data", (chunk) => (out += chunk));
    socket.on("error", reject);
    socket.on("end", () => resolve(JSON.parse(out)));
    socket.write(text);
  });
}

describe("admin channel", () => {
  it("creates an admin who can sign in, and answers refusals with their codes", async () => {
    const made = await sendAdminRequest(testApp.dataDir, {
      command: "create-admin",
      args: { email: "Chan@School.test", password: "channel password", name: "Chan" },
    });
    expect(made).toMatchObject({ ok: true, result: { created: true, user: { email: "chan@school.test", fullName: "Chan" } } });
    const login = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: "chan@school.test", password: "channel password" } });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.role).toBe("admin");

    expect(await sendAdminRequest(testApp.dataDir, { command: "create-admin", args: { email: "x@school.test", password: "short" } })).toMatchObject({
      ok: false,
      error: { code: "WEAK_PASSWORD" },
    });
    expect(
      await sendAdminRequest(testApp.dataDir, { command: "create-admin", args: { email: "not an email", password: "long enough password" } }),
    ).toMatchObject({
      ok: false,
      error: { code: "VALIDATION_FAILED" },
    });
    expect(await sendAdminRequest(testApp.dataDir, { command: "ping" })).toMatchObject({ ok: true, result: { pid: process.pid } });
  });

  it("refuses malformed requests with a code", async () => {
    expect(await raw("{not json\n")).toMatchObject({ ok: false, error: { code: "INVALID_JSON" } });
    expect(await raw(`{"command":"drop-everything"}\n`)).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await raw(`{"command":"create-admin","args":{"email":42}}\n`)).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await raw(`[1,2]\n`)).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await raw("x".repeat(70 * 1024))).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("is reachable by this user only, and the client will not talk through a directory others can reach", async () => {
    const dir = path.dirname(channel.socketPath);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(channel.socketPath).mode & 0o777).toBe(0o600);
    chmodSync(dir, 0o777);
    try {
      await expect(sendAdminRequest(testApp.dataDir, { command: "ping" })).rejects.toThrow(AdminChannelUnavailable);
    } finally {
      chmodSync(dir, 0o700);
    }
    const elsewhere = path.join(testApp.dataDir, "nobody-here");
    mkdirSync(elsewhere);
    await expect(sendAdminRequest(elsewhere, { command: "ping" })).rejects.toThrow(/no admin socket/);
  });
});
