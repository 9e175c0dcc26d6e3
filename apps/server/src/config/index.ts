import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { SettingsReader } from "./settings.js";
import { readMediaSettings, type MediaSettings } from "../media/config.js";
import { readSignallingSettings, type SignallingSettings } from "../signalling/settings.js";
import { readIceSettings, type IceConfig } from "../rtc/settings.js";
import { readRecordingSettings, type RecordingSettings } from "../recording/settings.js";
import { readStorageSettings, type StorageSettings } from "../storage/settings.js";
import { readDatabaseSettings, type DatabaseSettings } from "../db/settings.js";
import { readAuthSettings, type AuthSettings } from "../auth/settings.js";
import { readMediaLoadSettings, type MediaLoadSettings } from "../media-load/settings.js";
import { readMaterialsSettings, type MaterialsSettings } from "../materials/settings.js";
import { readLiveSettings, type LiveSettings } from "../live/settings.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
/** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
export type LogFormat = "auto" | "json" | "pretty";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  publicUrl: string;
  smtpUrl?: string;
  mailFrom: string;
  jwtSecret: string;
  bcryptCost: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Origins whose pages may call the API and Socket.IO with credentials: PUBLIC_URL's, plus CORS_ORIGINS. */
  corsOrigins: string[];
  trustProxy: boolean;
  adminEmail?: string;
  adminPassword?: string;
  redisUrl?: string;
  /** Seconds a dropped socket keeps its participant before it counts as left. */
  reconnectGraceSeconds: number;
  /** With Redis: a server process that has not renewed its heartbeat for this long is dead, and its connections are dropped. */
  nodeTimeoutSeconds: number;
  /** Requests per minute per IP on each sign-in / sign-up style route. */
  authRateLimitPerMinute: number;
  /** Bearer token that GET /metrics requires; without it /metrics answers 404 METRICS_DISABLED. */
  metricsToken?: string;
  /** Serve the built web client from this folder when it exists. */
  webDistDir: string;
  /** Each capability's own settings, parsed by the parser it exports and checked here at start. */
  media: MediaSettings;
  signalling: SignallingSettings;
  ice: IceConfig;
  recording: RecordingSettings;
  storage: StorageSettings;
  database: DatabaseSettings;
  auth: AuthSettings;
  mediaLoad: MediaLoadSettings;
  materials: MaterialsSettings;
  live: LiveSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS: LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const LOG_FORMATS: LogFormat[] = ["auto", "json", "pretty"];

/**
 * Reads and validates the configuration from environment variables. Every bad value is
 * reported at once with a clear message (ConfigError); nothing starts on a bad config.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { persistSecret?: boolean } = {}): Config {
  const read = new SettingsReader(env);
  const problems = read.problems;
  const int = read.int.bind(read);
  const url = read.url.bind(read);

  const port = int("PORT", 8080, 0, 65535);
  const host = env.HOST || "0.0.0.0";
  const dataDir = path.resolve(env.VTP_DATA_DIR || "./data");
  const databaseUrl = url("DATABASE_URL", ["postgres:", "postgresql:"]);
  const publicUrl = (url("PUBLIC_URL", ["http:", "https:"]) ?? `http://localhost:${port || 8080}`).replace(/\/+$/, "");
  const smtpUrl = url("SMTP_URL", ["smtp:", "smtps:"]);
  const mailFrom = env.MAIL_FROM || "VTP <no-reply@vtp.local>";
  if (!/^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom))
    problems.push(`MAIL_FROM must be an email address, optionally with a name ("VTP <no-reply@school.org>")`);
  const bcryptCost = int("BCRYPT_COST", 12, 4, 15);
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${env.LOG_LEVEL}")`);
  const logFormat = (env.LOG_FORMAT || "auto") as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(", ")} (got "${env.LOG_FORMAT}")`);
  const redisUrl = url("REDIS_URL", ["redis:", "rediss:"]);
  const reconnectGraceSeconds = int("RECONNECT_GRACE_SECONDS", 30, 0, 3600);
  const nodeTimeoutSeconds = int("NODE_TIMEOUT_SECONDS", 10, 2, 600);
  const authRateLimitPerMinute = int("AUTH_RATE_LIMIT_PER_MINUTE", 30, 1, 1_000_000);

  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken)))
    problems.push("METRICS_TOKEN must be at least 16 characters, without spaces");

  const corsOrigins = readCorsOrigins(env.CORS_ORIGINS, publicUrl, problems);

  let jwtSecret = env.JWT_SECRET ?? "";
  if (jwtSecret && Buffer.byteLength(jwtSecret) < 32) problems.push("JWT_SECRET must be at least 32 characters long");

  const adminEmail = env.VTP_ADMIN_EMAIL || undefined;
  const adminPassword = env.VTP_ADMIN_PASSWORD || undefined;
  if (Boolean(adminEmail) !== Boolean(adminPassword)) problems.push("VTP_ADMIN_EMAIL and VTP_ADMIN_PASSWORD must be set together");

  const media = readMediaSettings(read);
  const signalling = readSignallingSettings(read);
  const ice = readIceSettings(read);
  const recording = readRecordingSettings(read);
  const storage = readStorageSettings(read);
  const database = readDatabaseSettings(read);
  const auth = readAuthSettings(read);
  const mediaLoad = readMediaLoadSettings(read);
  const materials = readMaterialsSettings(read);
  const live = readLiveSettings(read);

  if (problems.length) throw new ConfigError(problems);

  if (!jwtSecret) jwtSecret = opts.persistSecret === false ? randomBytes(32).toString("base64url") : loadOrCreateSecret(dataDir);

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    smtpUrl,
    mailFrom,
    jwtSecret,
    bcryptCost,
    logLevel,
    logFormat,
    corsOrigins,
    trustProxy: env.TRUST_PROXY === "true" || env.TRUST_PROXY === "1",
    adminEmail,
    adminPassword,
    redisUrl,
    reconnectGraceSeconds,
    nodeTimeoutSeconds,
    authRateLimitPerMinute,
    metricsToken,
    webDistDir: path.resolve(env.VTP_WEB_DIST || new URL("../../../web/dist", import.meta.url).pathname),
    media,
    signalling,
    ice,
    recording,
    storage,
    database,
    auth,
    mediaLoad,
    materials,
    live,
  };
}

/**
 * The origins answered with CORS headers (credentials included): PUBLIC_URL's own origin and
 * those listed in CORS_ORIGINS. `*` is refused: any site could then act with a visitor's cookies.
 */
function readCorsOrigins(value: string | undefined, publicUrl: string, problems: string[]): string[] {
  const origins = new Set<string>();
  try {
    origins.add(new URL(publicUrl).origin);
  } catch {
    // PUBLIC_URL's own problem is reported where it is read.
  }
  for (const item of (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === "*") {
      problems.push("CORS_ORIGINS must list origins (https://app.school.org): `*` would let any website use a signed-in visitor's session");
      continue;
    }
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== item.replace(/\/$/, "")) {
      problems.push(`CORS_ORIGINS must be a comma-separated list of origins like https://app.school.org, without a path (got "${item}")`);
      continue;
    }
    origins.add(url.origin);
  }
  return [...origins];
}

/** JWT_SECRET, when not given, is generated on first start and kept in the data dir. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
