/**
 * A student on a poor network (issue 15), with real packet loss and a real bandwidth limit: the
 * student's Chromium runs in a network namespace of the test's own, joined to this machine by a
 * veth pair shaped with `tc` (netem loss and delay, tbf 300 kbit/s). The server's RTC side listens
 * on this machine's end of the link; the teacher's Chromium publishes its fake camera as three
 * simulcast layers (and its microphone) over loopback.
 *
 * What a person would notice is asserted: while the link is limited the student keeps hearing the
 * teacher (audio decoded above silence), their video drops to the lowest layer, and their
 * connection-quality says poor (to them and to the host); pausing their video stops the server
 * sending it; once the limit is lifted the video comes back up and the quality is good again.
 * The pages only do RTCPeerConnection work; the signalling is driven from Node (socket.io-client).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import type { ConnectionQualityDto } from "@vtp/protocol";
import { CHROMIUM, chromiumMissing, newContext, verifiedUser, webE2E } from "../web/harness";
import { waitFor } from "../../helpers/wait.js";
import { createNetLab, netLabMissing, type NetLab } from "./netns";
import { connectAs, type Client } from "./signal";
import { audioPower, publishSimulcast, receiveStats, studentPage, type ReceiveStats } from "./pages";

const skip = chromiumMissing() || netLabMissing();
// Under CI (root, iproute2 and Chromium installed by .ci/run) the test must run, never skip.
const skipHere = Boolean(skip) && process.env.CI !== "true";
if (skipHere) console.warn(`SKIPPED poor-network test: ${skip}`);

describe.skipIf(skipHere)("a student on a poor network (netns + veth + tc): sound kept, lowest layer, quality poor → good", () => {
  let lab: NetLab | undefined;
  // Registered before webE2E's: the link exists before the server picks its RTC address.
  beforeAll(() => {
    lab = createNetLab(CHROMIUM);
  });
  const web = webE2E(() => ({ RTC_LISTEN_IP: lab?.hostIp ?? "127.0.0.1" }));
  const clients: Client[] = [];
  let studentBrowser: Browser | undefined;
  // Runs before webE2E's own after-all; removes the namespace and the link even when a test failed.
  afterAll(async () => {
    for (const c of clients) c.sock.close();
    await studentBrowser?.close().catch(() => {});
    lab?.destroy();
  });

  it("keeps the sound and drops to the lowest layer under 300 kbit/s with loss; pausing stops the video; recovers when the limit is lifted", async () => {
    const netLab = lab!;
    const [teacher, student, classmate] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Sid Slowlink"),
      verifiedUser(web.server, "student", "Val Wellconnected"),
    ]);
    const host = await connectAs(web.server, teacher);
    const viewer = await connectAs(web.server, student);
    const other = await connectAs(web.server, classmate);
    clients.push(host, viewer, other);
    const roomId = await host.createRoom("Poor network");
    await host.ok("join-room", { roomId });
    const joined = await viewer.ok("join-room", { roomId });
    const studentId = joined.participantId;
    const classmateId = (await other.ok("join-room", { roomId })).participantId;

    // --- the teacher publishes camera (l/m/h) and microphone over loopback ---
    const pubCtx = await newContext(web.browser, web.server.url);
    const pub = await pubCtx.newPage();
    await pub.goto("/api/v1/health"); // a secure context (127.0.0.1) for getUserMedia
    const { producerIds, widthOf } = await publishSimulcast(pub, host);
    // A classmate on loopback listens too: their quality must reach the host, never the student.
    const classmatePage = await pubCtx.newPage();
    await studentPage(classmatePage, other, { audio: producerIds.audio });

    // --- the student, in the namespace ---
    studentBrowser = await chromium.launch({
      executablePath: netLab.chromiumWrapper,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    const sub: Page = await (await studentBrowser.newContext()).newPage();
    const { videoConsumerId } = await studentPage(sub, viewer, producerIds);
    // The student's ceiling is the middle layer (the preference caps what bandwidth allows).
    await viewer.ok("set-preferred-layer", { consumerId: videoConsumerId, layer: "m" });

    const lowWidth = await waitFor("the publisher encodes l", () => widthOf("l"), 60_000);
    const decodesWidth = async (what: string, wanted: () => Promise<number | undefined>, timeoutMs: number) =>
      waitFor(
        what,
        async () => {
          const [stats, width] = await Promise.all([receiveStats(sub), wanted()]);
          return width !== undefined && stats.video.frameWidth === width && stats.video.framesDecoded > 0 ? stats : undefined;
        },
        { timeoutMs, intervalMs: 500 },
      );
    const before = await decodesWidth("the student decodes the m layer before the limit", () => widthOf("m"), 90_000);
    console.log(`before the limit: ${JSON.stringify(before)}; l is ${lowWidth} wide`);

    // --- the link to the student: 300 kbit/s, 40 ms, 3 % loss ---
    const qualityMark = viewer.quality.length;
    const shaping = netLab.limit({ rateKbit: 300, delayMs: 40, lossPercent: 3 });
    console.log(`the link to the student: 300 kbit/s (${shaping})`);
    const low = await decodesWidth("the student's video drops to the lowest layer", () => widthOf("l"), 60_000);
    console.log(`limited: ${JSON.stringify(low)}`);
    const poor = await waitFor("the student is told their connection is poor", () => viewer.quality.slice(qualityMark).find((q) => q.level === "poor"), 60_000);
    console.log(`quality while limited: ${JSON.stringify(poor)}`);
    expect(poor.participantId).toBe(studentId);
    expect(poor.advice, "the advice is to turn off incoming video").toBe("turn-off-video");
    await waitFor("the host sees the student's poor quality", () => host.quality.find((q) => q.participantId === studentId && q.level === "poor"), 30_000);
    await waitFor("the host sees the classmate's quality too", () => host.quality.find((q) => q.participantId === classmateId), 30_000);
    await waitFor("the classmate gets their own quality", () => other.quality.length > 0, 30_000);
    expect(
      viewer.quality.every((q) => q.participantId === studentId),
      "a student only gets their own quality",
    ).toBe(true);
    expect(
      other.quality.every((q) => q.participantId === classmateId),
      "…and so does the classmate",
    ).toBe(true);

    // The sound keeps decoding under the limit: samples flow and are louder than silence.
    const heard = await audioPower(sub, 5000);
    console.log(`audio while limited: ${JSON.stringify(heard)}`);
    expect(heard.samplesSeconds, "audio samples keep being decoded").toBeGreaterThan(3);
    expect(heard.power, "the decoded audio is above silence").toBeGreaterThan(1e-6);
    expect(heard.concealedRatio, "most of the audio is real, not concealment").toBeLessThan(0.5);

    // Low-bandwidth mode: pausing the video stops the server sending it; the audio goes on.
    expect((await viewer.ok("pause-consumer", { consumerId: videoConsumerId, paused: true })).paused).toBe(true);
    const paused = await waitFor(
      "no more video packets arrive once paused",
      async () => {
        const first = await receiveStats(sub);
        await new Promise((resolve) => setTimeout(resolve, 2000)); // a poll window, not a wait for something
        const second = await receiveStats(sub);
        const video = second.video.packetsReceived - first.video.packetsReceived;
        const audio = second.audio.packetsReceived - first.audio.packetsReceived;
        return video === 0 && audio > 20 ? { video, audio } : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 0 },
    );
    console.log(`paused: ${JSON.stringify(paused)}`);
    await viewer.ok("pause-consumer", { consumerId: videoConsumerId, paused: false });
    const resumedFrom = (await receiveStats(sub)).video.framesDecoded;
    await waitFor("video decodes again once resumed", async () => (await receiveStats(sub)).video.framesDecoded > resumedFrom + 10, 30_000);

    // --- the limit lifted: back up to the preferred layer, quality good again ---
    const liftMark = viewer.quality.length;
    const hostMark = host.quality.length;
    netLab.unlimit();
    const recovered: ReceiveStats = await decodesWidth("the student's video recovers to the m layer", () => widthOf("m"), 120_000);
    console.log(`recovered: ${JSON.stringify(recovered)}`);
    expect(recovered.video.frameWidth).toBeGreaterThan(lowWidth);
    const good = await waitFor("the student's quality is good again", () => viewer.quality.slice(liftMark).find((q) => q.level === "good"), 60_000);
    console.log(`quality after the limit: ${JSON.stringify(good)}`);
    await waitFor(
      "the host sees it good again",
      () => host.quality.slice(hostMark).find((q: ConnectionQualityDto) => q.participantId === studentId && q.level === "good"),
      30_000,
    );
    const after = await audioPower(sub, 3000);
    expect(after.power, "the sound is still there").toBeGreaterThan(1e-6);
  }, 420_000);
});
