import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { composeArgs, type ComposeInput } from "../../../apps/server/src/recording/compose.js";
import {
  tileRegion,
  contentProblems,
  framesPerSecond,
  isPicture,
  isScreenColour,
  STAGE,
  testPattern,
  vp8Realtime,
  within,
} from "../../helpers/media-content.js";

const run = promisify(execFile);
const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP compose hold test: ffmpeg is not installed (apt-get install ffmpeg)");

const dir = mkdtempSync(path.join(os.tmpdir(), "vtp-compose-hold-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A VP8 track file as the recorder writes one (Matroska), `seconds` long. */
async function track(name: string, seconds: number, pattern: string) {
  const file = path.join(dir, `${name}.mkv`);
  await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", pattern, "-t", String(seconds), ...vp8Realtime("300k"), file]);
  return file;
}
const magenta = testPattern("640x360", true);
const pattern = testPattern("640x360");
const video = (source: "camera" | "screen", producer: string) => ({ kind: "video" as const, source, user_id: "teacher", producer_id: producer });

describe.skipIf(!hasFfmpeg)("composing a recording", () => {
  it("holds a video's last frame until its part ended (a still slide sends no frames), and not after", async () => {
    // The screen's media lasts 2 s but the share lasted from 1 s to 5 s; a later share (2 s of
    // media, from 6.5 s) has no known end (a crash) and shows only while it has frames.
    const inputs: ComposeInput[] = [
      { file: await track("camera", 9, pattern), offsetMs: 0, endOffsetMs: 9000, track: video("camera", "cam") },
      { file: await track("screen", 2, magenta), offsetMs: 1000, endOffsetMs: 5000, track: video("screen", "screen") },
      { file: await track("screen-crashed", 2, magenta), offsetMs: 6500, track: video("screen", "screen-2") },
    ];
    const mp4 = path.join(dir, "out.mp4");
    await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...composeArgs(inputs, { hostId: "teacher", durationS: 10, output: mp4 })]);

    const problems = await contentProblems(
      mp4,
      {
        durationS: 10,
        cameras: [],
        screens: [
          { from: 1, to: 5 },
          { from: 6.5, to: 8.5 },
        ],
        mics: [],
      },
      "MP4",
    );
    expect(problems, problems.join("\n")).toEqual([]);
    const frames = await framesPerSecond(mp4);
    const after = [...within(frames, 5.5, 6.4), ...within(frames, 9, 10)];
    expect(after.length).toBeGreaterThan(0);
    expect(
      after.filter((f) => isScreenColour(f)).map((f) => f.t),
      "the stage shows the camera again after each share",
    ).toEqual([]);
  });

  it("shows the first frame of a camera that was live at Record from the start while its key frame was late (and nothing before one switched on later)", async () => {
    // The teacher's camera was live at Record (liveFromMs 0) but its first key frame came 1.5 s
    // later (a busy browser); the same media from a camera switched on at 1.5 s (no liveFromMs).
    const file = await track("teacher-late", 4.5, pattern);
    const stage = async (liveFromMs?: number) => {
      const input: ComposeInput = {
        file,
        offsetMs: 1500,
        endOffsetMs: 6000,
        ...(liveFromMs === undefined ? {} : { liveFromMs }),
        track: video("camera", "cam"),
      };
      const mp4 = path.join(dir, `late-key-${liveFromMs ?? "none"}.mp4`);
      await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...composeArgs([input], { hostId: "teacher", durationS: 6, output: mp4 })]);
      const frames = await framesPerSecond(mp4);
      expect(frames.length).toBeGreaterThanOrEqual(5);
      return (from: number, to: number) => within(frames, from, to).map((f) => isPicture(f, STAGE));
    };
    const live = await stage(0);
    expect(live(0, 6), "live at Record: a picture from the first second").not.toContain(false);
    const later = await stage(undefined);
    expect(later(0, 1.4), "switched on later: nothing before its media").not.toContain(true);
    expect(later(2, 6), "switched on later: a picture once its media began").not.toContain(false);
  });
  it("holds the first frame of a student's camera tile whose key frame came 7.1 s after Record (past the former 5 s limit)", async () => {
    // A CI run's student camera answered the recorder's key-frame request after 5.3 s; its tile was empty until then.
    const host = await track("host-flat", 12, "color=c=gray:s=640x360:r=15");
    const late = await track("student-late", 5, pattern);
    const inputs: ComposeInput[] = [
      { file: host, offsetMs: 0, endOffsetMs: 12000, track: video("camera", "cam") },
      { file: late, offsetMs: 7100, endOffsetMs: 12000, liveFromMs: 0, track: { kind: "video", source: "camera", user_id: "student", producer_id: "stu" } },
    ];
    const mp4 = path.join(dir, "late-key-tile.mp4");
    await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...composeArgs(inputs, { hostId: "teacher", durationS: 12, output: mp4 })]);
    const frames = await framesPerSecond(mp4);
    expect(frames.length).toBeGreaterThanOrEqual(11);
    expect(
      within(frames, 0, 12).map((f) => isPicture(f, tileRegion(0))),
      "the tile shows a picture every second",
    ).not.toContain(false);
  });
});
