import { randomUUID } from "node:crypto";
import type { LiveParticipant } from "../../../apps/server/src/signalling/state/index.js";

/** A connected student of `roomId` as the live state holds one (the tests of the live state itself). */
export function liveParticipant(roomId: string, over: Partial<LiveParticipant> = {}): LiveParticipant {
  return {
    id: randomUUID(),
    roomId,
    userId: randomUUID(),
    name: "P",
    role: "student",
    socketId: "s1",
    connected: true,
    joinedAt: Date.now(),
    disconnectedAt: null,
    handRaisedAt: null,
    handSeq: null,
    media: { audio: false, video: false, screen: false },
    attendanceId: randomUUID(),
    nodeId: "n1",
    ...over,
  };
}
