/**
 * Talk time and camera-on time in real Chromium: two students whose fake microphones play known
 * speaking patterns (WAVs made with FFmpeg, one browser each, `--use-file-for-fake-audio-capture`)
 * publish for 40 s, one of them with its camera on; the SFU reads the RFC 6464 audio level of
 * their Opus packets and the app server writes `attendance.talk_ms` / `camera_ms`, read here from
 * PostgreSQL and compared with the truth of the patterns over the time each was published.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase } from "../../helpers/db.js";
import { sleep, waitFor } from "../../helpers/wait.js";
import { CAPTURE_PCS } from "./stats";
import { io } from "socket.io-client";
import { ackOf, type ClientSocket } from "../../helpers/socket";
import { chromiumMissing, ensureWebBuilt, joinClassUi, launchBrowser, startServer, verifiedUser, type Server } from "../web/harness";

const PG_BASE = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Each pattern repeats every 20 s: publishing for two whole cycles makes the truth independent of where the file was. */
const PUBLISH_MS = 40_000;

function missing(): string | false {
  const chromium = chromiumMissing();
  if (chromium) return chromium;
  if (spawnSync("ffmpeg", ["-version"]).status !== 0) return "ffmpeg not found";
  return false;
}
const skip = missing();
if (skip) console.warn(`SKIPPED talk-time test: ${skip}`);

/** A 20 s mono WAV from an FFmpeg aevalsrc expression of t. */
function makeWav(dir: string, name: string, expression: string): string {
  const file = path.join(dir, `${name}.wav`);
  const made = spawnSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `aevalsrc='${expression}':s=48000:d=20`,
    "-ac",
    "1",
    "-c:a",
    "pcm_s16le",
    file,
  ]);
  if (made.status !== 0) throw new Error(`ffmpeg failed: ${made.stderr}`);
  return file;
}

/** Packets sent so far by the page's outbound RTP of one kind. */
async function sent(page: Page, kind: "audio" | "video"): Promise<number> {
  return page.evaluate(async (wanted) => {
    let total = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsSent?: number }) => {
        if (s.type === "outbound-rtp" && s.kind === wanted) total += s.packetsSent ?? 0;
      });
    }
    return total;
  }, kind);
}

/** Clicks a control in the page itself (no actionability waits: the moment is part of the measurement). */
async function press(page: Page, control: "control-mic" | "control-camera"): Promise<void> {
  await page.evaluate((id) => document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!.click(), control);
}

/** Switches a control on; returns when it was pressed and when its first RTP packets left the browser. */
async function switchOn(page: Page, control: "control-mic" | "control-camera", kind: "audio" | "video"): Promise<{ pressedAt: number; flowingAt: number }> {
  await page.waitForFunction((id) => document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)?.disabled === false, control, { timeout: 15_000 });
  const before = await sent(page, kind);
  const pressedAt = Date.now();
  await press(page, control);
  await waitFor(`${control}: packets sent`, async () => (await sent(page, kind)) > before, { timeoutMs: 30_000, intervalMs: 25 });
  return { pressedAt, flowingAt: Date.now() };
}

/**
 * The speech in a window of `windowMs` of a pattern repeating every `periodMs`, loud for its first
 * `onMs`: whole periods count `onMs` each; the rest of the window may fall anywhere in the
 * pattern (the looped file's phase is not known), so the truth is a range.
 */
function speechRange(windowMs: number, periodMs: number, onMs: number): { low: number; high: number } {
  const whole = Math.floor(windowMs / periodMs) * onMs;
  const rest = windowMs % periodMs;
  return { low: whole + Math.max(0, rest - (periodMs - onMs)), high: whole + Math.min(rest, onMs) };
}

