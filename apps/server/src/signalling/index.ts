import type { Config } from "../config/index.js";
import { MemoryLiveState, RedisLiveState, type LiveState } from "./state/index.js";

export { SignallingServer, type VtpServer, type VtpSocket, type SignallingOptions } from "./SignallingServer.js";
export { RoomHooks, type RoomHookEvents, type RoomHookName } from "./hooks.js";
export type { SocketHandler, HandlerContext, SocketData } from "./handlers.js";
export type { Classroom, Session } from "./Classroom.js";
export type { ClassroomControls } from "./ClassroomControls.js";
export { RoomStatsService } from "./stats.js";
export { signallingRoutes } from "./routes.js";
export { MediaBridge, MediaEventSchemas, refuseMediaEvents, type MediaSignalling } from "./MediaBridge.js";
export type { RoomDirectory, AttendanceLog, ChatLog } from "./ports.js";
export { Broadcaster } from "./Broadcaster.js";
export { canPublish } from "./dto.js";
export { readSignallingSettings, type SignallingSettings } from "./settings.js";
export type { LiveState, LiveParticipant } from "./state/index.js";

/** Redis when REDIS_URL is set (shared by all nodes), otherwise this process's memory. */
export function createLiveState(config: Pick<Config, "redisUrl" | "signalling">): LiveState {
  return config.redisUrl ? new RedisLiveState(config.redisUrl, config.signalling.redisPrefix) : new MemoryLiveState();
}
