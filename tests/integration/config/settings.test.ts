import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../apps/server/src/config/index.js";
import { DEFAULT_ADMISSION } from "../../../apps/server/src/media/admission/index.js";

/**
 * Every setting, including the ones each capability owns (media, signalling, ICE, recording,
 * storage), is checked when the configuration loads: a bad value stops the start with a message
 * naming the variable, instead of surfacing later as MEDIA_UNAVAILABLE in the first class or a
 * silent fallback.
 */
const base = { VTP_DATA_DIR: "/tmp/vtp-settings-test", JWT_SECRET: "x".repeat(32) };
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ ...base, ...env }, { persistSecret: false });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
};

describe("settings checked at start", () => {
  it("reports every bad capability setting at once, naming each variable", () => {
    const problems = problemsOf({
      RTC_MAX_PORT: "99999",
      MEDIA_WORKERS: "0",
      MEDIA_WORKER_MODE: "fibers",
      RTC_LISTEN_IP: "not-an-ip",
      MEDIA_UDP_BUFFER_BYTES: "-1",
      MEDIA_NODES: "http://media-1:4000,ftp://media-2",
      VTP_SOCKET_EVENT_RATE: "fast",
      VTP_CHAT_RATE_LIMIT: "0/10",
      TURN_TTL_SECONDS: "abc",
      STUN_URLS: "http://stun.example",
      RECORDING_CONCURRENCY: "abc",
      RECORDING_WORKER: "maybe",
      S3_BUCKET: "b",
      S3_ENDPOINT: "not a url",
      S3_ACCESS_KEY_ID: "only-the-key",
    });
    const expected = [
      /RTC_MAX_PORT must be a whole number from 1 to 65535/,
      /MEDIA_WORKERS must be a whole number from 1/,
      /MEDIA_WORKER_MODE must be one of thread, inline/,
      /RTC_LISTEN_IP must be an IPv4 address/,
      /MEDIA_UDP_BUFFER_BYTES must be a whole number/,
      /MEDIA_NODES must start with http: or https:/,
      /MEDIA_SECRET is required when MEDIA_NODES is set/,
      /VTP_SOCKET_EVENT_RATE must be perSecond\/burst/,
      /VTP_CHAT_RATE_LIMIT must be max\/seconds/,
      /TURN_TTL_SECONDS must be a whole number/,
      /STUN_URLS entries must start with stun:/,
      /RECORDING_CONCURRENCY must be a whole number from 1 to 64 \(got "abc"\)/,
      /RECORDING_WORKER must be true or false/,
      /S3_ENDPOINT is not a valid URL/,
      /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together/,
    ];
    for (const re of expected)
      expect(
        problems.some((p) => re.test(p)),
        `${re} in ${JSON.stringify(problems, null, 1)}`,
      ).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it("LIVE_CDN_URL must be an http(s) address, and needs the bucket (S3_BUCKET) it is served from", () => {
    expect(problemsOf({ LIVE_CDN_URL: "https://cdn.school.example/vtp" })).toEqual([
      "LIVE_CDN_URL needs S3_BUCKET: the live stream is pushed to that bucket for the CDN",
    ]);
    expect(problemsOf({ LIVE_CDN_URL: "ftp://cdn.school.example", S3_BUCKET: "b" }).join()).toMatch(/LIVE_CDN_URL must start with http: or https:/);
    const config = loadConfig({ ...base, LIVE_CDN_URL: "https://cdn.school.example/vtp/", S3_BUCKET: "b" }, { persistSecret: false });
    expect(config.live.cdnUrl).toBe("https://cdn.school.example/vtp");
  });

  it("a port range too small for the workers is refused at start", () => {
    expect(problemsOf({ RTC_MIN_PORT: "40000", RTC_MAX_PORT: "40002", MEDIA_WORKERS: "4" })).toEqual([
      "RTC_MIN_PORT–RTC_MAX_PORT must hold at least two ports per media worker (MEDIA_WORKERS)",
    ]);
    expect(problemsOf({ RTC_MIN_PORT: "45000", RTC_MAX_PORT: "44000" })).toEqual(["RTC_MAX_PORT must be greater than RTC_MIN_PORT"]);
  });

  it("parses good values into each capability's section; the raw environment is not kept", () => {
    const config = loadConfig(
      {
        ...base,
        MEDIA_WORKERS: "3",
        RTC_MIN_PORT: "41000",
        RTC_MAX_PORT: "41999",
        MEDIA_NODES: "http://media-1:4000, http://media-2:4000",
        MEDIA_SECRET: "a-long-media-secret",
        VTP_SOCKET_EVENT_RATE: "20/40",
        VTP_CHAT_RATE_LIMIT: "5/60",
        VTP_REDIS_PREFIX: "school-a:",
        STUN_URLS: "stun:stun.school.example:3478",
        RECORDING_WORKER: "false",
        RECORDING_CONCURRENCY: "2",
        S3_BUCKET: "recordings",
        S3_ENDPOINT: "http://127.0.0.1:9000",
      },
      { persistSecret: false },
    );
    expect(config.media).toMatchObject({
      enabled: true,
      nodes: ["http://media-1:4000", "http://media-2:4000"],
      local: { workers: 3, rtcMinPort: 41000, rtcMaxPort: 41999 },
    });
    expect(config.signalling).toEqual({ redisPrefix: "school-a:", socketEventRate: { perSecond: 20, burst: 40 }, chatLimits: { max: 5, windowMs: 60_000 } });
    expect(config.ice.stunUrls).toEqual(["stun:stun.school.example:3478"]);
    expect(config.recording).toMatchObject({ worker: false, concurrency: 2 });
    expect(config.storage.s3).toMatchObject({ bucket: "recordings", endpoint: "http://127.0.0.1:9000", forcePathStyle: true, region: "us-east-1" });
    expect("env" in config).toBe(false);
  });

  it("checks the media workers' admission settings (MEDIA_ADMISSION_*) at start and hands them to the workers", () => {
    expect(problemsOf({ MEDIA_ADMISSION_CONCURRENCY: "0", MEDIA_ADMISSION_LAG_MS: "soon", MEDIA_ADMISSION_WAIT_MS: "50" })).toEqual([
      'MEDIA_ADMISSION_CONCURRENCY must be a whole number from 1 to 1000 (got "0")',
      'MEDIA_ADMISSION_WAIT_MS must be a whole number from 100 to 600000 (got "50")',
      'MEDIA_ADMISSION_LAG_MS must be a whole number from 1 to 60000 (got "soon")',
    ]);
    const config = loadConfig(
      { ...base, MEDIA_ADMISSION_CONCURRENCY: "2", MEDIA_ADMISSION_LAG_MS: "80", MEDIA_ADMISSION_WAIT_MS: "20000" },
      { persistSecret: false },
    );
    expect(config.media.local.admission).toEqual({ concurrency: 2, queueLength: 2000, maxWaitMs: 20_000, lagLimitMs: 80, setupTimeoutMs: 15_000 });
    expect(loadConfig(base, { persistSecret: false }).media.local.admission).toEqual(DEFAULT_ADMISSION);
  });

  it("reads the media load sampler's interval and retention (defaults 60 s and 400 days)", () => {
    expect(loadConfig(base, { persistSecret: false }).mediaLoad).toEqual({ intervalSeconds: 60, retentionDays: 400 });
    const config = loadConfig({ ...base, MEDIA_LOAD_INTERVAL_SECONDS: "5", MEDIA_LOAD_RETENTION_DAYS: "30" }, { persistSecret: false });
    expect(config.mediaLoad).toEqual({ intervalSeconds: 5, retentionDays: 30 });
    expect(problemsOf({ MEDIA_LOAD_INTERVAL_SECONDS: "0", MEDIA_LOAD_RETENTION_DAYS: "forever" })).toEqual([
      'MEDIA_LOAD_INTERVAL_SECONDS must be a whole number from 1 to 3600 (got "0")',
      'MEDIA_LOAD_RETENTION_DAYS must be a whole number from 1 to 3650 (got "forever")',
    ]);
  });
});
