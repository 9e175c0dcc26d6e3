import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { expectDecoding, mediaE2E } from "./stats";
import { chromiumMissing, DESKTOP, joinClassUi, startClassUi, verifiedUser } from "../web/harness";

/**
 * A long class in real Chromium: every mute/unmute closes a producer and makes a new one. The
 * publisher reuses its m-line (no renegotiation, no SDP growth); the subscriber's recv transport,
 * which gains an inactive m-line per closed consumer, is rebuilt past a threshold (the default is
 * 24; this test sets 6 through localStorage `vtpRecvCompactAfter` to stay short) while the remote
 * streams keep playing.
 */
const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED Chromium long-class tests: ${skip}`);

const COMPACT_AFTER = 6;
const CYCLES = 8;

/** Per peer connection on the page: state, number of transceivers, and the SDP size. */
function pcs(page: Page) {
  return page.evaluate(() =>
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => ({
      state: pc.connectionState,
      transceivers: pc.getTransceivers().length,
      sending: pc.getSenders().length,
      sdpBytes: pc.localDescription?.sdp.length ?? 0,
    })),
  );
}

describe.skipIf(Boolean(skip))("a long class: mute and unmute many times", () => {
  const e2e = mediaE2E();

  const init = (who: string) => async (ctx: BrowserContext) => {
    await e2e.watch(ctx, who);
    await ctx.addInitScript((compactAfter) => localStorage.setItem("vtpRecvCompactAfter", String(compactAfter)), COMPACT_AFTER);
  };

  it("keeps the publisher's SDP fixed, rebuilds the subscriber's recv transport, and the class keeps hearing and seeing the teacher", async ({
    onTestFailed,
  }) => {
    e2e.printOnFailure(onTestFailed);
    const { server, browser } = e2e;
    const [teacher, student] = await Promise.all([verifiedUser(server, "teacher", "Tess Teacher"), verifiedUser(server, "student", "Sid Student")]);
    const teacherUi = await startClassUi(browser, server, teacher, { title: "Long class", init: init("teacher") });
    const studentUi = await joinClassUi(browser, server, student, teacherUi.code, DESKTOP, init("student"));
    await studentUi.page.getByTestId("classroom").waitFor();
    await expectDecoding(studentUi.page, 1, "before: camera + microphone");
    // The teacher's send transport (the one with senders; the teacher also has an idle recv one).
    const sendBefore = (await pcs(teacherUi.page)).filter((p) => p.state !== "closed" && p.sending > 0);
    expect(sendBefore).toHaveLength(1);

    const teacherTile = studentUi.page.locator(`[data-testid="video-tile"][data-user-id]`).first();
    const mic = teacherUi.page.getByTestId("control-mic");
    for (let i = 0; i < CYCLES; i++) {
      await mic.click(); // mute: the microphone producer closes
      await studentUi.page.waitForFunction(
        () => document.querySelector('[data-testid="video-tile"]')?.getAttribute("aria-label")?.includes("muted"),
        undefined,
        {
          timeout: 15_000,
        },
      );
      await mic.click(); // unmute: a new producer on the same m-line
      await studentUi.page.waitForFunction(
        () => !document.querySelector('[data-testid="video-tile"]')?.getAttribute("aria-label")?.includes("muted"),
        undefined,
        {
          timeout: 15_000,
        },
      );
    }
    expect(await teacherTile.getAttribute("aria-label")).not.toContain("muted");

    // The publisher: still one send transport with the same two m-lines (camera, microphone).
    const sendAfter = (await pcs(teacherUi.page)).filter((p) => p.state !== "closed" && p.sending > 0);
    expect(sendAfter).toHaveLength(1);
    expect(sendAfter[0].transceivers).toBe(sendBefore[0].transceivers);
    expect(sendAfter[0].sdpBytes).toBeLessThan(sendBefore[0].sdpBytes * 1.2);

    // The subscriber: the recv transport was rebuilt at least once; the live one holds few m-lines.
    await studentUi.page.waitForFunction(
      () => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.some((pc) => pc.connectionState === "closed"),
      undefined,
      {
        timeout: 15_000,
      },
    );
    const recv = await pcs(studentUi.page);
    const live = recv.filter((p) => p.state !== "closed");
    expect(recv.length).toBeGreaterThanOrEqual(2);
    expect(live).toHaveLength(1);
    expect(live[0].transceivers).toBeLessThan(2 + COMPACT_AFTER);

    // And the class still sees and hears the teacher, through the new transport.
    await expectDecoding(studentUi.page, 1, "after: camera + microphone");
    await studentUi.page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="video-tile"] video');
        return !!video && video.videoWidth > 0 && !video.paused;
      },
      undefined,
      { timeout: 15_000 },
    );
    const audioPlaying = await studentUi.page.evaluate(() =>
      [...document.querySelectorAll<HTMLAudioElement>("audio")].some((a) =>
        (a.srcObject as MediaStream | null)?.getAudioTracks().some((tr) => tr.readyState === "live"),
      ),
    );
    expect(audioPlaying).toBe(true);
  });
});
