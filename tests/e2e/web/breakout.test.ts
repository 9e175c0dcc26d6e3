/**
 * Breakout rooms in real Chromium: a teacher and four students; the teacher splits the class
 * into two groups by hand; each group sees (decoded, non-blank video) and hears (decoded audio
 * above silence) only its members; the teacher visits group 2 and is seen there; the teacher's
 * voice reaches both groups while speaking to all groups; the groups close and everyone is back
 * in the main room with media working; then timed groups, each recorded ("REC" in every group), run out by themselves.
 * Every microphone plays a voice-like sound (one fake audio file for the browser), so "heard" is the
 * decoded level of a person's audio track, read from WebRTC's receiver statistics.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { AUDIBLE_PEAK_DB, isPicture, type Frame } from "../../helpers/media-content";
import { waitFor } from "../../helpers/wait.js";
import { CAPTURE_PCS } from "../media/stats";
import { chromiumMissing, ensureWebBuilt, joinClassUi, launchBrowser, PHONE, shot, startClassUi, startServer, verifiedUser, type Server } from "./harness";
import { tileFrame } from "./tile-frame";

function missing(): string | false {
  const chromium = chromiumMissing();
  if (chromium) return chromium;
  if (spawnSync("ffmpeg", ["-version"]).status !== 0) {
    if (process.env.CI === "true") throw new Error("ffmpeg is required in CI");
    return "ffmpeg not found";
  }
  return false;
}
const skip = missing();
if (skip) console.warn(`SKIPPED breakout e2e: ${skip}`);

/**
 * A voice-like warble in syllables (3 a second, silent between them; a steady tone would be
 * removed by the browser's noise suppression as noise): every fake microphone of the browser plays it.
 */
function voiceWav(dir: string): string {
  const file = path.join(dir, "voice.wav");
  const made = spawnSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "aevalsrc='0.6*sin(2*PI*(200+60*sin(2*PI*0.7*t))*t)*max(0,sin(2*PI*3*t))':s=48000:d=20",
    "-ac",
    "1",
    "-c:a",
    "pcm_s16le",
    file,
  ]);
  if (made.status !== 0) throw new Error(`ffmpeg failed: ${made.stderr}`);
  return file;
}

type Person = { name: string; page: Page; ctx: BrowserContext; userId: string };

