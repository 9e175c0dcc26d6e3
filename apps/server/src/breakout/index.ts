import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import type { DB } from "../db/index.js";
import type { MediaService } from "../media/index.js";
import type { LiveParticipant, SignallingServer } from "../signalling/index.js";
import { BreakoutActivity } from "./activity.js";
import { BreakoutBoards } from "./board.js";
import { BreakoutBoardRepo } from "./boardRepo.js";
import { BreakoutBroadcast } from "./broadcast.js";
import { BreakoutRepo } from "./repo.js";
import { BreakoutService, type GroupRecorder } from "./service.js";
import { defineBreakoutHandlers } from "./socket.js";
import { MemoryBreakoutStore, RedisBreakoutStore, type BreakoutStore } from "./store.js";

export { BreakoutService } from "./service.js";
export type { BreakoutStore, BreakoutRecord } from "./store.js";

/** Redis when REDIS_URL is set (the groups shared by every app server), otherwise this process's memory. */
export function createBreakoutStore(config: Pick<Config, "redisUrl" | "signalling">): BreakoutStore {
  return config.redisUrl ? new RedisBreakoutStore(config.redisUrl, config.signalling.redisPrefix) : new MemoryBreakoutStore();
}

/** Where a participant's media events act (their group's media room, or the class's): the media bridge's `mediaRoomOf`. */
export function breakoutMediaRooms(store: BreakoutStore) {
  return async (participant: LiveParticipant): Promise<{ mediaRoomId: string; inGroup: boolean }> => {
    const record = await store.get(participant.roomId);
    const groupId = record?.placement[participant.userId];
    return groupId ? { mediaRoomId: groupId, inGroup: true } : { mediaRoomId: participant.roomId, inGroup: false };
  };
}

export interface BreakoutModule {
  service: BreakoutService;
  stop(): Promise<void>;
}

/**
 * Breakout rooms (issue 16): the `breakout-*` events, the classroom hooks (latecomers land in their
 * group, removal leaves it, the class's end closes the groups), the timers (sweep every 500 ms on
 * every app server; the store's compare-and-set lets one act), and which groups are talking.
 */
export function createBreakout(deps: {
  db: DB;
  store: BreakoutStore;
  signalling: SignallingServer;
  media?: () => Promise<MediaService>;
  marker?: (roomId: string, label: string, userId: string | null) => Promise<unknown>;
  /** Each group's own recording when the host asks (the recording service). */
  recording?: GroupRecorder;
  log: Logger;
}): BreakoutModule {
  const log = deps.log.child({ module: "breakout" });
  const shared = {
    store: deps.store,
    repo: new BreakoutRepo(deps.db),
    signalling: deps.signalling,
    media: deps.media,
    marker: deps.marker,
    recording: deps.recording,
    // The broadcast is built just below (it reads the groups through the service).
    stopBroadcast: (roomId: string) => voice.stop(roomId),
    log,
  };
  const service = new BreakoutService(shared);
  const activity = new BreakoutActivity(shared, service);
  const voice = new BreakoutBroadcast(shared, service, deps.signalling);
  const boards = new BreakoutBoards(shared, new BreakoutBoardRepo(deps.db));
  defineBreakoutHandlers(deps.signalling, service, activity, voice, boards);
  const hooks = deps.signalling.hooks;
  hooks.on("participant-joined", ({ participant }) => service.participantJoined(participant));
  hooks.on("participant-resumed", ({ participant }) => service.participantJoined(participant));
  hooks.on("participant-left", ({ participant, reason }) => service.participantLeft(participant, reason));
  hooks.on("room-ended", ({ roomId }) => service.classEnded(roomId));

  // Which class each group belongs to (for the SFU's speech events, which name the group's media room).
  const roomOfGroup = new Map<string, string>();
  let unsubscribe: (() => void) | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      for (const roomId of await deps.store.openRooms()) {
        const record = await deps.store.get(roomId);
        for (const group of record?.groups ?? []) roomOfGroup.set(group.id, roomId);
      }
      await service.sweep();
      if (!unsubscribe && deps.media && roomOfGroup.size > 0) {
        const media = await deps.media();
        unsubscribe = media.onEvent((event) => void activity.onMediaEvent(event, (groupId) => roomOfGroup.get(groupId)).catch(() => {}));
      }
    })()
      .catch((err) => log.warn({ err }, "breakout sweep failed"))
      .finally(() => {
        busy = false;
      });
  }, 500);
  timer.unref();
  return {
    service,
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      await voice.stopAll();
      await deps.store.close();
    },
  };
}
