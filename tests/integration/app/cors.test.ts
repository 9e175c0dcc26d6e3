import { describe, expect, it } from "vitest";
import { createTestApp, testConfig, type TestApp } from "../../helpers/app.js";
import { ConfigError } from "../../../apps/server/src/config/index.js";

const preflight = (testApp: TestApp, origin: string) =>
  testApp.app.inject({ method: "OPTIONS", url: "/api/v1/auth/refresh", headers: { origin, "access-control-request-method": "POST" } });

/** The Socket.IO polling handshake as a browser on `origin` sends it (over a real port). */
async function socketHandshake(base: string, origin: string) {
  const res = await fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  await res.text();
  return { allowOrigin: res.headers.get("access-control-allow-origin"), allowCredentials: res.headers.get("access-control-allow-credentials") };
}

async function withApp(env: Record<string, string>, fn: (t: TestApp, base: string) => Promise<void>) {
  const testApp = await createTestApp(env);
  try {
    const base = await testApp.app.listen({ port: 0, host: "127.0.0.1" });
    await fn(testApp, base);
  } finally {
    await testApp.close();
  }
}

describe("CORS", () => {
  it("by default answers only the PUBLIC_URL's origin, on REST and on Socket.IO", async () => {
    await withApp({ PUBLIC_URL: "https://vtp.school.example/" }, async (testApp, base) => {
      const evil = await preflight(testApp, "https://evil.example");
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
      expect(evil.headers["access-control-allow-credentials"]).toBeUndefined();
      const own = await preflight(testApp, "https://vtp.school.example");
      expect(own.headers["access-control-allow-origin"]).toBe("https://vtp.school.example");
      expect(own.headers["access-control-allow-credentials"]).toBe("true");

      // Without Access-Control-Allow-Origin a browser hands the answer to no other site (the
      // `cors` package of Socket.IO still sends Allow-Credentials, which alone grants nothing).
      expect((await socketHandshake(base, "https://evil.example")).allowOrigin).toBeNull();
      expect(await socketHandshake(base, "https://vtp.school.example")).toEqual({ allowOrigin: "https://vtp.school.example", allowCredentials: "true" });
    });
  });

  it("reflects the origins listed in CORS_ORIGINS (and the PUBLIC_URL's), no others", async () => {
    await withApp({ PUBLIC_URL: "http://school-server:8080", CORS_ORIGINS: "https://a.example, https://b.example:8443" }, async (testApp, base) => {
      for (const o of ["https://a.example", "https://b.example:8443", "http://school-server:8080"]) {
        const res = await preflight(testApp, o);
        expect(res.headers["access-control-allow-origin"], o).toBe(o);
        expect(res.headers["access-control-allow-credentials"]).toBe("true");
      }
      expect((await preflight(testApp, "https://evil.example")).headers["access-control-allow-origin"]).toBeUndefined();
      expect((await socketHandshake(base, "https://a.example")).allowOrigin).toBe("https://a.example");
      expect((await socketHandshake(base, "https://evil.example")).allowOrigin).toBeNull();
    });
  });

  it("refuses CORS_ORIGINS=* and origins that are not origins, at start", () => {
    for (const value of ["*", "https://a.example,*", "https://a.example/path", "ftp://a.example", "not a url"]) {
      let err: unknown;
      try {
        testConfig({ CORS_ORIGINS: value });
      } catch (error) {
        err = error;
      }
      expect(err, value).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join("\n")).toMatch(/CORS_ORIGINS/);
    }
  });
});