/** `viewer` sees `userId`'s camera: a decoded picture (not a flat frame) that keeps playing. */
async function sees(viewer: Person, userId: string, who: string) {
  let first: Frame | null = null;
  await waitFor(
    `${viewer.name} sees ${who}'s camera`,
    async () => {
      const frame = await tileFrame(viewer.page, userId);
      if (!frame || !isPicture(frame)) return false;
      if (!first) first = frame;
      return frame.t > first.t + 0.3;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

/**
 * The decoded audio of the remote audio elements whose peer id matches, in dBFS: the energy
 * WebRTC decoded (inbound-rtp totalAudioEnergy) over a second and a half.
 */
async function heardDb(page: Page, peerPrefix: string): Promise<number> {
  const energy = () =>
    page.evaluate(async (prefix) => {
      const audios = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')].filter((a) => a.dataset.peerId?.startsWith(prefix));
      const tracks = new Set(audios.flatMap((a) => (a.srcObject as MediaStream | null)?.getAudioTracks().map((t) => t.id) ?? []));
      let total = 0;
      let seconds = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === "closed") continue;
        for (const receiver of pc.getReceivers()) {
          if (!receiver.track || !tracks.has(receiver.track.id)) continue;
          (await receiver.getStats()).forEach((s: { type: string; totalAudioEnergy?: number; totalSamplesDuration?: number }) => {
            if (s.type !== "inbound-rtp") return;
            total += s.totalAudioEnergy ?? 0;
            seconds += s.totalSamplesDuration ?? 0;
          });
        }
      }
      return { total, seconds };
    }, peerPrefix);
  const before = await energy();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = await energy();
  const power = (after.total - before.total) / Math.max(1e-6, after.seconds - before.seconds);
  return power > 0 ? 10 * Math.log10(power) : -120;
}

/** `listener` hears `peerPrefix` (a participant id, or `broadcast:`) above silence. */
async function hears(listener: Person, peerPrefix: string, who: string) {
  let last = -120;
  await waitFor(
    `${listener.name} hears ${who}`,
    async () => {
      last = await heardDb(listener.page, peerPrefix);
      return last > AUDIBLE_PEAK_DB;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  ).catch((err) => {
    throw new Error(`${err instanceof Error ? err.message : err}; last level ${last.toFixed(1)} dBFS`);
  });
}

/**
 * The page's microphone is being sent: a connected connection's outbound audio packets rise by 20.
 * Counted per connection: a connection of the room just left may still be counted at the start and
 * close meanwhile (a sum over connections then fell, and the new one had to make up its count).
 */
async function sendsAudio(page: Page) {
  const sent = () =>
    page.evaluate(async () => {
      const counts: Record<number, number> = {};
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const [index, pc] of pcs.entries()) {
        if (pc.connectionState !== "connected") continue;
        let total = 0;
        (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsSent?: number }) => {
          if (s.type === "outbound-rtp" && s.kind === "audio") total += s.packetsSent ?? 0;
        });
        counts[index] = total;
      }
      return counts;
    });
  const before = await sent();
  await waitFor(
    "the teacher's microphone is sent",
    async () => Object.entries(await sent()).some(([index, count]) => count > (before[Number(index)] ?? 0) + 20),
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** The people on the page's stage and grid (account ids), and the peers whose audio it plays. */
const tileUsers = (page: Page) =>
  page.$$eval('[data-testid="video-tile"]:not([data-screen])', (tiles) => tiles.map((t) => t.getAttribute("data-user-id")).sort());
const audioPeers = (page: Page) => page.$$eval('[data-testid="remote-audio"]', (list) => list.map((a) => a.getAttribute("data-peer-id")).sort());
const participantIdOf = (viewer: Page, userId: string) =>
  viewer.locator(`[data-testid="video-tile"][data-user-id="${userId}"]`).first().getAttribute("data-participant-id") as Promise<string>;

describe.skipIf(Boolean(skip))("web: breakout rooms in real Chromium", () => {
  let server: Server;
  let browser: Browser;
  let wavDir: string;
  beforeAll(async () => {
    await ensureWebBuilt();
    wavDir = mkdtempSync(path.join(tmpdir(), "vtp-breakout-"));
    [server, browser] = await Promise.all([startServer({ RECONNECT_GRACE_SECONDS: "30" }), launchBrowser({ fakeAudioFile: voiceWav(wavDir) })]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (wavDir) rmSync(wavDir, { recursive: true, force: true });
  });

  // One retry, with new accounts and a new class: a media start or the speak-to-all audio in one
  // group still fails now and then on a loaded machine (issue 16's note); the cause is open.
  it("two groups see and hear only their members; the teacher visits and speaks to all; groups close and time runs out, everyone back with media", {
    retry: 1,
    timeout: 600_000,
  }, async () => {
    // A failed attempt is retried, and vitest then reports only the retry: say here what failed,
    // with every page's screenshot (breakout-failed-<n>.png), so a flake under load can be told apart.
    // Then its five browsers go: they must not load the machine during the retry.
    onTestFinished(async ({ task }) => {
      if (task.result?.state === "fail") {
        console.warn(`breakout: an attempt failed: ${(task.result.errors ?? []).map((error) => error.stack ?? error.message).join("\n")}`);
        const pages = browser.contexts().flatMap((ctx) => ctx.pages());
        await Promise.all(pages.map((page, index) => shot(page, `breakout-failed-${index}`).catch(() => {})));
      }
      await Promise.all(browser.contexts().map((ctx) => ctx.close().catch(() => {})));
    });
    const capture = async (ctx: BrowserContext) => {
      await ctx.addInitScript(CAPTURE_PCS);
      // Everyone turned the noise suppression effect off (Effects, remembered on the device): the test voice is synthetic.
      await ctx.addInitScript(() => localStorage.setItem("vtp.effects", JSON.stringify({ noiseSuppression: false })));
    };
    const names = ["Ann Red", "Ben Red", "Cleo Blue", "Dan Blue"];
    const [teacherAccount, ...studentAccounts] = await Promise.all([
      verifiedUser(server, "teacher", "Tess Teacher"),
      ...names.map((name) => verifiedUser(server, "student", name)),
    ]);
    const started = await startClassUi(browser, server, teacherAccount!, { title: "Biology — groups", init: capture });
    const joined = await Promise.all(
      studentAccounts.map((account, i) => joinClassUi(browser, server, account, started.code, i === 3 ? PHONE : undefined, capture)),
    );
    await Promise.all(joined.map(({ page }) => page.getByTestId("classroom").waitFor()));
    await started.page.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 5, undefined, { timeout: 60_000 });
    const userIds = await started.page.$$eval('[data-testid="video-tile"]', (tiles) =>
      tiles.map((t) => [t.getAttribute("aria-label"), t.getAttribute("data-user-id")]),
    );
    const byName = (name: string) => userIds.find(([label]) => label?.startsWith(name))?.[1] ?? "";
    const teacher: Person = { name: "Tess", page: started.page, ctx: started.ctx, userId: byName("Tess Teacher") };
    const [ann, ben, cleo, dan] = joined.map(({ page, ctx }, i) => ({ name: names[i]!, page, ctx, userId: byName(names[i]!) })) as Person[];
    const everyone = [teacher, ann!, ben!, cleo!, dan!];
    const red = [ann!, ben!];
    const blue = [cleo!, dan!];
    for (const person of everyone) expect(person.userId, person.name).not.toBe("");

    // The teacher opens two groups by hand: one person dragged, the others placed with the picker.
    const tp = teacher.page;
    await tp.getByTestId("control-breakout").click();
    const panel = tp.getByTestId("breakout-panel");
    await panel.getByTestId("breakout-mode-manual").check();
    await panel.getByTestId("breakout-name").nth(0).fill("Red team");
    await panel.getByTestId("breakout-name").nth(1).fill("Blue team");
    const chip = (person: Person) => panel.locator(`[data-testid="breakout-draft-person"][data-user-id="${person.userId}"]`);
    // Drag and drop as the browser delivers it (HTML5 drag events carrying a DataTransfer).
    const dataTransfer = await tp.evaluateHandle(() => new DataTransfer());
    const redZone = panel.locator('[data-testid="breakout-draft-group"][data-index="0"]');
    await chip(ann!).dispatchEvent("dragstart", { dataTransfer });
    await redZone.dispatchEvent("dragover", { dataTransfer });
    await redZone.dispatchEvent("drop", { dataTransfer });
    await panel.locator(`[data-testid="breakout-draft-group"][data-index="0"] [data-user-id="${ann!.userId}"]`).waitFor();
    for (const [person, group] of [
      [ben!, "Red team"],
      [cleo!, "Blue team"],
      [dan!, "Blue team"],
    ] as const)
      await panel.getByLabel(`Group for ${person.name}`).selectOption({ label: group });
    await panel.getByTestId("breakout-open-ended").check();
    await shot(tp, "breakout-teacher-setup");
    await panel.getByTestId("breakout-open").click();
    await panel.getByTestId("breakout-overview").waitFor();

    // Every student is in their group: its name on the bar; they turn camera and microphone on (no promotion needed).
    for (const [members, title] of [
      [red, "Red team"],
      [blue, "Blue team"],
    ] as const)
      for (const student of members) {
        await student.page.getByTestId("breakout-group-title").filter({ hasText: title }).waitFor({ timeout: 30_000 });
        for (const control of ["control-camera", "control-mic"]) {
          const button = student.page.getByTestId(control);
          await student.page.waitForFunction((id) => !document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)?.disabled, control);
          await button.click();
        }
      }
    await tp.getByTestId("breakout-group").first().waitFor();
    // Red's chat, kept after the groups close.
    await ann!.page.getByTestId("control-chat").click();
    await ann!.page.getByTestId("chat-input").fill("Mitochondria make the energy.");
    await ann!.page.getByTestId("chat-input").press("Enter");
    await ben!.page.getByTestId("control-chat").click();
    await ben!.page.locator('[data-testid="chat-message"]', { hasText: "Mitochondria make the energy." }).waitFor();
    await ben!.page.getByRole("button", { name: "Close chat" }).click();
    await ann!.page.getByRole("button", { name: "Close chat" }).click();

    // Each group sees and hears only its members.
    const participantIds = new Map<string, string>();
    for (const members of [red, blue]) {
      const [first, second] = members as [Person, Person];
      for (const [viewer, other] of [
        [first, second],
        [second, first],
      ] as const) {
        await sees(viewer, other.userId, other.name);
        const pid = await participantIdOf(viewer.page, other.userId);
        participantIds.set(other.userId, pid);
        await hears(viewer, pid, other.name);
        expect(await tileUsers(viewer.page), `${viewer.name}'s stage`).toEqual([first.userId, second.userId].sort());
        expect(await audioPeers(viewer.page), `${viewer.name} plays only ${other.name}'s audio`).toEqual([pid]);
      }
    }
    await shot(ann!.page, "breakout-student-in-group");
    await shot(dan!.page, "breakout-student-phone-in-group");

    // On a phone the group's controls are large enough to tap.
    const helpBox = await dan!.page.getByTestId("breakout-help").boundingBox();
    expect(helpBox).not.toBeNull();
    expect(Math.min(helpBox!.width, helpBox!.height), "Ask for help: tap size").toBeGreaterThanOrEqual(44);
    expect(helpBox!.x >= 0 && helpBox!.x + helpBox!.width <= PHONE.width, "Ask for help: on screen").toBe(true);

    // Dan asks for help: the teacher sees it on Blue's card and visits Blue; Blue sees the teacher.
    await dan!.page.getByTestId("breakout-help").click();
    const blueCard = tp.locator('[data-testid="breakout-group"][data-help="true"]');
    await blueCard.getByTestId("breakout-group-name").filter({ hasText: "Blue team" }).waitFor();
    await shot(tp, "breakout-teacher-overview");
    await blueCard.getByTestId("breakout-visit").click();
    await tp.getByTestId("breakout-group-title").filter({ hasText: "Blue team" }).waitFor();
    for (const student of blue) await sees(student, teacher.userId, "the visiting teacher");
    const teacherPid = await participantIdOf(cleo!.page, teacher.userId);
    await hears(cleo!, teacherPid, "the visiting teacher");
    for (const student of red) expect(await tileUsers(student.page)).not.toContain(teacher.userId);
    await sees(teacher, cleo!.userId, "Cleo in the group");

    // Back in the main room the teacher speaks to all groups: both groups show it and hear the teacher.
    await tp.getByTestId("breakout-leave").click();
    await tp.getByTestId("breakout-main-line").waitFor();
    await sendsAudio(tp);
    await tp.locator('[data-testid="breakout-speak-all"]:not([disabled])').click();
    await tp.locator('[data-testid="breakout-speak-all"][aria-pressed="true"]').waitFor();
    for (const student of [ann!, dan!]) {
      await student.page.getByTestId("breakout-broadcast-banner").waitFor();
      expect(await student.page.getByTestId("breakout-broadcast-banner").textContent()).toContain("Teacher is speaking to all groups");
      await hears(student, "broadcast:", "the teacher speaking to all groups");
    }
    await shot(ann!.page, "breakout-student-broadcast");
    await tp.getByTestId("breakout-speak-all").click();
    await ann!.page.getByTestId("breakout-broadcast-banner").waitFor({ state: "detached" });
    // A message to all groups.
    await tp.getByTestId("breakout-broadcast-input").fill("Five more minutes, then we share.");
    await tp.getByTestId("breakout-broadcast-send").click();
    for (const student of [ben!, cleo!])
      await student.page.locator('[data-testid="breakout-notice"][data-kind="broadcast"]', { hasText: "Five more minutes" }).waitFor();

    // The teacher closes the groups: a countdown, then everyone is back in the main room.
    await tp.getByTestId("breakout-close").click();
    await Promise.all(everyone.map((person) => person.page.getByTestId("breakout-closing").waitFor({ timeout: 20_000 })));
    await backInMainRoom(everyone, teacher);

    // The teacher shows Red's kept chat to the class.
    await tp.locator('[data-testid="breakout-kept-group"]', { hasText: "Red team" }).getByTestId("breakout-show").click();
    await dan!.page.locator('[data-testid="breakout-shown-message"]', { hasText: "Mitochondria make the energy." }).waitFor();

    // Timed groups (automatic, one minute): everyone sees the countdown; time runs out by itself.
    await tp.getByTestId("breakout-mode-auto").check();
    await tp.getByTestId("breakout-timed").check();
    await tp.getByTestId("breakout-minutes").fill("1");
    // …each group recorded: "REC" in every group, and on the teacher's line in the main room.
    await tp.getByTestId("breakout-record-groups").check();
    await tp.getByTestId("breakout-open").click();
    for (const student of [ann!, ben!, cleo!, dan!]) await student.page.getByTestId("breakout-countdown").waitFor({ timeout: 30_000 });
    for (const student of [ann!, ben!, cleo!, dan!]) await student.page.getByTestId("breakout-recording-indicator").waitFor();
    await tp.getByTestId("breakout-main-line").getByTestId("breakout-recording-indicator").waitFor();
    expect(await ann!.page.getByTestId("breakout-countdown").textContent()).toMatch(/^[01]:\d\d left$/);
    await ann!.page.getByTestId("breakout-closing").waitFor({ timeout: 120_000 });
    await backInMainRoom(everyone, teacher);
    await shot(tp, "breakout-teacher-back");
    await Promise.all(everyone.map((person) => person.ctx.close()));
  });

  /** No group bar any more, everyone on the stage, and the students see and hear the teacher again. */
  async function backInMainRoom(everyone: Person[], teacher: Person) {
    for (const person of everyone) {
      await person.page.getByTestId("breakout-here").waitFor({ state: "detached", timeout: 90_000 });
      await person.page.getByTestId("breakout-main-line").waitFor({ state: "detached", timeout: 30_000 });
      await person.page.waitForFunction(() => document.querySelectorAll('[data-testid="video-tile"]').length === 5, undefined, { timeout: 60_000 });
    }
    const teacherPid = await participantIdOf(everyone[1]!.page, teacher.userId);
    for (const student of everyone.slice(1)) {
      await sees(student, teacher.userId, "the teacher in the main room");
      await hears(student, teacherPid, "the teacher in the main room");
    }
  }
});
