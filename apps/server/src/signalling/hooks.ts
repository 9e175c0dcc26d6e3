import type { Logger } from "pino";
import type { LeaveReason, RoomDto, RoomRole } from "@vtp/protocol";
import type { LiveParticipant } from "./state/index.js";

/**
 * What happens to people in a room, for other capabilities (media closes producers, recording
 * notes who spoke, …). Fired on the server process that handled the action; listeners run in
 * order of registration, are awaited, and a listener's failure is logged, never rethrown.
 */
export interface RoomHookEvents {
  "participant-joined": { roomId: string; participant: LiveParticipant };
  /** The same participant continues on a new socket (reconnect or another tab). */
  "participant-resumed": { roomId: string; participant: LiveParticipant; previousSocketId: string; wasConnected: boolean };
  /** The connection dropped; the participant is kept for the grace period. */
  "participant-disconnected": { roomId: string; participant: LiveParticipant };
  "participant-left": { roomId: string; participant: LiveParticipant; reason: LeaveReason };
  "participant-role-changed": { roomId: string; participant: LiveParticipant; previousRole: RoomRole; canPublish: boolean };
  "participant-muted": { roomId: string; participant: LiveParticipant; byUserId: string };
  /** A participant raised their hand (not fired when it was already up). */
  "hand-raised": { roomId: string; participant: LiveParticipant; position: number };
  "room-updated": { roomId: string; room: RoomDto };
  "room-ended": { roomId: string; participants: LiveParticipant[] };
}

export type RoomHookName = keyof RoomHookEvents;
type Listener<K extends RoomHookName> = (event: RoomHookEvents[K]) => unknown;

export class RoomHooks {
  private readonly listeners: { [K in RoomHookName]?: Listener<K>[] } = {};

  constructor(private readonly log?: Logger) {}

  /** Returns the function that removes the listener. */
  on<K extends RoomHookName>(name: K, fn: Listener<K>): () => void {
    // The same object seen through K alone, so that writing a Listener<K>[] type-checks.
    const byName: { [N in K]?: Listener<N>[] } = this.listeners;
    const list = byName[name] ?? [];
    list.push(fn);
    byName[name] = list;
    return () => {
      const listeners = byName[name];
      if (listeners) byName[name] = listeners.filter((x) => x !== fn);
    };
  }

  async fire<K extends RoomHookName>(name: K, event: RoomHookEvents[K]): Promise<void> {
    for (const fn of this.listeners[name] ?? []) {
      try {
        await fn(event);
      } catch (err) {
        this.log?.error({ err, hook: name, roomId: event.roomId }, "room hook failed");
      }
    }
  }
}
