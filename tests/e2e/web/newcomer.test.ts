import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import { chromiumMissing, joinClassUi, linkFromOutbox, newContext, shot, signInUi, uniqueEmail, verifiedUser, webE2E } from "./harness";

const skip =
  chromiumMissing() || (!existsSync("/usr/bin/ffmpeg") && process.env.CI !== "true" ? "ffmpeg missing: skipping the newcomer walk (it records)" : false);
if (skip) console.warn(skip);

/** What a new teacher and new students meet, walked as they would, in real Chromium. */
describe.skipIf(Boolean(skip))("web: a newcomer's walk through a class", () => {
  const web = webE2E();

  const toast = (page: Page, text: string) => page.locator('[data-testid="toast"]', { hasText: text }).waitFor();
  /** Calls the API as the person signed in on `page` (a fresh token from the refresh cookie). */
  const apiAs = (page: Page, method: string, path: string, body?: unknown) =>
    page.evaluate(
      async ([httpMethod, urlPath, payload]) => {
        const token = (await (await fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json())
          .accessToken as string;
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (payload !== undefined) headers["content-type"] = "application/json";
        const res = await fetch(urlPath as string, {
          method: httpMethod as string,
          headers,
          body: payload === undefined ? undefined : JSON.stringify(payload),
        });
        return res.json();
      },
      [method, path, body] as const,
    );

  it("signed-out pages stay quiet; the forgotten-password page keeps the email", async () => {
    const ctx = await newContext(web.browser, web.server.url);
    const page = await ctx.newPage();
    const unauthorized: string[] = [];
    page.on("response", (response) => response.status() === 401 && unauthorized.push(response.url()));
    page.on("console", (msg) => msg.type() === "error" && unauthorized.push(`console: ${msg.text()}`));
    await page.goto("/");
    await page.getByTestId("landing-sign-up").waitFor();
    expect(await page.textContent("body")).not.toContain("no accounts to juggle");
    await page.goto("/sign-in");
    await page.getByTestId("signin-email").fill("forgetful@example.org");
    await page.getByTestId("signin-forgot").click();
    await page.waitForURL("**/forgot-password**");
    expect(await page.getByTestId("forgot-email").inputValue()).toBe("forgetful@example.org");
    expect(unauthorized).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("mute and role notices by name, the whole picture on the stage, named markers, refusals at once, invitations through sign-up, recordings from the class page", async () => {
    const [teacher, bo] = await Promise.all([verifiedUser(web.server, "teacher", "Ada Teacher"), verifiedUser(web.server, "student", "Bo Student")]);

    // The teacher creates a class without a start time: it is "Not started", not "Scheduled".
    const tctx = await newContext(web.browser, web.server.url);
    const tp = await tctx.newPage();
    await signInUi(tp, teacher);
    await tp.getByTestId("new-class").click();
    await tp.getByTestId("class-title").fill("Photosynthesis");
    await tp.getByTestId("create-class-submit").click();
    const card = tp.getByTestId("class-card").first();
    expect((await card.getByTestId("room-status").textContent())?.trim()).toBe("Not started");
    expect(await card.textContent()).toContain("Not scheduled — start any time");
    const code = (await tp.getByTestId("class-code").first().textContent())!.trim();
    await tp.getByTestId("start-class").first().click();
    await tp.getByTestId("prejoin-join").click();
    await tp.getByTestId("classroom").waitFor();
    const roomId = new URL(tp.url()).pathname.split("/").pop()!;

    // Bo joins; the teacher's camera fills the stage uncropped (contain), small tiles stay cropped.
    const { ctx: bctx, page: bp } = await joinClassUi(web.browser, web.server, bo, code);
    await bp.getByTestId("classroom").waitFor();
    await bp.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>(".stage-main video");
        return !!video && video.videoWidth > 0 && video.currentTime > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await bp.$eval(".stage-main video", (video) => getComputedStyle(video).objectFit)).toBe("contain");
    await shot(bp, "newcomer-stage-contain");

    // Allowed to speak: Bo is told, and the teacher's list says "Speaker".
    await tp.getByTestId("control-participants").click();
    const row = tp.locator(`[data-testid="participant"][data-role="student"]`).first();
    expect((await row.getByTestId("promote").textContent())?.trim()).toBe("Allow to speak");
    expect(await row.getByTestId("promote").getAttribute("title")).toContain("Speaker");
    await row.getByTestId("promote").click();
    await toast(bp, "The teacher allowed you to speak");
    const speakerRow = tp.locator(`[data-testid="participant"][data-role="presenter"]`).first();
    expect((await speakerRow.getByTestId("participant-role").textContent())?.trim()).toBe("Speaker");

    // Muted by the teacher: Bo reads the teacher's name, not an id.
    await bp.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')!.disabled);
    await bp.getByTestId("control-mic").click();
    await speakerRow.getByTestId("mute-participant").waitFor({ timeout: 30_000 });
    await speakerRow.getByTestId("mute-participant").click();
    await toast(bp, "Ada Teacher muted your microphone.");
    expect(await bp.getByTestId("toast").textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);

    // Made a student again: Bo is told.
    await speakerRow.getByTestId("demote").click();
    await toast(bp, "listener again");
    await bp.waitForFunction(() => document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')!.disabled);

    // The teacher records and names a moment.
    await tp.getByTestId("control-record").click();
    await tp.getByTestId("recording-indicator").waitFor({ timeout: 30_000 });
    await tp.getByTestId("control-marker").click();
    await tp.getByTestId("marker-label").fill("Light reactions");
    await tp.getByTestId("marker-save").click();
    await toast(tp, "Moment marked in the recording.");
    await tp.getByTestId("control-record").click();
    await tp.getByTestId("recording-indicator").waitFor({ state: "detached", timeout: 30_000 });
    const recId = (await apiAs(tp, "GET", `/api/v1/recordings?roomId=${roomId}`)).recordings[0].id as string;
    const rec = (await apiAs(tp, "GET", `/api/v1/recordings/${recId}`)).recording;
    expect(rec.markers.map((m: { label: string }) => m.label)).toContain("Light reactions");

    // Removed: reopening the link says so at once, before any device set-up, with the way back.
    await tp.locator(`[data-testid="participant"][data-role="student"]`).first().getByTestId("remove-participant").click();
    await bp.locator('[data-testid="room-end-screen"][data-phase="removed"]').waitFor();
    await bp.goto(`/join/${code}`);
    await bp.locator('[data-testid="room-end-screen"][data-phase="removed"]').waitFor();
    expect(await bp.getByTestId("room-end-title").textContent()).toBe("You were removed from this class");
    expect(await bp.getByTestId("room-end-class").textContent()).toContain("Photosynthesis");
    expect(await bp.getByTestId("prejoin-join").count()).toBe(0);
    expect(await bp.getByTestId("rejoin").count()).toBe(0);
    await shot(bp, "newcomer-removed-reopens-link");
    await bp.getByTestId("back-to-dashboard").click();
    await bp.waitForURL("**/dashboard");

    // Cy follows the invitation link without an account: sign up, verify, sign in, and land in the class.
    const cctx = await newContext(web.browser, web.server.url);
    const cp = await cctx.newPage();
    await cp.goto(`/join/${code}`);
    await cp.waitForURL("**/sign-in?next=**");
    await cp.getByTestId("signin-to-signup").click();
    await cp.waitForURL("**/sign-up?next=**");
    const cy = { email: uniqueEmail("cy"), password: "a good password 1" };
    await cp.getByTestId("signup-name").fill("Cy Newcomer");
    await cp.getByTestId("signup-email").fill(cy.email);
    await cp.getByTestId("signup-password").fill(cy.password);
    await cp.getByTestId("signup-submit").click();
    await cp.getByTestId("check-email-address").waitFor();
    // The mail's link, opened in the same browser (a new tab, as a mail client would).
    const link = await linkFromOutbox(web.server, cy.email, "/verify-email");
    const vp = await cctx.newPage();
    await vp.goto(link);
    await vp.getByTestId("verify-success").waitFor();
    await vp.getByTestId("verify-continue").click();
    await vp.waitForURL("**/sign-in?**");
    expect(await vp.getByTestId("signin-email").inputValue()).toBe(cy.email);
    await vp.getByTestId("signin-password").fill(cy.password);
    await vp.getByTestId("signin-submit").click();
    await vp.waitForURL(`**/room/${roomId}`);
    await vp.getByTestId("prejoin-join").waitFor();
    await shot(vp, "newcomer-invited-lands-in-class");

    // The class details page links to the recording.
    await tp.goto(`/classes/${roomId}`);
    const recLink = tp.getByTestId("class-recording-link").first();
    await recLink.waitFor();
    expect(await recLink.getAttribute("data-recording-id")).toBe(recId);
    await recLink.click();
    await tp.waitForURL(`**/recordings/${recId}`);

    // Bo's card of the ended class links to the recording once the teacher shares it with the class, not before.
    await apiAs(tp, "POST", `/api/v1/rooms/${roomId}/end`, {});
    await bp.reload();
    const boCard = bp.locator(`[data-testid="class-card"][data-room-id="${roomId}"][data-status="ended"]`);
    await boCard.waitFor();
    expect(await boCard.getByTestId("class-card-recording").count()).toBe(0);
    expect((await apiAs(tp, "PATCH", `/api/v1/recordings/${recId}`, { visibility: "participants" })).recording.visibility).toBe("participants");
    await bp.reload();
    await boCard.getByTestId("class-card-recording").click();
    await bp.waitForURL(`**/recordings/${recId}`);
    await Promise.all([tctx.close(), bctx.close(), cctx.close()]);
  }, 300_000);
});
