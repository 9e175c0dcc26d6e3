/**
 * The installable app (issue 15, "An app for phones"): Lighthouse-style checks of the manifest,
 * the service worker and installability, the app opened offline after one visit, and a student's
 * class on an emulated phone (touch targets, Wake Lock).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, chromiumMissing, type Server, shot, signInUi, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.subarray(12, 16).toString("latin1") !== "IHDR") return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Every URL in the page's Cache Storage, by cache name. */
function cachedUrls(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
    }
    return out;
  });
}

/** Records the page's Wake Lock requests and releases (the real API underneath). */
async function watchWakeLock(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const log = { requested: 0, released: 0, held: false };
    (window as unknown as { __wakeLock: typeof log }).__wakeLock = log;
    const wakeLock = navigator.wakeLock;
    if (!wakeLock) return;
    const request = wakeLock.request.bind(wakeLock);
    wakeLock.request = async (type) => {
      log.requested += 1;
      const sentinel = await request(type);
      log.held = true;
      sentinel.addEventListener("release", () => {
        log.released += 1;
        log.held = false;
      });
      return sentinel;
    };
  });
}

async function api(server: Server, method: string, url: string, token: string | null, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function phoneContext(browser: Browser, server: Server): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 3,
    // No `permissions` list: it would deny every other permission, Wake Lock included. The fake
    // media UI flag (launchBrowser) answers the camera and microphone prompts.
  });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

