/**
 * What the phone classroom's Chromium tests share: an emulated phone (viewport, touch, 3x pixels),
 * real touch gestures through the DevTools protocol (a swipe, a finger drawing), where things are
 * on the screen, a second ("back") camera that films solid magenta, and the page's sound contexts.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import type { Server } from "./harness";

export const PORTRAIT = { width: 390, height: 844 };
export const LANDSCAPE = { width: 844, height: 390 };

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A phone: 390x844 CSS px, touch, 3 device pixels per CSS pixel, a mobile user agent's viewport rules. */
export async function phoneContext(browser: Browser, server: Server): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL: server.url,
    viewport: PORTRAIT,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 3,
  });
  ctx.setDefaultTimeout(20_000);
  if (process.env.VTP_E2E_DEBUG) {
    ctx.on("console", (msg) => console.log(`[page ${msg.type()}] ${msg.text()}`));
    ctx.on("weberror", (webError) => console.log(`[page error] ${webError.error().message}`));
    await ctx.addInitScript(() => localStorage.setItem("vtpDebug", "media"));
  }
  return ctx;
}

/** One finger from `from` to `to` in `steps` moves (touchstart, touchmove…, touchend), as a person swipes or draws. */
export async function finger(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 12): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: from.x, y: from.y }] });
    for (let i = 1; i <= steps; i++) {
      const along = i / steps;
      await cdp.send("Input.dispatchTouchEvent", {
        type: "touchMove",
        touchPoints: [{ x: from.x + (to.x - from.x) * along, y: from.y + (to.y - from.y) * along }],
      });
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  } finally {
    await cdp.detach();
  }
}

/** Swipes across the middle of the phone's panel area: leftwards to the next tab, rightwards to the previous one. */
export async function swipePane(page: Page, direction: "left" | "right"): Promise<void> {
  const pane = await boxOf(page.getByTestId("phone-pane"));
  const middle = pane.y + pane.height / 2;
  const [right, left] = [pane.x + pane.width * 0.85, pane.x + pane.width * 0.15];
  await finger(page, { x: direction === "left" ? right : left, y: middle }, { x: direction === "left" ? left : right, y: middle });
}

