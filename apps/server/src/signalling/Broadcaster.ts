import { performance } from "node:perf_hooks";
import type { Server } from "socket.io";
import type { ClientToServerEvents, ServerEventName, ServerEventPayload, ServerToClientEvents } from "@vtp/protocol";
import { WriteCoalescer } from "./WriteCoalescer.js";

/** A server → client event of the protocol's map, and its payload. */
export type ServerEvent = ServerEventName;
export type ServerPayload<E extends ServerEvent> = ServerEventPayload<E>;

/**
 * The shortest time between two sends of a room's whole-state event (`toRoomLatest`): a burst of
 * changes (a class raising hands at once) becomes one send per interval, computed after the last
 * change of the interval, instead of one send of the whole state per change.
 */
export const STATE_EVENT_INTERVAL_MS = 100;

/** Per room and event: is a send running or waiting, and when did the last one leave. */
interface LatestSend {
  timer: NodeJS.Timeout | undefined;
  sending: boolean;
  /** A change came while a send was computing its payload (which may not include it). */
  stale: boolean;
  lastSentAt: number;
}

export const roomChannel = (roomId: string) => `room:${roomId}`;
export const hostChannel = (roomId: string) => `room:${roomId}:hosts`;

/**
 * Sends to people by room, by host group, or by socket id. With the Redis adapter every call
 * reaches sockets on all server processes. A broadcast is encoded once (Socket.IO pre-encodes the
 * WebSocket frame) and the frames each socket gets in one turn of the event loop leave in one
 * write (WriteCoalescer), whether the broadcast started here or on another node.
 */
export class Broadcaster {
  private readonly latest = new Map<string, LatestSend>();

  constructor(private readonly io: Server<ClientToServerEvents, ServerToClientEvents>) {
    WriteCoalescer.install(io as unknown as Server);
  }

  /**
   * Sends an event whose payload is the room's whole current state (`current()`, e.g. the hand
   * queue). When nothing was sent for STATE_EVENT_INTERVAL_MS, at once (the returned promise
   * settles after it, with `current()`'s error if any); otherwise the changes of the interval
   * share one send at its end, computed then, so the last send always reflects the last change.
   * A later send's failure goes to `onError`.
   */
  toRoomLatest<E extends ServerEvent>(roomId: string, event: E, current: () => Promise<ServerPayload<E>>, onError: (err: unknown) => void): Promise<void> {
    const key = `${event}\n${roomId}`;
    let entry = this.latest.get(key);
    if (!entry) {
      entry = { timer: undefined, sending: false, stale: false, lastSentAt: Number.NEGATIVE_INFINITY };
      this.latest.set(key, entry);
    }
    const state = entry;
    // A send that has not read the state yet includes this change.
    if (state.timer) return Promise.resolve();
    if (state.sending) {
      state.stale = true;
      return Promise.resolve();
    }
    const send = async () => {
      state.timer = undefined;
      state.sending = true;
      try {
        this.toRoom(roomId, event, await current());
      } finally {
        state.sending = false;
        state.lastSentAt = performance.now();
        if (state.stale) {
          state.stale = false;
          state.timer = setTimeout(() => void send().catch(onError), STATE_EVENT_INTERVAL_MS);
        } else {
          // Forget the room once quiet (an ended room leaves nothing behind).
          setTimeout(() => {
            if (!state.timer && !state.sending && performance.now() - state.lastSentAt >= STATE_EVENT_INTERVAL_MS) this.latest.delete(key);
          }, STATE_EVENT_INTERVAL_MS).unref();
        }
      }
    };
    const wait = state.lastSentAt + STATE_EVENT_INTERVAL_MS - performance.now();
    if (wait <= 0) return send();
    state.timer = setTimeout(() => void send().catch(onError), wait);
    return Promise.resolve();
  }

  toRoom<E extends ServerEvent>(roomId: string, event: E, payload: ServerPayload<E>, exceptSocketId?: string) {
    const target = exceptSocketId ? this.io.to(roomChannel(roomId)).except(exceptSocketId) : this.io.to(roomChannel(roomId));
    (target.emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  /** As `toRoom`, but a socket whose connection is not ready to write drops it (a laser pointer's position). */
  toRoomVolatile<E extends ServerEvent>(roomId: string, event: E, payload: ServerPayload<E>, exceptSocketId?: string) {
    const room = this.io.volatile.to(roomChannel(roomId));
    const target = exceptSocketId ? room.except(exceptSocketId) : room;
    (target.emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  toHosts<E extends ServerEvent>(roomId: string, event: E, payload: ServerPayload<E>) {
    (this.io.to(hostChannel(roomId)).emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  toSocket<E extends ServerEvent>(socketId: string, event: E, payload: ServerPayload<E>) {
    (this.io.to(socketId).emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  /**
   * Only this process's sockets: for events every node receives by itself (media events from
   * shared media nodes), so each socket gets them exactly once.
   */
  toRoomLocal<E extends ServerEvent>(roomId: string, event: E, payload: ServerPayload<E>) {
    (this.io.local.to(roomChannel(roomId)).emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  /** This process's host sockets of the room, except `exceptSocketId` (a media event about that participant). */
  toHostsLocal<E extends ServerEvent>(roomId: string, event: E, payload: ServerPayload<E>, exceptSocketId?: string) {
    const hosts = this.io.local.to(hostChannel(roomId));
    ((exceptSocketId ? hosts.except(exceptSocketId) : hosts).emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  toSocketLocal<E extends ServerEvent>(socketId: string, event: E, payload: ServerPayload<E>) {
    (this.io.local.to(socketId).emit as (ev: string, data: unknown) => boolean)(event, payload);
  }

  isLocal(socketId: string): boolean {
    return this.io.of("/").sockets.has(socketId);
  }

  /** The socket (on any node) starts receiving the room's broadcasts. */
  join(socketId: string, roomId: string, asHost: boolean) {
    this.io.in(socketId).socketsJoin(asHost ? [roomChannel(roomId), hostChannel(roomId)] : [roomChannel(roomId)]);
    if (!asHost) this.io.in(socketId).socketsLeave(hostChannel(roomId));
  }

  leave(socketId: string, roomId: string) {
    this.io.in(socketId).socketsLeave([roomChannel(roomId), hostChannel(roomId)]);
  }

  /** Every socket stops receiving the room's broadcasts. */
  clear(roomId: string) {
    this.io.in(roomChannel(roomId)).socketsLeave([roomChannel(roomId), hostChannel(roomId)]);
  }
}
