import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTestApp, signUp } from "../../helpers/app.js";

describe("server behaviour", () => {
  it("sets security headers and request ids", async () => {
    const testApp = await createTestApp();
    try {
      const res = await testApp.app.inject({ url: "/api/v1/health", headers: { "x-request-id": "abc-123" } });
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(res.headers["x-frame-options"]).toBeDefined();
    } finally {
      await testApp.close();
    }
  });

  it("answers CORS only for configured origins", async () => {
    const testApp = await createTestApp({ CORS_ORIGINS: "https://school.example" });
    try {
      const ok = await testApp.app.inject({
        method: "OPTIONS",
        url: "/api/v1/auth/login",
        headers: { origin: "https://school.example", "access-control-request-method": "POST" },
      });
      expect(ok.headers["access-control-allow-origin"]).toBe("https://school.example");
      const other = await testApp.app.inject({
        method: "OPTIONS",
        url: "/api/v1/auth/login",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await testApp.close();
    }
  });

  it("rate-limits auth routes per IP with a coded 429", async () => {
    const testApp = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: "3" });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/forgot-password", payload: { email: "a@b.example" } });
        codes.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.json().error.code).toBe("RATE_LIMITED");
          expect(res.headers["retry-after"]).toBeDefined();
        }
      }
      expect(codes).toEqual([202, 202, 202, 429, 429]);
      // other routes are not limited by it
      expect((await testApp.app.inject({ url: "/api/v1/health" })).statusCode).toBe(200);
    } finally {
      await testApp.close();
    }
  });

  it("keeps answering other requests during a login storm (bcrypt off the event loop)", async () => {
    const testApp = await createTestApp({ BCRYPT_COST: "11" });
    try {
      const user = await signUp(testApp, { password: "storm password 1" });
      const order: string[] = [];
      const logins = Array.from({ length: 8 }, () =>
        testApp.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: user.email, password: "storm password 1" } }).then((res) => {
          order.push("login");
          return res.statusCode;
        }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      const health = testApp.app.inject({ url: "/health" }).then((res) => {
        order.push("health");
        return res.statusCode;
      });
      expect(await health).toBe(200);
      expect((await Promise.all(logins)).every((c) => c === 200)).toBe(true);
      // /health finished while bcrypt work for the storm was still running on the thread pool
      expect(order.indexOf("health")).toBeLessThan(order.length - 1);
    } finally {
      await testApp.close();
    }
  });

  it("serves the web client with a history fallback, keeping JSON 404s for the API", async () => {
    const dist = mkdtempSync(path.join(tmpdir(), "vtp-dist-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>VTP</title>");
    writeFileSync(path.join(dist, "assets", "app-123.js"), "console.log(1)");
    const testApp = await createTestApp({ VTP_WEB_DIST: dist });
    try {
      const root = await testApp.app.inject({ url: "/" });
      expect(root.statusCode).toBe(200);
      expect(root.body).toContain("<title>VTP</title>");
      const deep = await testApp.app.inject({ url: "/room/123?x=1" });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain("<title>VTP</title>");
      const asset = await testApp.app.inject({ url: "/assets/app-123.js" });
      expect(asset.headers["cache-control"]).toContain("immutable");
      const missingAsset = await testApp.app.inject({ url: "/assets/nope.js" });
      expect(missingAsset.statusCode).toBe(404);
      const api = await testApp.app.inject({ url: "/api/v1/nothing" });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe("NOT_FOUND");
    } finally {
      await testApp.close();
    }
  });

  it("reports the database down with 503", async () => {
    const testApp = await createTestApp();
    try {
      await testApp.app.ctx.database.close();
      const res = await testApp.app.inject({ url: "/api/v1/health" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: "degraded", database: "down" });
    } finally {
      await testApp.close().catch(() => {});
    }
  });
});
