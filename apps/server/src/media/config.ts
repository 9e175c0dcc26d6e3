import os from "node:os";
import { isIPv4 } from "node:net";
import { SettingsReader } from "../config/settings.js";
import type { ProducerSource } from "./types.js";
import type { AdmissionSettings } from "./admission/AdmissionGate.js";
import { readAdmissionSettings } from "./admission/settings.js";

/** Settings of the media layer. Everything is plain data so it can be posted to a worker thread. */
export interface MediaConfig {
  /** Number of media workers (default: number of CPU cores). */
  workers: number;
  /** "thread": each worker is a worker_thread; "inline": workers run in the calling thread. */
  workerMode: "thread" | "inline";
  /** UDP port range for ICE host candidates; split evenly between the workers. */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Local IPv4 address to bind (default: every non-internal interface, or loopback if none). */
  rtcListenIp?: string;
  /** Public address written into the candidates instead of the bound one (server behind NAT). */
  rtcAnnouncedIp?: string;
  /** REMB cap sent to publishers, bits per second, by source (audio sources are ignored). */
  rembBps: Record<ProducerSource, number>;
  /** Minimum milliseconds between two PLIs sent to the same publisher stream. */
  pliThrottleMs: number;
  /** Milliseconds a recv transport waits for the answer to an offer before consume fails. */
  negotiationTimeoutMs: number;
  /**
   * A connected transport that should be receiving (a send transport with producers, a recv
   * transport with started consumers: RTCP receiver reports) and got nothing for this long is
   * treated as vanished and closed ("failed"). ICE consent expiry (30 s) catches the rest.
   */
  inactivityTimeoutMs: number;
  /** Transports one participant may hold at once (a browser uses one send and one recv). */
  maxTransportsPerPeer: number;
  /**
   * Receive and send buffer asked of the kernel for each WebRTC UDP socket, in bytes (capped by
   * net.core.rmem_max / wmem_max). Rides out event-loop stalls without dropping packets.
   */
  udpBufferBytes: number;
  /**
   * A room stays on one worker (or node) until that one holds this many of its peers; later
   * peers go to the least-loaded one, the producers they subscribe to piped there (0: spread at once).
   */
  spreadThreshold: number;
  /** MEDIA_ADMISSION_*: how fast each worker admits transport set-ups (docs/MEDIA.md "Join storms"). */
  admission: AdmissionSettings;
}

/** Everything the server needs to know to run media, read at start (see `readMediaSettings`). */
export interface MediaSettings {
  /** VTP_MEDIA=off turns media off (media events answer MEDIA_UNAVAILABLE). */
  enabled: boolean;
  /** MEDIA_FAST_PATH=0 forwards through werift's own RTP sender (for comparison). */
  fastPath: boolean;
  /** MEDIA_NODES: remote `vtp media` nodes to use instead of in-process workers. */
  nodes: string[];
  /** MEDIA_SECRET: shared with the media nodes (required with MEDIA_NODES, and by `vtp media`). */
  secret?: string;
  /** The in-process workers' settings (also what a `vtp media` node runs with). */
  local: MediaConfig;
}

/** Reads the media layer's settings; problems go to the reader (reported at start). */
export function readMediaSettings(read: SettingsReader, overrides: Partial<MediaConfig> = {}): MediaSettings {
  const nodes = read.urlList("MEDIA_NODES", ["http:", "https:"]);
  const secret = read.text("MEDIA_SECRET");
  if (secret !== undefined && secret.length < 16) read.problem("MEDIA_SECRET must be at least 16 characters");
  if (nodes.length > 0 && secret === undefined) read.problem("MEDIA_SECRET is required when MEDIA_NODES is set");
  return {
    enabled: read.text("VTP_MEDIA") !== "off",
    fastPath: read.text("MEDIA_FAST_PATH") !== "0",
    nodes,
    secret,
    local: readLocalMediaConfig(read, overrides),
  };
}

function readLocalMediaConfig(read: SettingsReader, overrides: Partial<MediaConfig>): MediaConfig {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const hour = 3_600_000;
  const ip = (name: string): string | undefined => {
    const raw = read.text(name);
    if (raw !== undefined && !isIPv4(raw)) read.problem(`${name} must be an IPv4 address (got "${raw}")`);
    return raw !== undefined && isIPv4(raw) ? raw : undefined;
  };
  const cfg: MediaConfig = {
    workers: read.int("MEDIA_WORKERS", cores, 1, 256),
    workerMode: read.oneOf("MEDIA_WORKER_MODE", ["thread", "inline"] as const, "thread"),
    rtcMinPort: read.int("RTC_MIN_PORT", 40000, 1, 65535),
    rtcMaxPort: read.int("RTC_MAX_PORT", 49999, 1, 65535),
    rtcListenIp: ip("RTC_LISTEN_IP"),
    rtcAnnouncedIp: ip("RTC_ANNOUNCED_IP"),
    rembBps: {
      camera: read.int("MEDIA_REMB_CAMERA_BPS", 1_500_000, 0, 1_000_000_000),
      screen: read.int("MEDIA_REMB_SCREEN_BPS", 2_500_000, 0, 1_000_000_000),
      microphone: 0,
      "screen-audio": 0,
    },
    pliThrottleMs: read.int("MEDIA_PLI_THROTTLE_MS", 500, 0, 60_000),
    negotiationTimeoutMs: read.int("MEDIA_NEGOTIATION_TIMEOUT_MS", 15_000, 100, hour),
    inactivityTimeoutMs: read.int("MEDIA_INACTIVITY_TIMEOUT_MS", 15_000, 100, hour),
    maxTransportsPerPeer: read.int("MEDIA_MAX_TRANSPORTS_PER_PEER", 4, 2, 64),
    udpBufferBytes: read.int("MEDIA_UDP_BUFFER_BYTES", 4 * 1024 * 1024, 0, 1024 * 1024 * 1024),
    spreadThreshold: read.int("MEDIA_SPREAD_THRESHOLD", 60, 0, 100_000),
    admission: readAdmissionSettings(read),
    ...overrides,
  };
  if (cfg.rtcMaxPort <= cfg.rtcMinPort) read.problem("RTC_MAX_PORT must be greater than RTC_MIN_PORT");
  else if ((cfg.rtcMaxPort - cfg.rtcMinPort + 1) / cfg.workers < 2)
    read.problem("RTC_MIN_PORT–RTC_MAX_PORT must hold at least two ports per media worker (MEDIA_WORKERS)");
  return cfg;
}

/**
 * The in-process media settings from an environment, for callers that run media on their own
 * (`vtp media`, tests, benchmarks). Throws with every problem at once.
 */
export function mediaConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<MediaConfig> = {}): MediaConfig {
  const read = new SettingsReader(env);
  const cfg = readLocalMediaConfig(read, overrides);
  if (read.problems.length) throw new Error(read.problems.join("; "));
  return cfg;
}

/** The port sub-range of worker `index` among `count` workers (so workers never race for a port). */
export function workerPortRange(cfg: MediaConfig, index: number, count: number): [number, number] {
  const span = Math.floor((cfg.rtcMaxPort - cfg.rtcMinPort + 1) / count);
  if (span < 2) throw new Error("RTC port range too small for the number of media workers");
  const min = cfg.rtcMinPort + index * span;
  return [min, min + span - 1];
}
