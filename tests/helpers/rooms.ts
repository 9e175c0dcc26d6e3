import { RoomsRepo } from "../../apps/server/src/rooms/index.js";
import type { TestApp } from "./app.js";

/**
 * A live room hosted by `hostId`, written straight to the database: for tests that record or
 * stream without a class run over sockets. Returns its id.
 */
export async function liveRoom(testApp: TestApp, hostId: string, title: string): Promise<string> {
  const rooms = new RoomsRepo(testApp.app.ctx.db);
  const code = `${title.slice(0, 1).toUpperCase()}${Date.now().toString(36)}`.slice(0, 10);
  const roomId = await rooms.insert({
    code,
    title,
    description: "",
    host_id: hostId,
    scheduled_start: null,
    students_can_publish: false,
    waiting_room: false,
    max_participants: 10,
    chat_enabled: true,
  });
  await rooms.markLive(roomId);
  return roomId;
}
