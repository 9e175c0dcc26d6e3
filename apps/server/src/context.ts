import type { Logger } from "pino";
import type { Config } from "./config/index.js";
import type { DatabaseHandle, DB } from "./db/index.js";
import type { Mailer } from "./mail/index.js";
import type { AccountService } from "./auth/service.js";
import type { Authenticator } from "./auth/guard.js";
import type { RoomRecords, RoomService } from "./rooms/index.js";
import type { ChatService } from "./rooms/chat/index.js";
import type { AttendanceService } from "./attendance/index.js";
import type { SignallingServer, RoomStatsService, LiveState, MediaBridge } from "./signalling/index.js";
import type { RecordingModule } from "./recording/index.js";

/** The services every capability's routes may use; built once by `compose`. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  db: DB;
  mailer: Mailer;
  accounts: AccountService;
  auth: Authenticator;
  log: Logger;
  /** Shared live state of the rooms (memory or Redis). */
  liveState: LiveState;
  /** Rooms as stored records (what the live classroom and the numbers use). */
  roomRecords: RoomRecords;
  /** Rooms as the REST API manages them (ending and changes reach the live classroom). */
  rooms: RoomService;
  chat: ChatService;
  attendance: AttendanceService;
  roomStats: RoomStatsService;
  /** Socket.IO, the live classroom and its hooks (`signalling.hooks`, `signalling.defineHandler`). */
  signalling: SignallingServer;
  /** Socket media events → the SFU; undefined when media is off (VTP_MEDIA=off). */
  media: MediaBridge | undefined;
  recording: RecordingModule;
  startedAt: number;
  version: string;
}
