import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { RoomRole, ServerEventName, ServerEventPayload } from "@vtp/protocol";
import type { RoomConnection } from "./connection";

/** Server events of the classroom's socket and what to do with each (only those of this room reach them). */
export type FeedHandlers = { [E in ServerEventName]?: (payload: ServerEventPayload<E>) => void };

export interface ClassFeed<T> {
  handlers: FeedHandlers;
  /** Asks the server for the current state (a `*-list` event). */
  load(connection: RoomConnection): Promise<T>;
  /** The state arrived; `firstJoin` is false after a reconnect. */
  loaded(value: T, firstJoin: boolean): void;
}

/**
 * Something of the class the server keeps and tells about (polls, quizzes): listens to its events
 * on the classroom's socket and loads its current state on every (re)join and role change, so a
 * person joining mid-way sees it. `feed` may change on every render; the latest one is used.
 * Returns the last loading error (null once a load succeeds) and `send`, which runs an action on
 * the connection (or fails when there is none).
 */
export function useClassFeed<T>(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined, feed: ClassFeed<T>) {
  const [listError, setListError] = useState<unknown>(null);
  const latest = useRef(feed);
  latest.current = feed;

  useEffect(() => {
    const connection = conn.current;
    if (!connection || !joinSeq || !role) return;
    const socket = connection.socket as unknown as {
      on(event: string, listener: (payload: { roomId?: string }) => void): void;
      off(event: string, listener: (payload: { roomId?: string }) => void): void;
    };
    let alive = true;
    const listeners = Object.keys(latest.current.handlers).map((event) => {
      const listener = (payload: { roomId?: string }) => {
        if (payload.roomId !== roomId) return;
        (latest.current.handlers[event as ServerEventName] as ((value: unknown) => void) | undefined)?.(payload);
      };
      socket.on(event, listener);
      return [event, listener] as const;
    });
    latest.current.load(connection).then(
      (value) => {
        if (!alive) return;
        setListError(null);
        latest.current.loaded(value, joinSeq <= 1);
      },
      (err) => alive && setListError(err),
    );
    return () => {
      alive = false;
      for (const [event, listener] of listeners) socket.off(event, listener);
    };
  }, [conn, roomId, joinSeq, role]);

  const send = useCallback(
    <R>(action: (connection: RoomConnection) => Promise<R>): Promise<R> => {
      const connection = conn.current;
      return connection ? action(connection) : Promise.reject(new Error("Not connected"));
    },
    [conn],
  );

  return { listError, send };
}
