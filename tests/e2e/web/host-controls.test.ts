import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumMissing, DESKTOP, joinClassUi, PHONE, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))("web: host controls in real Chromium", () => {
  const web = webE2E();

  const playing = (page: Page, sel: string) =>
    page.waitForFunction(
      (selector) => {
        const video = document.querySelector<HTMLVideoElement>(selector);
        return !!video && video.videoWidth > 0 && video.currentTime > 0;
      },
      sel,
      { timeout: 30_000 },
    );

  it("waiting room, screen share on the stage, mute, demote and remove", async () => {
    const [teacher, s1] = await Promise.all([verifiedUser(web.server, "teacher", "Ada Teacher"), verifiedUser(web.server, "student", "Bo Student")]);
    const { ctx: tctx, page: tp, code } = await startClassUi(web.browser, web.server, teacher, { title: "Controls", waitingRoom: true });

    // The student waits until admitted.
    const { ctx: sctx, page: sp } = await joinClassUi(web.browser, web.server, s1, code);
    await sp.getByTestId("waiting-room").waitFor();
    await tp.getByTestId("waiting-badge").waitFor();
    await tp.getByTestId("control-participants").click();
    await tp.getByTestId("waiting-person").waitFor();
    await shot(tp, "classroom-waiting-room-host");
    await tp.getByTestId("admit").click();
    await sp.getByTestId("classroom").waitFor();
    // The host's people panel and controls on a phone.
    await tp.setViewportSize(PHONE);
    await shot(tp, "classroom-host-people-phone");
    await tp.keyboard.press("Escape");
    await tp.getByTestId("participants-panel").waitFor({ state: "detached" });
    await shot(tp, "classroom-host-phone");
    await tp.setViewportSize(DESKTOP);

    // Chat: the host deletes a message and turns chat off.
    await sp.getByTestId("control-chat").click();
    await sp.getByTestId("chat-input").fill("an unkind word");
    await sp.getByTestId("chat-input").press("Enter");
    await tp.getByTestId("control-chat").click();
    await tp.locator('[data-testid="chat-message"]', { hasText: "an unkind word" }).getByTestId("chat-delete").click();
    await sp.locator('[data-testid="chat-message"][data-deleted="true"]', { hasText: "This message was deleted." }).waitFor();
    await tp.getByTestId("control-participants").click();
    await tp.getByTestId("toggle-chat-enabled").uncheck();
    await sp.getByText("The teacher has turned chat off.").waitFor();
    await tp.getByTestId("toggle-chat-enabled").check();
    await sp.getByTestId("chat-input").waitFor();
    await sp.getByRole("button", { name: "Close chat" }).click();

    const sid = await sp.evaluate(() =>
      fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
        .then((res) => res.json())
        .then((body) => body.user.id as string),
    );

    // Screen share: the stage shows it for the student.
    await tp.getByTestId("control-screen").click();
    await sp.locator('[data-testid="video-tile"][data-screen="true"]').waitFor({ timeout: 30_000 });
    await playing(sp, '[data-testid="video-tile"][data-screen="true"] video');
    await shot(sp, "classroom-screen-share-student");
    await tp.getByTestId("control-screen").click();
    await sp.locator('[data-testid="video-tile"][data-screen="true"]').waitFor({ state: "detached", timeout: 30_000 });

    // Promote, the student unmutes; the host mutes them; demote turns publishing off.
    const row = tp.locator(`[data-testid="participant"][data-user-id="${sid}"]`);
    await row.getByTestId("promote").click();
    await sp.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')!.disabled);
    await sp.getByTestId("control-mic").click();
    await row.getByTestId("mute-participant").waitFor({ timeout: 30_000 });
    await row.getByTestId("mute-participant").click();
    await sp.getByText("muted your microphone").waitFor();
    expect(await sp.getByTestId("control-mic").getAttribute("aria-pressed")).toBe("false");
    await row.getByTestId("demote").click();
    await sp.waitForFunction(() => document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')!.disabled);

    // Remove: the student is told and cannot come back.
    await row.getByTestId("remove-participant").click();
    await sp.locator('[data-testid="room-end-screen"][data-phase="removed"]').waitFor();
    await shot(sp, "classroom-removed-student");
    await sp.goto(`/join/${code}`);
    await sp.locator('[data-testid="room-end-screen"][data-phase="removed"]').waitFor();
    expect(await sp.getByTestId("room-end-screen").textContent()).toContain("removed");
    await Promise.all([tctx.close(), sctx.close()]);
  }, 240_000);
});
