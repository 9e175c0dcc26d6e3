import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { CHROMIUM, chromiumMissing, ensureWebBuilt, freePort } from "./harness.js";

/**
 * A school server on the LAN over plain http (http://school-server:PORT/, no TLS): the web
 * client must render there. Chromium resolves `school-server` to 127.0.0.1 (loopback only);
 * the server runs in this process.
 */
const skip = chromiumMissing();
if (skip) console.warn(skip);

describe.skipIf(!!skip)("the web client on a plain-http LAN address", () => {
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--host-resolver-rules=MAP school-server 127.0.0.1",
      ],
    });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Serves the app as `publicUrlScheme://school-server:PORT` on plain http, opens it, and says whether the page rendered. */
  async function rendersAt(publicUrlScheme: "http" | "https"): Promise<{ rendered: boolean; text: string; failed: string[] }> {
    const port = await freePort();
    let testApp: TestApp | undefined;
    const page = await browser.newPage();
    try {
      testApp = await createTestApp({ PUBLIC_URL: `${publicUrlScheme}://school-server:${port}` });
      await testApp.app.listen({ port, host: "127.0.0.1" });
      const failed: string[] = [];
      page.on("requestfailed", (request) => failed.push(request.url()));
      await page.goto(`http://school-server:${port}/`, { waitUntil: "load" });
      const rendered = await page
        .waitForFunction(() => (document.getElementById("root")?.textContent?.trim().length ?? 0) > 0, undefined, { timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      return { rendered, text: (await page.locator("#root").textContent()) ?? "", failed };
    } finally {
      await page.close();
      await testApp?.close();
    }
  }

  it("renders the page (its scripts and styles load over http)", async () => {
    const result = await rendersAt("http");
    expect(result.failed).toEqual([]);
    expect(result.rendered, "the page stayed blank").toBe(true);
    expect(result.text).toMatch(/sign in|log in|email/i);
  }, 120_000);

  it("(the check can fail) with an https PUBLIC_URL served over http, the browser upgrades the assets and the page stays blank", async () => {
    const result = await rendersAt("https");
    expect(result.rendered).toBe(false);
    expect(result.failed.some((u) => u.startsWith("https://school-server:"))).toBe(true);
  }, 120_000);
});
