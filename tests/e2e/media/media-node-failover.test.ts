import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { expectDecoding, mediaE2E } from "./stats";
import { chromiumMissing, DESKTOP, joinClassUi, startClassUi, verifiedUser } from "../web/harness";
import { startNodeProcess, TEST_SECRET } from "../../integration/media/helpers/modes.js";

/**
 * Scaled out: the app server uses two standalone media nodes (MEDIA_NODES). The node holding a
 * live class is killed (SIGKILL); the app server notices, tells the class (`media-reset`), and
 * the browsers start their media over on the other node: the student sees and hears the teacher
 * again without reloading the page.
 */
const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED Chromium media-node failover test: ${skip}`);

type Node = Awaited<ReturnType<typeof startNodeProcess>>;

describe.skipIf(Boolean(skip))("a media node dies during a class", () => {
  let nodes: Node[] = [];
  beforeAll(async () => {
    nodes = await Promise.all([startNodeProcess(59000), startNodeProcess(60000)]);
  }, 60_000);
  const e2e = mediaE2E(() => ({ MEDIA_NODES: nodes.map((n) => n.url).join(","), MEDIA_SECRET: TEST_SECRET }));
  afterAll(async () => {
    for (const n of nodes) await n.stop();
  });

  const roomsOn = async (node: Node) =>
    node.child.exitCode !== null || node.child.signalCode !== null
      ? []
      : ((await (await fetch(`${node.url}/rooms`, { headers: { "x-media-secret": TEST_SECRET } })).json()) as { rooms: { roomId: string; peers: number }[] })
          .rooms;

  it("the class moves to the other node and the student sees and hears the teacher again", async ({ onTestFailed }) => {
    e2e.printOnFailure(onTestFailed);
    const { server, browser } = e2e as { server: typeof e2e.server; browser: Browser };
    const [teacher, student] = await Promise.all([verifiedUser(server, "teacher", "Fay Failover"), verifiedUser(server, "student", "Sol Student")]);
    const watch = (who: string) => async (ctx: BrowserContext) => {
      await e2e.watch(ctx, who);
      // Remember whether the "reconnecting audio and video" banner ever showed (it may be brief).
      await ctx.addInitScript(() => {
        new MutationObserver(() => {
          if (document.querySelector('[data-testid="media-reconnecting"]')) (window as unknown as { __sawMediaBanner: boolean }).__sawMediaBanner = true;
        }).observe(document, { childList: true, subtree: true });
      });
    };
    const teacherUi = await startClassUi(browser, server, teacher, { title: "Failover", init: watch("teacher") });
    const roomId = new URL(teacherUi.page.url()).pathname.split("/").pop()!;
    const studentUi = await joinClassUi(browser, server, student, teacherUi.code, DESKTOP, watch("student"));
    await studentUi.page.getByTestId("classroom").waitFor();
    await expectDecoding(studentUi.page, 1, "before: camera + microphone");

    const holders = await Promise.all(nodes.map(async (n) => (await roomsOn(n)).some((r) => r.roomId === roomId)));
    expect(holders.filter(Boolean)).toHaveLength(1);
    const dead = nodes[holders.indexOf(true)];
    const other = nodes[holders.indexOf(false)];
    dead.child.kill("SIGKILL");

    // Both browsers start over on the surviving node.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const room = (await roomsOn(other)).find((r) => r.roomId === roomId);
      if (room && room.peers >= 2) break;
      if (Date.now() > deadline) throw new Error(`the class did not move to the other node: ${JSON.stringify(await roomsOn(other))}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await expectDecoding(studentUi.page, 1, "after the node died: camera + microphone from the other node");
    await studentUi.page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="video-tile"] video');
        return !!video && video.videoWidth > 0 && !video.paused;
      },
      undefined,
      { timeout: 15_000 },
    );
    expect(await studentUi.page.getByTestId("classroom").isVisible()).toBe(true);
    // The student was told, and the banner is gone once media is back.
    expect(await studentUi.page.evaluate(() => (window as unknown as { __sawMediaBanner?: boolean }).__sawMediaBanner)).toBe(true);
    await studentUi.page.getByTestId("media-reconnecting").waitFor({ state: "detached", timeout: 15_000 });
  });
});