export async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} has no box (not shown)`);
  return box;
}

/** The box lies within the screen. */
export function expectOnScreen(box: Box, screen: { width: number; height: number }, what: string): void {
  expect(box.x, `${what}: left edge`).toBeGreaterThanOrEqual(-0.5);
  expect(box.y, `${what}: top edge`).toBeGreaterThanOrEqual(-0.5);
  expect(box.x + box.width, `${what}: right edge`).toBeLessThanOrEqual(screen.width + 0.5);
  expect(box.y + box.height, `${what}: bottom edge`).toBeLessThanOrEqual(screen.height + 0.5);
}

/** `lower` starts at or below the bottom of `upper` (they do not overlap). */
export function expectBelow(upper: Box, lower: Box, what: string): void {
  expect(lower.y, what).toBeGreaterThanOrEqual(upper.y + upper.height - 0.5);
}

/**
 * Every button one can tap in the classroom (outside the board's own drawing tools and hidden
 * ones): at least 44x44 CSS px and on the screen. Returns how many were measured.
 */
export async function expectTouchTargets(page: Page, screen: { width: number; height: number }): Promise<number> {
  const buttons = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="classroom"] button, [data-testid="classroom"] [role="tab"]')]
      .filter((el) => !el.closest(".board") && !el.closest("[hidden]") && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
      .map((el) => {
        const rect = el.getBoundingClientRect();
        return {
          what: el.dataset.testid ?? el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.tagName,
          x: rect.x,
          y: rect.y,
          width: rect.width,
          height: rect.height,
        };
      }),
  );
  for (const button of buttons) {
    expect(button.width, `${button.what}: width`).toBeGreaterThanOrEqual(44);
    expect(button.height, `${button.what}: height`).toBeGreaterThanOrEqual(44);
    expectOnScreen(button, screen, button.what);
  }
  return buttons.length;
}

/**
 * A second camera on the phone, as its back camera: enumerateDevices lists it, and opening it
 * (by its id or facing "environment") gives a canvas stream of solid magenta (Chromium's fake camera is green).
 */
export function backCamera(): void {
  const devices = navigator.mediaDevices;
  const enumerate = devices.enumerateDevices.bind(devices);
  const open = devices.getUserMedia.bind(devices);
  devices.enumerateDevices = async () => [
    ...(await enumerate()),
    { deviceId: "vtp-back-camera", groupId: "vtp-back", kind: "videoinput", label: "Back camera", toJSON: () => ({}) } as MediaDeviceInfo,
  ];
  devices.getUserMedia = async (constraints) => {
    const video = constraints?.video;
    const wanted = typeof video === "object" ? video : null;
    const id = wanted?.deviceId as ConstrainDOMStringParameters | string | undefined;
    const facing = wanted?.facingMode as ConstrainDOMStringParameters | string | undefined;
    const exact = (c: ConstrainDOMStringParameters | string | undefined) => (typeof c === "string" ? c : c?.exact);
    if (exact(id) === "vtp-back-camera" || exact(facing) === "environment") {
      const canvas = document.createElement("canvas");
      canvas.width = 640;
      canvas.height = 360;
      const pen = canvas.getContext("2d");
      const paint = () => {
        if (!pen) return;
        pen.fillStyle = "#d000d0";
        pen.fillRect(0, 0, canvas.width, canvas.height);
        // A moving mark, so that every frame differs and the encoder keeps sending.
        pen.fillStyle = "#c000c0";
        pen.fillRect((Date.now() / 10) % canvas.width, 0, 4, 4);
      };
      paint();
      setInterval(paint, 50);
      return canvas.captureStream(20);
    }
    return open(constraints);
  };
}

/** The average colour of the middle of a tile's video as the page decodes it, or null with no frame. */
export function tileColour(page: Page, userId: string): Promise<{ r: number; g: number; b: number } | null> {
  return page.evaluate((id) => {
    const video = document.querySelector<HTMLVideoElement>(`[data-testid="video-tile"][data-user-id="${id}"] video`);
    if (!video || video.videoWidth === 0) return null;
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 18;
    const pen = canvas.getContext("2d");
    if (!pen) return null;
    pen.drawImage(video, 0, 0, 32, 18);
    const data = pen.getImageData(8, 4, 16, 10).data;
    let [r, gr, b] = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      r += data[i] ?? 0;
      gr += data[i + 1] ?? 0;
      b += data[i + 2] ?? 0;
    }
    const pixels = data.length / 4;
    return { r: r / pixels, g: gr / pixels, b: b / pixels };
  }, userId);
}

/**
 * The page's AudioContexts (every one it creates) and a controllable visibility: `__vis` says
 * what document.visibilityState answers, as a phone's browser changes it in the background.
 */
export function soundProbe(): void {
  const list: AudioContext[] = [];
  (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts = list;
  const Native = window.AudioContext;
  window.AudioContext = class extends Native {
    constructor(options?: AudioContextOptions) {
      super(options);
      list.push(this);
    }
  } as typeof AudioContext;
  const state = () => (window as unknown as { __vis?: DocumentVisibilityState }).__vis ?? "visible";
  Object.defineProperty(document, "visibilityState", { configurable: true, get: state });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => state() === "hidden" });
}

/** How loud (dB of the decoded audio energy over ~1.5 s) the remote audio the page plays is, summed over its players. */
export async function heardDb(page: Page): Promise<number> {
  const energy = () =>
    page.evaluate(async () => {
      const audios = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')];
      const tracks = new Set(audios.flatMap((a) => (a.srcObject as MediaStream | null)?.getAudioTracks().map((t) => t.id) ?? []));
      let total = 0;
      let seconds = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === "closed") continue;
        for (const receiver of pc.getReceivers()) {
          if (!receiver.track || !tracks.has(receiver.track.id)) continue;
          (await receiver.getStats()).forEach((s: { type: string; totalAudioEnergy?: number; totalSamplesDuration?: number }) => {
            if (s.type !== "inbound-rtp") return;
            total += s.totalAudioEnergy ?? 0;
            seconds += s.totalSamplesDuration ?? 0;
          });
        }
      }
      return { total, seconds };
    });
  const before = await energy();
  // A measuring window (the energy decoded over it), not a wait for something to happen.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = await energy();
  const power = (after.total - before.total) / Math.max(1e-6, after.seconds - before.seconds);
  return power > 0 ? 10 * Math.log10(power) : -120;
}

/** How many pixels of the board's drawing canvas (all of it, as shown) are red like the red pen. */
export function redPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="board-canvas"] canvas.excalidraw__canvas.static');
    const data = canvas?.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
    if (!data) return -1;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const alpha = (data[i + 3] ?? 0) / 255;
      const over = (value: number) => value * alpha + 255 * (1 - alpha);
      if (Math.abs(over(data[i] ?? 0) - 224) < 30 && Math.abs(over(data[i + 1] ?? 0) - 49) < 30 && Math.abs(over(data[i + 2] ?? 0) - 49) < 30) count++;
    }
    return count;
  });
}

/** The page's screen wake lock: how many times it asked, and the locks it holds (the real API underneath). */
export function wakeLockProbe(): void {
  const log = { requested: 0, held: [] as WakeLockSentinel[] };
  (window as unknown as { __wakeLock: typeof log }).__wakeLock = log;
  const wakeLock = navigator.wakeLock;
  if (!wakeLock) return;
  const request = wakeLock.request.bind(wakeLock);
  wakeLock.request = async (type) => {
    log.requested += 1;
    const sentinel = await request(type);
    log.held.push(sentinel);
    sentinel.addEventListener("release", () => {
      log.held = log.held.filter((other) => other !== sentinel);
    });
    return sentinel;
  };
}

/** How many times the page has asked to keep the screen on (wakeLockProbe). */
export const wakeLockRequests = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __wakeLock: { requested: number } }).__wakeLock.requested);

/**
 * Every notification the page shows, once shown: its own (`new Notification`) and its service
 * worker's (`registration.showNotification`, the way Android's Chrome needs), in `__notifications`.
 */
export function notificationProbe(): void {
  const shown: { title: string; body: string; via: "page" | "service-worker" }[] = [];
  (window as unknown as { __notifications: typeof shown }).__notifications = shown;
  const Native = window.Notification;
  if (Native) {
    // A proxy (not a subclass): Notification.permission and requestPermission answer as the real ones.
    window.Notification = new Proxy(Native, {
      construct(target, args: [string, NotificationOptions?]) {
        const note = Reflect.construct(target, args);
        shown.push({ title: args[0], body: args[1]?.body ?? "", via: "page" });
        return note;
      },
      get(target, key) {
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }
  const proto = window.ServiceWorkerRegistration?.prototype;
  if (proto) {
    const show = proto.showNotification;
    proto.showNotification = async function (this: ServiceWorkerRegistration, title: string, options?: NotificationOptions) {
      await show.call(this, title, options);
      shown.push({ title, body: options?.body ?? "", via: "service-worker" });
    };
  }
}

/** The notifications the page has shown (notificationProbe). */
export const notificationsShown = (page: Page) =>
  page.evaluate(() => (window as unknown as { __notifications: { title: string; body: string; via: string }[] }).__notifications);

/**
 * Lets the page show notifications, as a person allows them — only that permission (a granted
 * list through the context would deny every other one, the screen wake lock included).
 */
export async function allowNotifications(page: Page, origin: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfo } = await cdp.send("Target.getTargetInfo");
  await cdp.detach();
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser");
  // Kept open: Chromium forgets a DevTools session's permission overrides when it detaches.
  const session = await browser.newBrowserCDPSession();
  await session.send("Browser.setPermission", {
    permission: { name: "notifications" },
    setting: "granted",
    origin,
    browserContextId: targetInfo.browserContextId,
  });
  page.context().once("close", () => void session.detach().catch(() => {}));
}

/**
 * The phone puts the app in the background (another app opened, the screen off): the page is
 * hidden (soundProbe's visibility), and as a phone's browser does to a hidden page, the screen's
 * wake lock is released, the AudioContexts suspended and the playing media paused. Returns how
 * many of each were stopped.
 */
export function toBackground(page: Page): Promise<{ locks: number; contexts: number; media: number }> {
  return page.evaluate(async () => {
    const probe = window as unknown as { __vis: string; __wakeLock?: { held: WakeLockSentinel[] }; __audioContexts: AudioContext[] };
    probe.__vis = "hidden";
    document.dispatchEvent(new Event("visibilitychange"));
    const locks = [...(probe.__wakeLock?.held ?? [])];
    await Promise.all(locks.map((lock) => lock.release()));
    const running = probe.__audioContexts.filter((context) => context.state === "running");
    await Promise.all(running.map((context) => context.suspend()));
    const playing = [...document.querySelectorAll<HTMLMediaElement>("audio, video")].filter((element) => !element.paused);
    for (const element of playing) element.pause();
    return { locks: locks.length, contexts: running.length, media: playing.length };
  });
}

/** The app comes back to the foreground: visible again, as the browser says so. */
export async function toForeground(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __vis: string }).__vis = "visible";
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

/**
 * Waits until nothing in the page moves: every finite animation and transition (a panel sliding
 * in, the controls fading back) has finished and `locator`'s box is the same over two animation
 * frames. Returns that box, measured at rest.
 */
export async function settled(locator: Locator): Promise<Box> {
  await locator.evaluate(async (element) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const finite = () => document.getAnimations().filter((animation) => animation.effect?.getComputedTiming().iterations !== Number.POSITIVE_INFINITY);
    for (let tries = 0; tries < 50; tries++) {
      await Promise.all(finite().map((animation) => animation.finished.catch(() => {})));
      const before = element.getBoundingClientRect();
      await frame();
      await frame();
      const after = element.getBoundingClientRect();
      if (
        before.x === after.x &&
        before.y === after.y &&
        before.width === after.width &&
        before.height === after.height &&
        finite().every((a) => a.playState !== "running")
      )
        return;
    }
    throw new Error("still moving after 50 tries");
  });
  return boxOf(locator);
}
