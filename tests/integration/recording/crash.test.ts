import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createPgDatabase } from "../../helpers/db.js";
import { startVtp } from "../../helpers/process.js";
import { processedOn, recordAClass, signIn } from "./spawned.js";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
if (!hasFfmpeg && process.env.CI === "true") throw new Error("ffmpeg is required for the recording tests in CI");
if (!hasFfmpeg) console.warn("SKIP recording crash test: ffmpeg is not installed (apt-get install ffmpeg)");
const probe = async (url: string) =>
  JSON.parse((await promisify(execFile)("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", url])).stdout || "{}");

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const ADMIN = { email: "rec-admin@school.test", password: "admin password 123" };

describe.skipIf(!hasFfmpeg)("recording survives kill -9 of the server", () => {
  it("finalizes what was captured on the next start and processes it to a playable MP4", async () => {
    const env: Record<string, string> = {
      VTP_ADMIN_EMAIL: ADMIN.email,
      VTP_ADMIN_PASSWORD: ADMIN.password,
      MEDIA_WORKERS: "1",
      RTC_MIN_PORT: "54000",
      RTC_MAX_PORT: "54999",
      LOG_LEVEL: "warn",
    };
    if (process.env.TEST_DATABASE_URL) {
      const { url, drop } = await createPgDatabase(process.env.TEST_DATABASE_URL);
      cleanups.push(drop);
      env.DATABASE_URL = url;
    }
    const first = await startVtp(env);
    cleanups.push(() => first.stop("SIGKILL"));
    const { recordingId: id, startedAt, host, pub } = await recordAClass(first, ADMIN, { title: "Crash course", capturedMs: 5000, cleanups });
    const killedAt = Date.now();
    expect(await first.stop("SIGKILL")).toBeNull();
    const capturedS = (killedAt - startedAt) / 1000;
    await pub.close();
    host.close();

    const second = await startVtp({ ...env, VTP_DATA_DIR: first.dataDir });
    cleanups.push(() => second.stop("SIGTERM"));
    const rec = await processedOn(second, await signIn(second, ADMIN), id);
    expect(rec.error, second.output().slice(-3000)).toBeNull();
    expect(rec.status).toBe("ready");
    expect(rec.tracks.map((x: { status: string }) => x.status)).toEqual(["finalized", "finalized"]);
    const info = await probe(`${second.url}${rec.urls.download}`);
    expect(info.streams.map((x: { codec_name: string }) => x.codec_name).sort()).toEqual(["aac", "h264"]);
    // Everything captured before the kill is in the file.
    expect(Number(info.format.duration)).toBeGreaterThan(capturedS - 1);
    expect(Math.abs(Number(info.format.duration) - rec.durationSeconds)).toBeLessThan(1);
  });
});
