import { io } from "socket.io-client";
import { describe, expect, it, onTestFinished } from "vitest";
import type { ProducerInfo } from "@vtp/protocol";
import { ackOf, type ClientSocket } from "../../helpers/socket";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();
if (skip) console.warn(skip);

/**
 * A join storm, made deterministic: one media worker whose admission gate runs one set-up at a time
 * (docs/MEDIA.md "Join storms"), lets one more wait 1 s, and gives a place back only when the set-up
 * ends (connected, failed, closed — no timeout within the test). A socket client in the class takes
 * the place with a set-up it never completes (the first consume of a recv transport, whose offer it
 * never answers); the student who joins then waits: MEDIA_BUSY, again and again.
 */
describe.skipIf(Boolean(skip))("web: the 'you are queued' notice during a join storm", () => {
  const web = webE2E({
    MEDIA_WORKERS: "1",
    MEDIA_ADMISSION_CONCURRENCY: "1",
    MEDIA_ADMISSION_QUEUE: "1",
    MEDIA_ADMISSION_WAIT_MS: "1000",
    MEDIA_ADMISSION_SETUP_TIMEOUT_MS: "600000",
  });

  it("the student sees a polite status while the media server makes them wait, then the teacher's camera", async () => {
    const [teacher, student, blocker] = await Promise.all([
      verifiedUser(web.server, "teacher", "Quinn Teacher"),
      verifiedUser(web.server, "student", "Ola Student"),
      verifiedUser(web.server, "student", "Bea Blocker"),
    ]);
    const { page: tp, ctx: tctx, code } = await startClassUi(web.browser, web.server, teacher, { title: "Join storm" });
    const roomId = new URL(tp.url()).pathname.split("/").pop()!;
    const teacherId = await tp.evaluate(() =>
      fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
        .then((res) => res.json())
        .then((body: { user: { id: string } }) => body.user.id),
    );

    // The blocker joins over the socket and takes the gate's one place: it consumes the teacher's
    // camera (the recv transport's set-up starts) and never answers the offer.
    const login = await fetch(`${web.server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: blocker.email, password: blocker.password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const socket: ClientSocket = io(web.server.url, {
      path: "/socket.io/",
      transports: ["websocket"],
      auth: { token: accessToken },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    onTestFinished(() => void socket.disconnect());
    const announced: ProducerInfo[] = [];
    socket.on("new-producer", (event) => void announced.push(event.producer));
    expect((await ackOf(socket, "join-room", { roomId })).ok).toBe(true);
    const recv = await ackOf(socket, "create-transport", { direction: "recv" });
    expect(recv.ok, JSON.stringify(recv.error)).toBe(true);
    const teacherCamera = () => [...recv.producers, ...announced].find((p) => p.source === "camera");
    await expect.poll(teacherCamera, { timeout: 30_000 }).toBeTruthy();
    const held = await ackOf(socket, "consume", { transportId: recv.transportId, producerId: teacherCamera()!.producerId });
    expect(held.ok, JSON.stringify(held.error)).toBe(true);

    // The student joins: the status says why nothing shows yet, politely, to screen readers too.
    const { page: sp, ctx: sctx } = await joinClassUi(web.browser, web.server, student, code);
    await sp.getByTestId("classroom").waitFor();
    const notice = sp.getByTestId("media-queued");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.getAttribute("role")).toBe("status");
    expect(await notice.getAttribute("aria-live")).toBe("polite");
    expect(await notice.textContent()).toContain("Many people are joining right now — connecting your audio and video in a moment");
    expect(await sp.getByRole("status").filter({ hasText: "Many people are joining right now" }).count()).toBe(1);
    const sel = `[data-testid="video-tile"][data-user-id="${teacherId}"] video`;
    const playing = (selector: string) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      return !!video && video.videoWidth > 0 && video.currentTime > 0;
    };
    expect(await sp.evaluate(playing, sel)).toBe(false);
    await shot(sp, "classroom-media-queued");
    // It is the wait, not an error: no toast, and the teacher's set-ups were done before, so no notice there.
    expect(await sp.getByTestId("toast").count()).toBe(0);
    expect(await tp.getByTestId("media-queued").count()).toBe(0);

    // The blocker leaves the media: its set-up ends, the place is free, the student's next try is let in.
    expect((await ackOf(socket, "leave-media", {})).ok).toBe(true);
    socket.disconnect();
    await notice.waitFor({ state: "detached", timeout: 30_000 });
    await sp.waitForFunction(playing, sel, { timeout: 90_000 });
    const t0 = await sp.$eval(sel, (video) => (video as HTMLVideoElement).currentTime);
    await sp.waitForFunction(
      ([selector, before]) => (document.querySelector<HTMLVideoElement>(selector as string)?.currentTime ?? 0) > (before as number) + 0.3,
      [sel, t0] as const,
      { timeout: 45_000 },
    );
    expect(await sp.getByTestId("media-queued").count()).toBe(0);
    expect(await sp.getByTestId("toast").count()).toBe(0);
    await Promise.all([tctx.close(), sctx.close()]);
  }, 240_000);
});
