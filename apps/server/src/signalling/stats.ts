import type { RoomStats } from "@vtp/protocol";
import type { RoomRecords, RoomRow } from "../rooms/index.js";
import type { ChatService } from "../rooms/chat/index.js";
import type { LiveState } from "./state/index.js";

/** Numbers about a room: live ones from the shared state, stored ones from the database. */
export class RoomStatsService {
  constructor(
    private readonly rooms: Pick<RoomRecords, "find" | "liveRoomIds">,
    private readonly chat: Pick<ChatService, "count">,
    private readonly state: LiveState,
  ) {}

  async of(room: RoomRow): Promise<RoomStats> {
    const [participants, waiting, messages] = await Promise.all([this.state.list(room.id), this.state.listWaiting(room.id), this.chat.count(room.id)]);
    const started = room.started_at ? new Date(room.started_at).getTime() : null;
    const ended = room.ended_at ? new Date(room.ended_at).getTime() : null;
    return {
      roomId: room.id,
      title: room.title,
      status: room.status,
      participantsOnline: participants.filter((p) => p.connected).length,
      participantsReconnecting: participants.filter((p) => !p.connected).length,
      peakParticipants: room.peak_participants,
      waiting: waiting.length,
      messages,
      raisedHands: participants.filter((p) => p.handRaisedAt !== null).length,
      handsRaisedTotal: room.hands_raised_total,
      startedAt: started === null ? null : new Date(started).toISOString(),
      endedAt: ended === null ? null : new Date(ended).toISOString(),
      durationSeconds: started === null ? 0 : Math.max(0, Math.floor(((ended ?? Date.now()) - started) / 1000)),
    };
  }

  /** How many rooms are live in the cluster. */
  async liveCount(): Promise<number> {
    return (await this.rooms.liveRoomIds()).length;
  }

  /** Live rooms (all, or those one host runs). */
  async live(hostId?: string): Promise<RoomStats[]> {
    const ids = await this.rooms.liveRoomIds(hostId);
    const out: RoomStats[] = [];
    for (const id of ids) {
      const room = await this.rooms.find(id);
      if (room) out.push(await this.of(room));
    }
    return out;
  }
}
