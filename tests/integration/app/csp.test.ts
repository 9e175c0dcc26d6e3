import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../../helpers/app.js";

async function csp(publicUrl: string): Promise<string> {
  const testApp = await createTestApp({ PUBLIC_URL: publicUrl });
  try {
    const res = await testApp.app.inject({ url: "/api/v1/health" });
    return String(res.headers["content-security-policy"]);
  } finally {
    await testApp.close();
  }
}

describe("Content-Security-Policy", () => {
  it("does not ask browsers to upgrade to https when the server is plain http (a LAN server)", async () => {
    const header = await csp("http://school-server:8080");
    expect(header).toContain("default-src 'self'");
    expect(header).not.toContain("upgrade-insecure-requests");
  });

  it("lets WebAssembly compile (background effects, noise suppression) but never JavaScript eval", async () => {
    const scripts = (await csp("http://school-server:8080")).split(";").find((directive) => directive.trim().startsWith("script-src"));
    expect(scripts?.trim()).toBe("script-src 'self' 'wasm-unsafe-eval'");
  });

  it("asks browsers to upgrade to https when PUBLIC_URL is https", async () => {
    expect(await csp("https://vtp.school.example")).toContain("upgrade-insecure-requests");
  });
});

describe("the installable app (PWA) from the web client's folder", () => {
  it("lets the site's own service worker and manifest load, serves sw.js uncached for the whole site and the manifest as application/manifest+json", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vtp-web-"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>VTP</title>");
    writeFileSync(path.join(dir, "sw.js"), "self.addEventListener('fetch', () => {});");
    writeFileSync(path.join(dir, "manifest.webmanifest"), JSON.stringify({ name: "VTP" }));
    const testApp = await createTestApp({ VTP_WEB_DIST: dir });
    try {
      const page = await testApp.app.inject({ url: "/dashboard" });
      const header = String(page.headers["content-security-policy"]);
      expect(header).toContain("worker-src 'self'");
      expect(header).toContain("manifest-src 'self'");
      const worker = await testApp.app.inject({ url: "/sw.js" });
      expect(worker.statusCode).toBe(200);
      expect(worker.headers["cache-control"]).toBe("no-cache");
      expect(worker.headers["service-worker-allowed"]).toBe("/");
      expect(String(worker.headers["content-type"])).toMatch(/^(text|application)\/javascript/);
      const manifest = await testApp.app.inject({ url: "/manifest.webmanifest" });
      expect(manifest.statusCode).toBe(200);
      expect(String(manifest.headers["content-type"])).toMatch(/^application\/manifest\+json/);
      expect(manifest.json()).toEqual({ name: "VTP" });
      // Other files do not claim the worker's scope.
      expect((await testApp.app.inject({ url: "/manifest.webmanifest" })).headers["service-worker-allowed"]).toBeUndefined();
    } finally {
      await testApp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
