import { afterAll, expect } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { webE2E, type Server } from "../web/harness";
import { waitFor } from "../../helpers/wait.js";

/** WebRTC statistics read from real Chromium pages, shared by the media e2e tests. */

/** Records every RTCPeerConnection the page makes, so the test can read getStats. */
export const CAPTURE_PCS = () => {
  const Native = window.RTCPeerConnection;
  const list: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = list;
  window.RTCPeerConnection = class extends Native {
    constructor(cfg?: RTCConfiguration) {
      super(cfg);
      list.push(this);
    }
  } as typeof RTCPeerConnection;
};

export interface Inbound {
  video: { framesDecoded: number; frameWidth: number; packetsLost: number; packetsReceived: number }[];
  audio: { packetsReceived: number; packetsLost: number }[];
}

/** Inbound RTP statistics of every live peer connection on the page. */
export async function inbound(page: Page): Promise<Inbound> {
  return page.evaluate(async () => {
    const out: Inbound = { video: [], audio: [] };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; kind?: string; framesDecoded?: number; frameWidth?: number; packetsLost?: number; packetsReceived?: number }) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video")
          out.video.push({
            framesDecoded: s.framesDecoded ?? 0,
            frameWidth: s.frameWidth ?? 0,
            packetsLost: s.packetsLost ?? 0,
            packetsReceived: s.packetsReceived ?? 0,
          });
        else if (s.kind === "audio") out.audio.push({ packetsReceived: s.packetsReceived ?? 0, packetsLost: s.packetsLost ?? 0 });
      });
    }
    return out;
  });
}

/** Waits until `count` video streams decode frames of a real size and audio flows, both still rising. */
export async function expectDecoding(page: Page, videoStreams: number, stage: string) {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const frames = (stats: Inbound) => sum(stats.video.map((v) => v.framesDecoded));
  const audioPackets = (stats: Inbound) => sum(stats.audio.map((a) => a.packetsReceived));
  let last: Inbound | undefined;
  const started = await waitFor(
    `${stage}: video and audio arrive and decode`,
    async () => {
      last = await inbound(page);
      const decoding = last.video.filter((v) => v.framesDecoded > 0 && v.frameWidth > 0);
      return decoding.length >= videoStreams && last.audio.some((a) => a.packetsReceived > 0) ? last : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  ).catch(() => undefined);
  expect(started, `${stage}: video and audio arrive and decode; last: ${JSON.stringify(last)}`).toBeDefined();
  // The window for rates and loss starts once the streams have settled: a new stream's first
  // second includes the keyframe request and bandwidth ramp-up, so wait for about a second of
  // frames on every stream first.
  const settledAt = frames(started!) + 25 * videoStreams;
  await waitFor(`${stage}: a second of frames after the first`, async () => frames(await inbound(page)) >= settledAt, { timeoutMs: 20_000, intervalMs: 250 });
  const first = await inbound(page);
  const later = await waitFor(
    `${stage}: frames decoded and audio packets keep rising; first: ${JSON.stringify(first)}`,
    async () => {
      const current = await inbound(page);
      return frames(current) > frames(first) + 30 && audioPackets(current) > audioPackets(first) + 100 ? current : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 250 },
  ).catch(() => undefined);
  expect(later, `${stage}: frames decoded and audio packets keep rising; first: ${JSON.stringify(first)}`).toBeDefined();
  // Loss over the measured window (not since the stream began), on a shared 2-core machine
  // running four browsers: "no large loss".
  const all = (stats: Inbound) => [...stats.video, ...stats.audio];
  const received = sum(all(later!).map((x) => x.packetsReceived)) - sum(all(first).map((x) => x.packetsReceived));
  const lost = sum(all(later!).map((x) => Math.max(0, x.packetsLost))) - sum(all(first).map((x) => Math.max(0, x.packetsLost)));
  expect(received).toBeGreaterThan(0);
  if (process.env.VTP_E2E_DEBUG) console.log(stage, JSON.stringify({ first, later }));
  expect(Math.max(0, lost) / Math.max(1, received + Math.max(0, lost)), `${stage}: packet loss in the window ${JSON.stringify({ first, later })}`).toBeLessThan(
    0.1,
  );
  expect(later!.video.filter((v) => v.framesDecoded > 0 && v.frameWidth >= 160).length).toBeGreaterThanOrEqual(videoStreams);
}

/**
 * A server (media logged at debug level) and a browser for one describe block, every context's
 * console collected with the client's media debug log on; `printOnFailure` shows both when a
 * test fails.
 */
export function mediaE2E(serverEnv: () => Record<string, string> = () => ({})) {
  const web = webE2E(() => ({ LOG_LEVEL: process.env.LOG_LEVEL ?? "debug", ...serverEnv() }));
  const env = {
    get server(): Server {
      return web.server;
    },
    get browser(): Browser {
      return web.browser;
    },
    contexts: [] as BrowserContext[],
    pageLog: [] as string[],
    /** Records peer connections and the console of a context, labelled `who`. */
    async watch(ctx: BrowserContext, who: string) {
      env.contexts.push(ctx);
      await ctx.addInitScript(CAPTURE_PCS);
      await ctx.addInitScript(() => localStorage.setItem("vtpDebug", "media"));
      ctx.on("console", (msg) => env.pageLog.push(`[${who} ${msg.type()}] ${msg.text()}`));
      ctx.on("weberror", (webError) => env.pageLog.push(`[${who} error] ${webError.error().message}`));
    },
    printOnFailure(onTestFailed: (fn: () => void) => void) {
      onTestFailed(() => {
        console.log(`--- server output (last 600 lines) ---\n${env.server.output().split("\n").slice(-600).join("\n")}`);
        console.log(`--- pages ---\n${env.pageLog.join("\n")}`);
      });
    },
  };
  // Registered after webE2E's: Vitest runs after-all hooks last-registered first, so the pages close before the browser.
  afterAll(async () => {
    for (const c of env.contexts) await c.close().catch(() => {});
  });
  return env;
}
