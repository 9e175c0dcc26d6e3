import { describe, expect, it } from "vitest";
import { createTestApp, testConfig, type TestApp } from "../../helpers/app.js";
import { ConfigError } from "../../../apps/server/src/config/index.js";

const preflight = (t: TestApp, origin: string) =>
  t.app.inject({ method: "OPTIONS", url: "/api/v1/auth/refresh", headers: { origin, "access-control-request-method": "POST" } });

/** The Socket.IO polling handshake as a browser on `origin` sends it (over a real port). */
async function socketHandshake(base: string, origin: string) {
  const r = await fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  await r.text();
  return { allowOrigin: r.headers.get("access-control-allow-origin"), allowCredentials: r.headers.get("access-control-allow-credentials") };
}

async function withApp(env: Record<string, string>, fn: (t: TestApp, base: string) => Promise<void>) {
  const t = await createTestApp(env);
  try {
    const base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    await fn(t, base);
  } finally {
    await t.close();
  }
}

describe("CORS", () => {
  it("by default answers only the PUBLIC_URL's origin, on REST and on Socket.IO", async () => {
    await withApp({ PUBLIC_URL: "https://vtp.school.example/" }, async (t, base) => {
      const evil = await preflight(t, "https://evil.example");
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
      expect(evil.headers["access-control-allow-credentials"]).toBeUndefined();
      const own = await preflight(t, "https://vtp.school.example");
      expect(own.headers["access-control-allow-origin"]).toBe("https://vtp.school.example");
      expect(own.headers["access-control-allow-credentials"]).toBe("true");

      // Without Access-Control-Allow-Origin a browser hands the answer to no other site (the
      // `cors` package of Socket.IO still sends Allow-Credentials, which alone grants nothing).
      expect((await socketHandshake(base, "https://evil.example")).allowOrigin).toBeNull();
      expect(await socketHandshake(base, "https://vtp.school.example")).toEqual({ allowOrigin: "https://vtp.school.example", allowCredentials: "true" });
    });
  });

  it("reflects the origins listed in CORS_ORIGINS (and the PUBLIC_URL's), no others", async () => {
    await withApp({ PUBLIC_URL: "http://school-server:8080", CORS_ORIGINS: "https://a.example, https://b.example:8443" }, async (t, base) => {
      for (const o of ["https://a.example", "https://b.example:8443", "http://school-server:8080"]) {
        const r = await preflight(t, o);
        expect(r.headers["access-control-allow-origin"], o).toBe(o);
        expect(r.headers["access-control-allow-credentials"]).toBe("true");
      }
      expect((await preflight(t, "https://evil.example")).headers["access-control-allow-origin"]).toBeUndefined();
      expect((await socketHandshake(base, "https://a.example")).allowOrigin).toBe("https://a.example");
      expect((await socketHandshake(base, "https://evil.example")).allowOrigin).toBeNull();
    });
  });

  it("refuses CORS_ORIGINS=* and origins that are not origins, at start", () => {
    for (const value of ["*", "https://a.example,*", "https://a.example/path", "ftp://a.example", "not a url"]) {
      let err: unknown;
      try {
        testConfig({ CORS_ORIGINS: value });
      } catch (e) {
        err = e;
      }
      expect(err, value).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join("\n")).toMatch(/CORS_ORIGINS/);
    }
  });
});
