/**
 * Connection quality in the web client (loopback only; the poor link itself is
 * poor-network.test.ts): the student sees their own quality as a chip, the host sees it in the
 * people panel, and the student's "Audio only" makes the server stop sending them video while the
 * sound goes on; "All video" brings the pictures back.
 */
import { describe, expect, it } from "vitest";
import { CAPTURE_PCS, inbound } from "../media/stats";
import { chromiumMissing, joinClassUi, startClassUi, verifiedUser, webE2E } from "../web/harness";
import { waitFor } from "../../helpers/wait.js";

const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED quality UI test: ${skip}`);

describe.skipIf(Boolean(skip))("connection quality in the classroom: my chip, the host's list, audio only", () => {
  const web = webE2E();

  it("shows the student's quality to them and to the host; 'Audio only' stops incoming video, 'All video' restores it", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Qin Teacher"), verifiedUser(web.server, "student", "Quinn Student")]);
    const host = await startClassUi(web.browser, web.server, teacher, { title: "Quality" });
    const learner = await joinClassUi(web.browser, web.server, student, host.code, undefined, async (ctx) => {
      await ctx.addInitScript(CAPTURE_PCS);
    });
    const page = learner.page;
    await page.getByTestId("classroom").waitFor();
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const videoPackets = async () => sum((await inbound(page)).video.map((v) => v.packetsReceived));
    const audioPackets = async () => sum((await inbound(page)).audio.map((a) => a.packetsReceived));
    const frames = async () => sum((await inbound(page)).video.map((v) => v.framesDecoded));
    await waitFor("the student decodes the teacher's camera", async () => (await frames()) > 10, 60_000);

    // My own quality, measured by the server, as a chip (the banner opens by itself only when it is not good).
    const chipOrBanner = page.locator('[data-testid="quality-chip"], [data-testid="quality-advice"]');
    await chipOrBanner.first().waitFor({ timeout: 30_000 });
    const level = await page.getByTestId("quality-badge").first().getAttribute("data-level");
    expect(["good", "fair", "poor"]).toContain(level);

    // The host sees the student's quality in the people panel.
    await host.page.getByTestId("control-participants").click();
    const row = host.page.getByTestId("participant").filter({ hasText: "Quinn Student" });
    await row.getByTestId("quality-badge").waitFor({ timeout: 30_000 });

    // Audio only: no more video packets, the sound goes on.
    if (await page.getByTestId("quality-chip").isVisible()) await page.getByTestId("quality-chip").click();
    await page.getByTestId("receive-mode-audio").click();
    await expect.poll(() => page.getByTestId("receive-mode-audio").getAttribute("aria-pressed")).toBe("true");
    await waitFor(
      "no video arrives in audio-only mode while audio does",
      async () => {
        const [video, audio] = [await videoPackets(), await audioPackets()];
        await new Promise((resolve) => setTimeout(resolve, 2000)); // a measurement window
        return (await videoPackets()) === video && (await audioPackets()) > audio + 20;
      },
      { timeoutMs: 30_000, intervalMs: 0 },
    );

    // All video again: the pictures come back.
    await page.getByTestId("receive-mode-all").click();
    const resumedFrom = await frames();
    await waitFor("video decodes again", async () => (await frames()) > resumedFrom + 10, 30_000);
    await learner.ctx.close();
    await host.ctx.close();
  }, 240_000);
});
