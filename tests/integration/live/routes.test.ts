import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

/**
 * Live streaming's REST across roles and bad input, without a stream running (the e2e test
 * tests/e2e/web/live.test.ts streams a class): stream links (created, listed, revoked: 404
 * after), RTMP address validation, who may see the class's stream status, and chat refused
 * while nothing is live.
 */
let testApp: TestApp;
let host: Record<string, string>;
let outsider: Record<string, string>;
let admin: Record<string, string>;
let roomId: string;

beforeAll(async () => {
  testApp = await createTestApp();
  host = (await signUp(testApp, { role: "teacher" })).auth;
  outsider = (await signUp(testApp, { role: "student" })).auth;
  admin = (await makeAdmin(testApp)).auth;
  roomId = (await testApp.app.inject({ method: "POST", url: "/api/v1/rooms", headers: host, payload: { title: "Streamed class" } })).json().room.id;
});
afterAll(async () => {
  await testApp?.close();
});

const call = (method: "GET" | "POST" | "DELETE", url: string, headers: Record<string, string> = {}, payload?: object) =>
  testApp.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

describe("live streaming routes", () => {
  it("a stream link opens the class's status to anyone until it is revoked; only a hash is stored", async () => {
    const created = await call("POST", `/api/v1/rooms/${roomId}/live/links`, host);
    expect(created.statusCode).toBe(201);
    const { token, link, url } = created.json();
    expect(url).toContain(`/live/s/${token}`);
    const stored = await testApp.app.ctx.db
      .selectFrom("live_links" as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const status = await call("GET", `/api/v1/live/s/${token}`);
    expect(status.statusCode).toBe(200);
    expect(status.json().live).toMatchObject({ roomId, title: "Streamed class", live: false, playbackUrl: null, viewers: 0 });
    expect(status.json().live.links).toBeUndefined();
    expect(status.json().live.rtmp).toBeUndefined();
    // The host sees the link listed; an outsider and another person's link cannot revoke it.
    expect((await call("GET", `/api/v1/rooms/${roomId}/live`, host)).json().live.links).toEqual([expect.objectContaining({ id: link.id, revokedAt: null })]);
    expect((await call("DELETE", `/api/v1/rooms/${roomId}/live/links/${link.id}`, outsider)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/rooms/${roomId}/live`, outsider)).statusCode).toBe(404);

    expect((await call("DELETE", `/api/v1/rooms/${roomId}/live/links/${link.id}`, admin)).statusCode).toBe(204);
    const gone = await call("GET", `/api/v1/live/s/${token}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe("LIVE_LINK_NOT_FOUND");
    expect((await call("GET", `/api/v1/live/s/${token}/hls/master.m3u8`)).statusCode).toBe(404);
    expect((await call("DELETE", `/api/v1/rooms/${roomId}/live/links/${link.id}`, host)).json().error.code).toBe("LIVE_LINK_NOT_FOUND");
  });

  it("an RTMP address must be rtmp:// or rtmps://; only the host or an admin may start or stop", async () => {
    for (const rtmpUrl of [
      "http://example.com/live",
      "file:///etc/passwd",
      "rtmp://",
      "rtmp://host/app key",
      "-f null",
      "rtmp://user:pw@host/app",
      "rtmp://host/\u0000x",
    ]) {
      const res = await call("POST", `/api/v1/rooms/${roomId}/live`, host, { rtmpUrl });
      expect(res.statusCode, rtmpUrl).toBe(400);
      expect(["INVALID_RTMP_URL", "VALIDATION_FAILED"]).toContain(res.json().error.code);
    }
    expect((await call("POST", `/api/v1/rooms/${roomId}/live`, host, { rtmpUrl: "rtmp://x", extra: 1 } as object)).statusCode).toBe(400);
    expect((await call("POST", `/api/v1/rooms/${roomId}/live`, outsider, {})).statusCode).toBe(404);
    expect((await call("POST", `/api/v1/rooms/${roomId}/live`, {}, {})).statusCode).toBe(401);
    // The class is not live yet: nothing to stream, nothing to stop.
    const notLive = await call("POST", `/api/v1/rooms/${roomId}/live`, host, { rtmpUrl: "rtmps://live.example.com/app/key" });
    expect([409, 503]).toContain(notLive.statusCode);
    // Publishing through a CDN on a server without one (no LIVE_CDN_URL).
    const noCdn = await call("POST", `/api/v1/rooms/${roomId}/live`, host, { cdn: true });
    expect([noCdn.statusCode, noCdn.json().error.code, noCdn.json().error.details[0].field]).toEqual([400, "VALIDATION_FAILED", "cdn"]);
    expect((await call("POST", `/api/v1/rooms/${roomId}/live`, host, { cdn: "yes" } as object)).statusCode).toBe(400);
    expect((await call("DELETE", `/api/v1/rooms/${roomId}/live`, host)).json().error.code).toBe("LIVE_NOT_ACTIVE");
    expect((await call("DELETE", `/api/v1/rooms/${roomId}/live`, outsider)).statusCode).toBe(404);
  });

  it("chat is refused while the class is not streamed; bad tokens and keys are refused without a stream", async () => {
    const { token } = (await call("POST", `/api/v1/rooms/${roomId}/live/links`, host)).json();
    const chat = await call("POST", `/api/v1/live/s/${token}/chat`, {}, { name: "Guest", text: "hello" });
    expect(chat.statusCode).toBe(404);
    expect(chat.json().error.code).toBe("LIVE_NOT_ACTIVE");
    expect((await call("POST", `/api/v1/live/s/${token}/chat`, {}, { name: "", text: "hello" })).statusCode).toBe(400);
    expect((await call("GET", "/api/v1/live/s/short")).statusCode).toBe(400);
    expect((await call("GET", `/api/v1/live/s/${token}/hls/..%2F..%2Fetc%2Fpasswd`)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/live/m/${roomId}.9999999999.${"A".repeat(43)}/hls/master.m3u8`)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/rooms/${roomId}/live?viewer=x`, host)).statusCode).toBe(400);
  });
});
