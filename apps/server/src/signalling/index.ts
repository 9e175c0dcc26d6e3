import type { Config } from "../config/index.js";
import { MemoryLiveState, RedisLiveState, type LiveState } from "./state/index.js";

export { SignallingServer, type VtpServer, type VtpSocket, type SignallingOptions } from "./SignallingServer.js";
export { RoomHooks, type RoomHookEvents, type RoomHookName } from "./hooks.js";
export type { SocketHandler, HandlerContext, SocketData } from "./handlers.js";
export type { Classroom, Session } from "./Classroom.js";
export type { ClassroomControls } from "./ClassroomControls.js";
export { RoomStatsService } from "./stats.js";
export { signallingRoutes } from "./routes.js";
export { MediaBridge, MediaEventSchemas } from "./MediaBridge.js";
export { canPublish } from "./dto.js";
export type { LiveState, LiveParticipant } from "./state/index.js";

/** Key prefix for everything this deployment keeps in Redis (VTP_REDIS_PREFIX, default "vtp:"). */
export function redisPrefix(config: Pick<Config, "env">): string {
  return config.env.VTP_REDIS_PREFIX || "vtp:";
}

/** Redis when REDIS_URL is set (shared by all nodes), otherwise this process's memory. */
export function createLiveState(config: Pick<Config, "redisUrl" | "env">): LiveState {
  return config.redisUrl ? new RedisLiveState(config.redisUrl, redisPrefix(config)) : new MemoryLiveState();
}

/** VTP_SOCKET_EVENT_RATE="perSecond/burst": each socket's event budget (default 50 per second, bursts of 200). */
export function socketEventRate(config: Pick<Config, "env">): { perSecond: number; burst: number } {
  const m = /^(\d+)\/(\d+)$/.exec(config.env.VTP_SOCKET_EVENT_RATE ?? "");
  return { perSecond: Math.max(1, m ? Number(m[1]) : 50), burst: Math.max(1, m ? Number(m[2]) : 200) };
}

/** VTP_CHAT_RATE_LIMIT="max/seconds" (default 10 messages per 10 s per user and room). */
export function chatLimits(config: Pick<Config, "env">): { max: number; windowMs: number } {
  const m = /^(\d+)\/(\d+)$/.exec(config.env.VTP_CHAT_RATE_LIMIT ?? "");
  const max = m ? Number(m[1]) : 10;
  const secs = m ? Number(m[2]) : 10;
  return { max: Math.max(1, max), windowMs: Math.max(1, secs) * 1000 };
}
