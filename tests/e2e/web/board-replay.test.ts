import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { io } from "socket.io-client";
import { PDFDocument, rgb } from "pdf-lib";
import type { BoardElement, RecordingBoardResponse, RecordingDto } from "@vtp/protocol";
import { ackOf, type ClientSocket } from "../../helpers/socket";
import { chromiumMissing, newContext, shot, signInUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing() || (!existsSync("/usr/bin/ffmpeg") && process.env.CI !== "true" ? "ffmpeg missing: skipping the board replay test" : false);
if (skip) console.warn(skip);

/** Page colours of the generated slides (0..1) and as bytes. */
const BLUE = { r: 0.2, g: 0.45, b: 0.9 };
const GREEN = { r: 0.15, g: 0.7, b: 0.3 };
const bytesOf = (colour: { r: number; g: number; b: number }) => [colour.r, colour.g, colour.b].map((value) => Math.round(value * 255));

/** A two-page 16:9 PDF: page 1 blue, page 2 green. */
async function slides(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const colour of [BLUE, GREEN]) {
    const page = pdf.addPage([640, 360]);
    page.drawRectangle({ x: 0, y: 0, width: 640, height: 360, color: rgb(colour.r, colour.g, colour.b) });
  }
  return pdf.save();
}

/** A red freehand stroke across the middle of the page (scene = PDF points, y down). */
function redStroke(): BoardElement {
  const points: [number, number][] = Array.from({ length: 40 }, (_unused, i) => [i * 8, Math.round(Math.sin(i / 4) * 30)]);
  return {
    id: "replay-red-stroke",
    type: "freedraw",
    version: 40,
    versionNonce: 7,
    isDeleted: false,
    x: 160,
    y: 180,
    width: 312,
    height: 60,
    angle: 0,
    strokeColor: "#e03131",
    backgroundColor: "transparent",
    fillStyle: "solid",
    strokeWidth: 4,
    strokeStyle: "solid",
    roughness: 0,
    opacity: 100,
    seed: 1,
    groupIds: [],
    frameId: null,
    roundness: null,
    boundElements: null,
    updated: 1,
    link: null,
    locked: false,
    points,
    pressures: [],
    simulatePressure: true,
  };
}

/** Lets `ms` of class pass on the recording's clock (the ops need distinct offsets). */
async function classTime(ms: number): Promise<void> {
  const until = Date.now() + ms;
  await expect.poll(() => Date.now() >= until, { timeout: ms + 10_000, interval: 100 }).toBe(true);
}

