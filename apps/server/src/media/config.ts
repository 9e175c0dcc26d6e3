import os from "node:os";
import type { ProducerSource } from "./types.js";

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
}

const int = (v: string | undefined, dflt: number, name: string): number => {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
};

export function mediaConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<MediaConfig> = {}): MediaConfig {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const cfg: MediaConfig = {
    workers: Math.max(1, int(env.MEDIA_WORKERS, cores, "MEDIA_WORKERS")),
    workerMode: env.MEDIA_WORKER_MODE === "inline" ? "inline" : "thread",
    rtcMinPort: int(env.RTC_MIN_PORT, 40000, "RTC_MIN_PORT"),
    rtcMaxPort: int(env.RTC_MAX_PORT, 49999, "RTC_MAX_PORT"),
    rtcListenIp: env.RTC_LISTEN_IP || undefined,
    rtcAnnouncedIp: env.RTC_ANNOUNCED_IP || undefined,
    rembBps: {
      camera: int(env.MEDIA_REMB_CAMERA_BPS, 1_500_000, "MEDIA_REMB_CAMERA_BPS"),
      screen: int(env.MEDIA_REMB_SCREEN_BPS, 2_500_000, "MEDIA_REMB_SCREEN_BPS"),
      microphone: 0,
      "screen-audio": 0,
    },
    pliThrottleMs: int(env.MEDIA_PLI_THROTTLE_MS, 500, "MEDIA_PLI_THROTTLE_MS"),
    negotiationTimeoutMs: int(env.MEDIA_NEGOTIATION_TIMEOUT_MS, 15_000, "MEDIA_NEGOTIATION_TIMEOUT_MS"),
    inactivityTimeoutMs: int(env.MEDIA_INACTIVITY_TIMEOUT_MS, 15_000, "MEDIA_INACTIVITY_TIMEOUT_MS"),
    maxTransportsPerPeer: Math.max(2, int(env.MEDIA_MAX_TRANSPORTS_PER_PEER, 4, "MEDIA_MAX_TRANSPORTS_PER_PEER")),
    udpBufferBytes: int(env.MEDIA_UDP_BUFFER_BYTES, 4 * 1024 * 1024, "MEDIA_UDP_BUFFER_BYTES"),
    ...overrides,
  };
  if (cfg.rtcMaxPort <= cfg.rtcMinPort) throw new Error("RTC_MAX_PORT must be greater than RTC_MIN_PORT");
  if (cfg.rtcMaxPort > 65535) throw new Error("RTC_MAX_PORT must be at most 65535");
  return cfg;
}

/** The port sub-range of worker `index` among `count` workers (so workers never race for a port). */
export function workerPortRange(cfg: MediaConfig, index: number, count: number): [number, number] {
  const span = Math.floor((cfg.rtcMaxPort - cfg.rtcMinPort + 1) / count);
  if (span < 2) throw new Error("RTC port range too small for the number of media workers");
  const min = cfg.rtcMinPort + index * span;
  return [min, min + span - 1];
}