describe.skipIf(Boolean(skip))("talk time and camera-on time from real Chromium microphones (RFC 6464 audio levels)", () => {
  let server: Server;
  let dropDb: () => Promise<void> = async () => {};
  let db: pg.Client;
  let wavDir: string;
  const browsers: Browser[] = [];
  let hostSocket: ClientSocket | undefined;

  beforeAll(async () => {
    await ensureWebBuilt();
    const database = await createPgDatabase(PG_BASE);
    dropDb = database.drop;
    wavDir = mkdtempSync(path.join(tmpdir(), "vtp-talk-"));
    server = await startServer({ DATABASE_URL: database.url });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    hostSocket?.close();
    for (const browser of browsers) await browser.close();
    await server?.stop();
    await db?.end();
    await dropDb();
    if (wavDir) rmSync(wavDir, { recursive: true, force: true });
  });

  it("two students' talk time is within 10 % of their patterns, and a camera's on-time within 10 % (at least 2 s) of its span", async () => {
    // A 1 kHz tone 10 s on / 10 s off (50 %), and a voice-like warble in syllables (3 a second,
    // silent between them) 5 s on / 15 s off (25 %).
    const toneWav = makeWav(wavDir, "tone", "if(lt(t,10),0.5*sin(2*PI*1000*t),0)");
    const speechWav = makeWav(wavDir, "speech", "if(lt(t,5),0.6*sin(2*PI*(200+60*sin(2*PI*0.7*t))*t)*max(0,sin(2*PI*3*t)),0)");
    const [toneBrowser, speechBrowser] = await Promise.all([launchBrowser({ fakeAudioFile: toneWav }), launchBrowser({ fakeAudioFile: speechWav })]);
    browsers.push(toneBrowser, speechBrowser);
    const [teacher, ann, ben] = await Promise.all([
      verifiedUser(server, "teacher", "Tina Teacher"),
      verifiedUser(server, "student", "Ann Tone"),
      verifiedUser(server, "student", "Ben Speech"),
    ]);

    // The teacher creates a class where students may use their microphone and camera, and starts
    // it from a socket (no browser: this test is about the students' media).
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: teacher.email, password: teacher.password }),
    }).then((res) => res.json());
    const created = await fetch(`${server.url}/api/v1/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${login.accessToken}` },
      body: JSON.stringify({ title: "Talk time", settings: { studentsCanPublish: true } }),
    });
    expect(created.status).toBe(201);
    const { room } = (await created.json()) as { room: { id: string; code: string } };
    const roomId = room.id;
    hostSocket = io(server.url, { auth: { token: login.accessToken }, transports: ["websocket"] });
    const socket = hostSocket;
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    expect((await ackOf(socket, "join-room", { roomId })).ok).toBe(true);

    const capture = async (ctx: BrowserContext) => {
      await ctx.addInitScript(CAPTURE_PCS);
    };
    const [annIn, benIn] = await Promise.all([
      joinClassUi(toneBrowser, server, ann, room.code, undefined, capture),
      joinClassUi(speechBrowser, server, ben, room.code, undefined, capture),
    ]);
    for (const { page } of [annIn, benIn]) {
      await page.getByTestId("classroom").waitFor();
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="control-mic"]')?.disabled, undefined, { timeout: 15_000 });
    }

    // Ann: camera on, then the microphone; Ben: the microphone only. 40 s of publishing each.
    const camera = await switchOn(annIn.page, "control-camera", "video");
    const publish = async (page: Page) => {
      const { flowingAt } = await switchOn(page, "control-mic", "audio");
      const packetsBefore = await sent(page, "audio");
      await sleep(PUBLISH_MS - (Date.now() - flowingAt)); // the span the test is about
      const packets = (await sent(page, "audio")) - packetsBefore;
      await press(page, "control-mic");
      return { span: Date.now() - flowingAt, packets };
    };
    const [annMic, benMic] = await Promise.all([publish(annIn.page), publish(benIn.page)]);
    const annSpan = annMic.span;
    const benSpan = benMic.span;
    await press(annIn.page, "control-camera");
    // The camera producer exists from between the press and its first packet (the connection is
    // set up in between) until the press that turns it off.
    const cameraSpan = { low: Date.now() - camera.flowingAt, high: Date.now() - camera.pressedAt };

    const rowOf = async (email: string) => {
      const { rows } = await db.query<{ talk_ms: string; camera_ms: string }>(
        "select a.talk_ms, a.camera_ms from attendance a join users u on u.id = a.user_id where u.email = $1 and a.room_id = $2",
        [email, roomId],
      );
      return rows.length === 1 ? { talkMs: Number(rows[0].talk_ms), cameraMs: Number(rows[0].camera_ms) } : undefined;
    };
    // The periodic write (every 5 s) has put some of it in the database while the class runs…
    await waitFor("talk time in the database", async () => ((await rowOf(ann.email))?.talkMs ?? 0) > 0 && ((await rowOf(ben.email))?.talkMs ?? 0) > 0, {
      timeoutMs: 20_000,
      intervalMs: 500,
    });
    // …and a shutdown writes the rest.
    await server.stop();
    const annRow = (await rowOf(ann.email))!;
    const benRow = (await rowOf(ben.email))!;
    const annTruth = speechRange(annSpan, 20_000, 10_000);
    const benTruth = speechRange(benSpan, 20_000, 5_000);
    // Audio packets the browsers sent in the window (50 a second when the machine keeps up).
    const report = JSON.stringify({ annRow, annSpan, annTruth, annPackets: annMic.packets, benRow, benSpan, benTruth, benPackets: benMic.packets, cameraSpan });
    console.log(`talk time: ${report}`);
    expect(annRow.talkMs, `Ann (tone 10 s on / 10 s off): ${report}`).toBeGreaterThanOrEqual(annTruth.low * 0.9);
    expect(annRow.talkMs, `Ann (tone 10 s on / 10 s off): ${report}`).toBeLessThanOrEqual(annTruth.high * 1.1);
    expect(benRow.talkMs, `Ben (syllables 5 s on / 15 s off): ${report}`).toBeGreaterThanOrEqual(benTruth.low * 0.9);
    expect(benRow.talkMs, `Ben (syllables 5 s on / 15 s off): ${report}`).toBeLessThanOrEqual(benTruth.high * 1.1);
    const cameraSlack = Math.max(2000, cameraSpan.high * 0.1);
    expect(annRow.cameraMs, `Ann's camera: ${report}`).toBeGreaterThanOrEqual(cameraSpan.low - cameraSlack);
    expect(annRow.cameraMs, `Ann's camera: ${report}`).toBeLessThanOrEqual(cameraSpan.high + cameraSlack);
    expect(benRow.cameraMs, `Ben never turned his camera on: ${report}`).toBe(0);
  }, 240_000);
});
