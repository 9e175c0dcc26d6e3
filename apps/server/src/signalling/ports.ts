import type { ChatMessageDto, RoomDto, RoomRole, RoomSettingsPatch } from "@vtp/protocol";
import type { AccessChange, RoomAccess, RoomRow } from "../rooms/index.js";

/**
 * The rooms as the live classroom uses them (implemented by `RoomRecords`): the classroom's
 * rules need a room's row, a person's standing in it, its lifecycle and counters, and its
 * settings changed by the host in class.
 */
export interface RoomDirectory {
  find(roomId: string): Promise<RoomRow | undefined>;
  accessOf(roomId: string, userId: string): Promise<RoomAccess | undefined>;
  setAccess(roomId: string, userId: string, change: AccessChange): Promise<void>;
  /** true when this call changed the status. */
  markStatus(roomId: string, status: "live" | "ended"): Promise<boolean>;
  count(roomId: string, what: { participants: number } | "hand-raised"): Promise<void>;
  updateSettings(roomId: string, settings: RoomSettingsPatch): Promise<{ room: RoomDto; wasLive: boolean }>;
}

/** Who was in the room and when (implemented by `AttendanceService`). */
export interface AttendanceLog {
  joined(sessionId: string, roomId: string, userId: string, role: RoomRole, at: Date): Promise<void>;
  left(sessionId: string, at: Date): Promise<void>;
  roleChanged(sessionId: string, role: RoomRole): Promise<void>;
  closeRoom(roomId: string, at: Date): Promise<void>;
  /** One more hand raised in this attendance session (the class record counts them). */
  handRaised?(sessionId: string): Promise<void>;
}

/** The room's chat (implemented by `ChatService`). */
export interface ChatLog {
  send(roomId: string, user: { id: string; fullName: string }, text: string): Promise<ChatMessageDto>;
  delete(roomId: string, messageId: string, by: string): Promise<ChatMessageDto>;
  latest(roomId: string, count: number): Promise<ChatMessageDto[]>;
}