describe.skipIf(Boolean(skip))("web: the class board in the recording player", () => {
  const web = webE2E();

  it("replays the slide, the stroke and the page turn in sync with the video, and lists the slide changes", async () => {
    const teacher = await verifiedUser(web.server, "teacher", "Bo Board");
    const base = web.server.url;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: teacher.email, password: teacher.password }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const auth = { authorization: `Bearer ${token}` };
    const json = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
      if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const post = <T>(path: string, body: unknown) =>
      json<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    // The teacher's class, joined over the socket API (the live board's UI is tested elsewhere).
    const { room } = await post<{ room: { id: string } }>("/api/v1/rooms", { title: "Board lesson" });
    const socket: ClientSocket = io(base, { path: "/socket.io/", transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    try {
      expect((await ackOf(socket, "join-room", { roomId: room.id })).ok).toBe(true);
      const { material } = await json<{ material: { id: string } }>(`/api/v1/rooms/${room.id}/materials?title=Photosynthesis`, {
        method: "POST",
        headers: { "content-type": "application/pdf", "x-file-name": "slides.pdf" },
        body: Buffer.from(await slides()),
      });

      const { recording } = await post<{ recording: RecordingDto }>("/api/v1/recordings/start", { roomId: room.id });
      await classTime(1500);
      const presented = await ackOf(socket, "board-present", { roomId: room.id, surfaceId: material.id, page: 1 });
      expect(presented.ok, JSON.stringify(presented.error)).toBe(true);
      await classTime(1500);
      const drawn = await ackOf(socket, "board-draw", { roomId: room.id, surfaceId: material.id, page: 1, elements: [redStroke()] });
      expect(drawn.accepted).toBe(1);
      expect((await ackOf(socket, "board-pointer", { roomId: room.id, surfaceId: material.id, page: 1, x: 100, y: 80 })).ok).toBe(true);
      await classTime(3000);
      expect((await ackOf(socket, "board-turn", { roomId: room.id, page: 2 })).ok).toBe(true);
      await classTime(3000);
      await post(`/api/v1/recordings/${recording.id}/stop`, {});
      await expect
        .poll(async () => (await json<{ recording: RecordingDto }>(`/api/v1/recordings/${recording.id}`)).recording.status, {
          timeout: 150_000,
          interval: 1000,
        })
        .toBe("ready");

      const board = await json<RecordingBoardResponse>(`/api/v1/recordings/${recording.id}/board`);
      const drawAt = board.ops.find((op) => op.kind === "draw")?.offsetMs ?? -1;
      const turnAt = board.ops.find((op) => op.kind === "turn")?.offsetMs ?? -1;
      expect(drawAt).toBeGreaterThan(0);
      expect(turnAt).toBeGreaterThan(drawAt);

      // The player.
      const ctx = await newContext(web.browser, base);
      const page = await ctx.newPage();
      await signInUi(page, teacher);
      await page.goto(`/recordings/${recording.id}`);
      // The video is long enough to seek past the turn.
      await page.waitForFunction(
        (seconds) => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]');
          return !!video && video.readyState >= 1 && video.duration > seconds;
        },
        (turnAt + 800) / 1000,
        { timeout: 30_000 },
      );

      // The slide changes are moments on the timeline, in the keyboard-operable list too.
      const slideMarkers = page.locator('[data-testid="recording-marker"][data-kind="slide"]');
      await slideMarkers.first().waitFor();
      expect(await slideMarkers.allTextContents()).toEqual([
        expect.stringContaining("Slide 1 — Photosynthesis"),
        expect.stringContaining("Slide 2 — Photosynthesis"),
      ]);
      expect(await page.locator('.timeline-marker.timeline-slide[aria-label^="Slide at"]').count()).toBe(2);

      const seekTo = (ms: number) =>
        page.evaluate((seconds) => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')!;
          video.pause();
          video.currentTime = seconds;
        }, ms / 1000);
      const frame = page.getByTestId("recording-board-frame");

      // Just after the stroke: slide 1 (blue) with red on the drawing canvas, and the pointer's dot.
      await seekTo(drawAt + 400);
      await page.waitForSelector(`[data-testid="recording-board-frame"][data-surface-id="${material.id}"][data-page="1"][data-elements="1"]`);
      expect(await frame.getAttribute("data-pointers")).toBe("1");
      await page.waitForSelector(`[data-testid="recording-board-page"][data-rendered="pdf:${material.id}/1"]`, { timeout: 30_000 }).catch(async (err) => {
        await shot(page, "recording-board-replay-failed");
        throw err;
      });
      await page.getByTestId("recording-board-pointer").waitFor();
      await expect.poll(() => pagePixel(page), { timeout: 15_000 }).toEqual(near(bytesOf(BLUE)));
      await shot(page, "recording-board-replay-slide1");
      await expect.poll(() => redPixels(page), { timeout: 15_000 }).toBeGreaterThan(50);
      // Zoomable: closer, the slide is drawn again at the new zoom (crisp) and the stroke grows.
      const fitZoom = Number(await page.getByTestId("recording-board-canvas").getAttribute("data-zoom"));
      const redBefore = await redPixels(page);
      await page.getByTestId("recording-board-zoom-in").click();
      await page.getByTestId("recording-board-zoom-in").click();
      await page.waitForFunction((before) => {
        const zoom = Number(document.querySelector('[data-testid="recording-board-canvas"]')?.getAttribute("data-zoom"));
        const drawn = Number(document.querySelector<HTMLCanvasElement>('[data-testid="recording-board-page"]')?.dataset.zoom);
        return zoom > before * 1.5 && Math.abs(drawn - zoom) < 1e-9;
      }, fitZoom);
      await expect.poll(() => redPixels(page), { timeout: 15_000 }).toBeGreaterThan(redBefore * 1.2);
      await expect.poll(() => pagePixel(page), { timeout: 15_000 }).toEqual(near(bytesOf(BLUE)));
      await page.getByTestId("recording-board-zoom-fit").click();

      // After the turn: slide 2 (green), no drawings on it.
      await seekTo(turnAt + 800);
      await page.waitForSelector(`[data-testid="recording-board-frame"][data-page="2"][data-elements="0"]`);
      await page.waitForSelector(`[data-testid="recording-board-page"][data-rendered="pdf:${material.id}/2"]`, { timeout: 30_000 });
      await expect.poll(() => pagePixel(page), { timeout: 15_000 }).toEqual(near(bytesOf(GREEN)));
      await expect.poll(() => redPixels(page), { timeout: 15_000 }).toBe(0);

      // Back before the slide was shown: the board was not on the stage (a backwards seek recomputes).
      await seekTo(Math.max(0, board.ops[0]!.offsetMs - 700));
      await page.getByTestId("recording-board-off").waitFor();
      // A slide's moment seeks there.
      await slideMarkers.first().click();
      await page.waitForSelector(`[data-testid="recording-board-frame"][data-page="1"]`);
      await ctx.close();

      // A share link's viewer was not in the class, yet sees the slides the recording showed (read through the link), with the drawings.
      const { token: shareToken } = await post<{ token: string }>(`/api/v1/recordings/${recording.id}/share`, {});
      const guestCtx = await newContext(web.browser, base);
      const guest = await guestCtx.newPage();
      await guest.goto(`/shared/recordings/${shareToken}`);
      await guest.waitForFunction(
        (seconds) => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]');
          return !!video && video.readyState >= 1 && video.duration > seconds;
        },
        (drawAt + 400) / 1000,
        { timeout: 30_000 },
      );
      await guest.locator('[data-testid="recording-marker"][data-kind="slide"]').filter({ hasText: "Slide 1 — Photosynthesis" }).waitFor();
      await guest.evaluate(
        (seconds) => {
          const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-video"]')!;
          video.pause();
          video.currentTime = seconds;
        },
        (drawAt + 400) / 1000,
      );
      await guest.waitForSelector('[data-testid="recording-board-frame"][data-page="1"][data-elements="1"]');
      await guest.waitForSelector(`[data-testid="recording-board-page"][data-rendered="pdf:${material.id}/1"]`, { timeout: 30_000 });
      await expect.poll(() => pagePixel(guest), { timeout: 15_000 }).toEqual(near(bytesOf(BLUE)));
      await expect.poll(() => redPixels(guest), { timeout: 15_000 }).toBeGreaterThan(50);
      await shot(guest, "recording-board-replay-shared");
      await guestCtx.close();
    } finally {
      socket.close();
    }
  }, 300_000);
});

/** Each channel within 12 of the expected byte. */
function near(expected: number[]) {
  return expected.map((value) => expect.toSatisfy((actual: number) => Math.abs(actual - value) <= 12));
}

/** The slide canvas's pixel at the middle of the board's top quarter (away from the stroke), as [r, g, b]. */
function pagePixel(page: import("playwright-core").Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="recording-board-page"]');
    const context = canvas?.getContext("2d");
    if (!canvas || !context || canvas.width === 0) return [];
    const data = context.getImageData(Math.round(canvas.width / 2), Math.round(canvas.height / 4), 1, 1).data;
    return [data[0]!, data[1]!, data[2]!];
  });
}

/** How many strongly red pixels the board's drawing canvases hold. */
function redPixels(page: import("playwright-core").Page): Promise<number> {
  return page.evaluate(() => {
    let count = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('[data-testid="recording-board-canvas"] .board-replay-excalidraw canvas')) {
      const context = canvas.getContext("2d");
      if (!context || canvas.width === 0 || canvas.height === 0) continue;
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) if (data[i]! > 180 && data[i + 1]! < 90 && data[i + 2]! < 90 && data[i + 3]! > 200) count++;
    }
    return count;
  });
}
