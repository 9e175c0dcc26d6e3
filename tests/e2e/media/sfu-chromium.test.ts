import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { io } from "socket.io-client";
import { ackOf, type ClientSocket } from "../../helpers/socket";
import { expectDecoding, mediaE2E } from "./stats";
import { chromiumMissing, newContext, shot, signInUi, verifiedUser } from "../web/harness";

/**
 * The SFU in real Chromium: it forwards a teacher's camera, microphone and screen share
 * to students, checked with WebRTC's own statistics (getStats), not only with <video> state.
 */
const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED Chromium SFU tests: ${skip}`);

describe.skipIf(Boolean(skip))("SFU in real Chromium: camera, microphone and screen from teacher to class", () => {
  const e2e = mediaE2E();

  async function open(who: { email: string; password: string; fullName: string }) {
    const ctx = await newContext(e2e.browser, e2e.server.url);
    await e2e.watch(ctx, who.fullName);
    const page = await ctx.newPage();
    await signInUi(page, who);
    return page;
  }
  async function joinByCode(page: Page, code: string) {
    await page.goto(`/join/${code}`);
    await page.getByTestId("prejoin-join").click();
    await page.getByTestId("classroom").waitFor();
  }
  const screenTile = '[data-testid="video-tile"][data-screen="true"]';

  it("students decode camera + mic + screen; a late joiner gets all three; stopping the share removes it; only presenters publish", async ({
    onTestFailed,
  }) => {
    e2e.printOnFailure(onTestFailed);
    const server = e2e.server;
    const [teacher, s1, s2, s3, s4] = await Promise.all([
      verifiedUser(server, "teacher", "Tina Teacher"),
      verifiedUser(server, "student", "Ann Student"),
      verifiedUser(server, "student", "Ben Student"),
      verifiedUser(server, "student", "Cat Latecomer"),
      verifiedUser(server, "student", "Dan Socket"),
    ]);

    const tp = await open(teacher);
    await tp.getByTestId("new-class").click();
    await tp.getByTestId("class-title").fill("Physics — waves");
    await tp.getByTestId("create-class-submit").click();
    const card = tp.getByTestId("class-card").first();
    const code = (await card.getByTestId("class-code").textContent())!.trim();
    const roomId = (await card.getAttribute("data-room-id"))!;
    await card.getByTestId("start-class").click();
    await tp.getByTestId("prejoin-join").click();
    await tp.getByTestId("classroom").waitFor();
    await tp.getByTestId("control-screen").click();

    const [p1, p2] = await Promise.all([open(s1), open(s2)]);
    await Promise.all([joinByCode(p1, code), joinByCode(p2, code)]);
    for (const p of [p1, p2]) {
      await p.locator(screenTile).waitFor({ timeout: 30_000 });
      await expectDecoding(p, 2, "students: camera + screen"); // camera + screen
    }
    await shot(p1, "sfu-student-receives-camera-and-screen");

    // A late joiner receives every producer that already exists.
    const p3 = await open(s3);
    await joinByCode(p3, code);
    await p3.locator(screenTile).waitFor({ timeout: 30_000 });
    await expectDecoding(p3, 2, "late joiner: camera + screen");
    expect(await p3.locator('[data-testid="remote-audio"]').count()).toBeGreaterThanOrEqual(1);

    // Stopping the share removes it for everyone; the camera keeps going.
    await tp.getByTestId("control-screen").click();
    for (const p of [p1, p2, p3]) await p.locator(screenTile).waitFor({ state: "detached", timeout: 30_000 });
    await expectDecoding(p1, 1, "after the share stopped: camera");

    // A student who is not a presenter is refused by the server when producing.
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: s4.email, password: s4.password }),
    }).then((res) => res.json());
    const sock: ClientSocket = io(server.url, { auth: { token: login.accessToken }, transports: ["websocket"] });
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once("connect", () => resolve());
        sock.once("connect_error", reject);
      });
      expect((await ackOf(sock, "join-room", { roomId })).ok).toBe(true);
      const tr = await ackOf(sock, "create-transport", { direction: "send" });
      const produced = await ackOf(sock, "produce", { transportId: tr.transportId ?? "x", kind: "video", source: "camera" });
      expect(produced.ok).toBe(false);
      expect(produced.error.code).toBe("NOT_ALLOWED_TO_PUBLISH");
      // and the student's own controls are disabled in the browser
      expect(await p1.getByTestId("control-camera").isDisabled()).toBe(true);
    } finally {
      sock.close();
    }

    // After promotion the student's camera reaches the others.
    const s1Id = await p1.evaluate(() =>
      fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
        .then((res) => res.json())
        .then((body) => body.user.id as string),
    );
    await tp.getByTestId("control-participants").click();
    await tp.locator(`[data-testid="participant"][data-user-id="${s1Id}"]`).getByTestId("promote").click();
    await p1.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="control-camera"]')!.disabled, undefined, { timeout: 15_000 });
    if ((await p1.getByTestId("control-camera").getAttribute("aria-pressed")) !== "true") await p1.getByTestId("control-camera").click();
    await p2.waitForFunction(
      (id) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-testid="video-tile"][data-user-id="${id}"] video`);
        return !!video && video.videoWidth > 0 && video.currentTime > 0;
      },
      s1Id,
      { timeout: 30_000 },
    );
    await expectDecoding(p2, 2, "promoted student reaches others"); // teacher's camera + the promoted student's camera
    await shot(p2, "sfu-student-sees-promoted-student");
  });
});