describe.skipIf(Boolean(skip))("web: the installable app (PWA) in real Chromium", () => {
  const web = webE2E({ RECONNECT_GRACE_SECONDS: "30" });

  it("links a valid manifest with real 192/512 and maskable icons, registers a controlling service worker, is installable and opens offline with the saved class and recordings, never caching /api/", async () => {
    const teacher = await verifiedUser(web.server, "teacher", "Tara Teacher");
    const login = await api(web.server, "POST", "/api/v1/auth/login", null, { email: teacher.email, password: teacher.password });
    const { room } = await api(web.server, "POST", "/api/v1/rooms", login.accessToken, { title: "Offline geography", description: "Rivers and deltas" });

    // A profile on disk: Chromium does not offer installation in an incognito-like context.
    const profile = mkdtempSync(path.join(tmpdir(), "vtp-pwa-"));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      baseURL: web.server.url,
      viewport: { width: 1280, height: 800 },
    });
    ctx.setDefaultTimeout(15_000);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await signInUi(page, teacher);

    // The manifest: linked, served, and what installation needs.
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    expect(href).toBe("/manifest.webmanifest");
    const manifestResponse = await page.request.get(href ?? "");
    expect(manifestResponse.status()).toBe(200);
    expect(manifestResponse.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
    const manifest = (await manifestResponse.json()) as Record<string, unknown> & { icons: ManifestIcon[] };
    expect(manifest).toMatchObject({ name: "VTP — live classes", short_name: "VTP", display: "standalone", scope: "/" });
    expect(String(manifest.start_url)).toMatch(/^\//);
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    for (const size of [192, 512]) {
      const icons = manifest.icons.filter((icon) => icon.sizes === `${size}x${size}`);
      expect(icons.map((icon) => icon.purpose).sort()).toEqual(["any", "maskable"]);
      for (const icon of icons) {
        const res = await page.request.get(icon.src);
        expect(res.status()).toBe(200);
        expect(res.headers()["content-type"]).toBe("image/png");
        expect(pngSize(await res.body())).toEqual({ width: size, height: size });
      }
    }
    const appleHref = await page.locator('link[rel="apple-touch-icon"]').getAttribute("href");
    expect(pngSize(await (await page.request.get(appleHref ?? "")).body())).toEqual({ width: 180, height: 180 });

    // The service worker: registered for the whole site, uncached, and controlling the page.
    const worker = await page.request.get("/sw.js");
    expect(worker.headers()["cache-control"]).toBe("no-cache");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${web.server.url}/`);
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === "activated");

    // Installable, as Chromium itself judges it.
    const cdp = await ctx.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);

    // Online visits of the class details and the recordings list: the app keeps what they showed.
    await page.goto(`/classes/${room.id}`);
    await page.getByRole("heading", { name: "Offline geography" }).waitFor();
    await page.goto("/recordings");
    await page.getByRole("heading", { name: "Recordings" }).first().waitFor();
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("vtp.offline") ?? "{}").recordings);

    // Offline: a navigation shows the app's offline view with what was saved, not Chromium's error page.
    await ctx.setOffline(true);
    await page.goto(`/classes/${room.id}`);
    const offline = page.getByTestId("offline-page");
    await offline.waitFor();
    const text = ((await offline.textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).toContain("You are offline");
    expect(text).toContain("Nothing live works without a network");
    expect(text).toContain("Offline geography");
    expect(text).toContain("Rivers and deltas");
    expect(text).toContain("with Tara Teacher");
    expect(await page.getByTestId("offline-recordings").textContent()).toContain("No recordings.");
    expect(await page.content()).not.toContain("ERR_INTERNET_DISCONNECTED");
    await shot(page, "pwa-offline");
    // Another route offline: the same view (the shell came from the cache).
    await page.goto("/dashboard");
    await page.getByTestId("offline-class").waitFor();

    // What the worker cached: the shell and hashed assets, never an API answer or a socket.
    const cached = await cachedUrls(page);
    const names = Object.keys(cached);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => /^vtp-(shell|assets)-[0-9a-f]{12}$/.test(name))).toBe(true);
    const urls = Object.values(cached).flat();
    expect(urls).toEqual(expect.arrayContaining(["/index.html", "/offline.html", "/manifest.webmanifest", "/icons/icon-192.png"]));
    expect(urls.filter((url) => url.startsWith("/api/") || url.startsWith("/socket.io/"))).toEqual([]);
    expect(urls.every((url) => url === "/index.html" || url.startsWith("/assets/") || url.startsWith("/icons/") || /^\/[a-z.-]+$/.test(url))).toBe(true);

    // Back online the app itself returns; signing out removes the saved snapshot.
    await ctx.setOffline(false);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByTestId("user-menu").waitFor();
    await page.getByTestId("user-menu").click();
    await page.getByTestId("sign-out").click();
    await page.waitForURL("**/sign-in");
    expect(await page.evaluate(() => localStorage.getItem("vtp.offline"))).toBeNull();
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it("a student on a phone (390x844, touch, 3x): the class's main actions are 44 px touch targets that work, and the screen stays on during the class", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Tom Teacher"), verifiedUser(web.server, "student", "Pia Phone")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Phones in class" });
    const ctx = await phoneContext(web.browser, web.server);
    await watchWakeLock(ctx);
    const page = await ctx.newPage();
    await signInUi(page, student);
    await page.goto(`/join/${code}`);
    await page.getByTestId("prejoin-join").tap();
    await page.getByTestId("classroom").waitFor();

    // The screen stays on: requested on joining, shown in the controls.
    await page.locator('[data-wake-lock="held"]').waitFor();
    expect(await page.getByTestId("wake-lock").textContent()).toBe("Screen stays on");
    expect(await page.evaluate(() => (window as unknown as { __wakeLock: { requested: number; held: boolean } }).__wakeLock)).toMatchObject({
      held: true,
    });

    // Every main action is at least 44x44 CSS px and inside the screen.
    for (const id of ["control-mic", "control-camera", "control-hand", "control-chat", "control-participants", "control-leave"]) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box?.width, id).toBeGreaterThanOrEqual(44);
      expect(box?.height, id).toBeGreaterThanOrEqual(44);
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390, `${id} on screen`).toBe(true);
      expect((box?.y ?? 0) + (box?.height ?? 0) <= 844, `${id} on screen`).toBe(true);
    }
    await shot(page, "pwa-phone-classroom");

    // Raise hand by tapping; the teacher lets the student speak; mic and camera taps then work.
    await page.getByTestId("control-hand").tap();
    await page.locator('[data-testid="control-hand"][aria-pressed="true"]').waitFor();
    await tp.getByTestId("control-participants").click();
    await tp.getByTestId("allow-to-speak").click();
    await page.locator('[data-testid="control-mic"]:not([disabled])').waitFor();
    await page.getByTestId("control-mic").tap();
    await page.locator('[data-testid="control-mic"][aria-pressed="true"]').waitFor();
    await page.getByTestId("control-camera").tap();
    await page.locator('[data-testid="control-camera"][aria-pressed="true"]').waitFor();
    // One fake camera: no switch button.
    expect(await page.getByTestId("control-switch-camera").count()).toBe(0);

    // Chat by tapping: the panel opens and a message goes out.
    await page.getByTestId("control-chat").tap();
    await page.getByTestId("chat-input").fill("Hello from my phone");
    await page.getByTestId("chat-send").tap();
    await tp.getByTestId("control-chat").click();
    await tp.getByTestId("chat-message").filter({ hasText: "Hello from my phone" }).waitFor();
    await page.getByTestId("control-chat").tap();
    await page.getByTestId("chat-panel").waitFor({ state: "detached" });

    // Leaving releases the wake lock.
    await page.getByTestId("control-leave").tap();
    await page.waitForFunction(() => (window as unknown as { __wakeLock: { held: boolean } }).__wakeLock.held === false);
    expect(await page.locator('[data-wake-lock="held"]').count()).toBe(0);
    await Promise.all([ctx.close(), tctx.close()]);
  });
});
