import type { Logger } from "pino";
import type { Config } from "./config/index.js";
import type { DatabaseHandle, DB } from "./db/index.js";
import type { Mailer } from "./mail/index.js";
import type { AccountService } from "./auth/service.js";
import type { Authenticator } from "./auth/guard.js";
import type { RoomService } from "./rooms/index.js";
import type { ChatService } from "./rooms/chat/index.js";
import type { AttendanceService } from "./attendance/index.js";
import type { SignallingServer, RoomStatsService } from "./signalling/index.js";

/** The services every capability may use; built once in buildApp. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  db: DB;
  mailer: Mailer;
  accounts: AccountService;
  auth: Authenticator;
  log: Logger;
  rooms: RoomService;
  chat: ChatService;
  attendance: AttendanceService;
  roomStats: RoomStatsService;
  /** Socket.IO, the live classroom and its hooks (`signalling.hooks`, `signalling.registerHandler`). */
  signalling: SignallingServer;
  startedAt: number;
  version: string;
}
