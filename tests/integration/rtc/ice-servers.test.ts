import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";

describe("GET /api/v1/rtc/ice-servers", () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({
      STUN_URLS: "stun:stun.school.example:3478",
      TURN_URLS: "turn:turn.school.example:3478?transport=udp,turns:turn.school.example:5349",
      TURN_SECRET: "coturn-static-auth-secret",
      TURN_TTL_SECONDS: "600",
    });
  });
  afterAll(() => testApp?.close());

  it("needs a signed-in user", async () => {
    const res = await testApp.app.inject({ url: "/api/v1/rtc/ice-servers" });
    expect(res.statusCode).toBe(401);
  });

  it("returns STUN and TURN with coturn REST-API credentials that expire", async () => {
    const user = await signUp(testApp);
    const before = Math.floor(Date.now() / 1000);
    const res = await testApp.app.inject({ url: "/api/v1/rtc/ice-servers", headers: user.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ttlSeconds).toBe(600);
    expect(body.iceServers[0]).toEqual({ urls: ["stun:stun.school.example:3478"] });
    const turn = body.iceServers[1];
    expect(turn.urls).toHaveLength(2);
    const [expiry, userId] = turn.username.split(":");
    expect(userId).toBe(user.user.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(before + 602);
    // what coturn computes from its static-auth-secret
    expect(turn.credential).toBe(createHmac("sha1", "coturn-static-auth-secret").update(turn.username).digest("base64"));
    expect(res.headers["cache-control"]).toContain("no-store");
  });

  it("offers no TURN without a secret", async () => {
    const t2 = await createTestApp({ TURN_URLS: "turn:turn.school.example:3478" });
    try {
      const user = await signUp(t2);
      const res = await t2.app.inject({ url: "/api/v1/rtc/ice-servers", headers: user.auth });
      expect(res.json()).toEqual({ iceServers: [] });
    } finally {
      await t2.close();
    }
  });
});
