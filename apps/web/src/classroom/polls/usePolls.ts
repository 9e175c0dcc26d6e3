import { useCallback, useEffect, useMemo, useReducer, useState, type RefObject } from "react";
import type { PollDraft, PollDto, RoomRole, ServerEventPayload } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { cardKey, initialPollsState, pollsReducer } from "./pollState";

/** Teachers and speakers run polls; students answer them. */
export const managesPolls = (role: RoomRole | undefined) => role === "host" || role === "presenter";

/**
 * The class's polls over the classroom's socket: listens to the poll events and asks `poll-list`
 * on every (re)join and role change, so a person joining mid-poll sees it (with their own answer).
 */
export function usePolls(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined) {
  const [state, dispatch] = useReducer(pollsReducer, initialPollsState);
  const [listError, setListError] = useState<unknown>(null);
  /** Card states a student hid (and the history found on joining, which is not news). */
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    const connection = conn.current;
    if (!connection || !joinSeq || !role) return;
    const socket = connection.socket;
    let alive = true;
    const onUpdated = (event: ServerEventPayload<"poll-updated">) => event.roomId === roomId && dispatch({ type: "updated", poll: event.poll });
    const onResults = (event: ServerEventPayload<"poll-results">) => event.roomId === roomId && dispatch({ type: "results", results: event.results });
    const onDeleted = (event: ServerEventPayload<"poll-deleted">) => event.roomId === roomId && dispatch({ type: "deleted", pollId: event.pollId });
    socket.on("poll-updated", onUpdated);
    socket.on("poll-results", onResults);
    socket.on("poll-deleted", onDeleted);
    connection.send("poll-list", { roomId }).then(
      ({ polls }) => {
        if (!alive) return;
        setListError(null);
        dispatch({ type: "list", views: polls });
        setHidden((before) =>
          before.size > 0 || joinSeq > 1 ? before : new Set(polls.filter((view) => view.poll.status !== "open").map((view) => cardKey(view.poll))),
        );
      },
      (err) => alive && setListError(err),
    );
    return () => {
      alive = false;
      socket.off("poll-updated", onUpdated);
      socket.off("poll-results", onResults);
      socket.off("poll-deleted", onDeleted);
    };
  }, [conn, roomId, joinSeq, role]);

  const send = useCallback(
    <T>(fn: (connection: RoomConnection) => Promise<T>): Promise<T> => {
      const connection = conn.current;
      return connection ? fn(connection) : Promise.reject(new Error("Not connected"));
    },
    [conn],
  );

  const actions = useMemo(() => {
    /** A manager's action: the ack's poll goes into the list at once (the event may come later). */
    const manage = async (event: "poll-open" | "poll-publish" | "poll-rerun", pollId: string) => {
      const { poll } = await send((connection) => connection.send(event, { roomId, pollId }));
      dispatch({ type: "updated", poll });
      return poll;
    };
    return {
      create: async (draft: PollDraft, open: boolean): Promise<PollDto> => {
        const { poll } = await send((connection) => connection.send("poll-create", { roomId, poll: draft, open }));
        dispatch({ type: "updated", poll });
        return poll;
      },
      open: (pollId: string) => manage("poll-open", pollId),
      publish: (pollId: string) => manage("poll-publish", pollId),
      rerun: (pollId: string) => manage("poll-rerun", pollId),
      close: async (pollId: string) => {
        const { poll, results } = await send((connection) => connection.send("poll-close", { roomId, pollId }));
        dispatch({ type: "updated", poll });
        dispatch({ type: "results", results });
      },
      remove: async (pollId: string) => {
        await send((connection) => connection.send("poll-delete", { roomId, pollId }));
        dispatch({ type: "deleted", pollId });
      },
      answer: async (pollId: string, choices: number[], text: string | null) => {
        const payload = text === null ? { roomId, pollId, choices } : { roomId, pollId, text };
        const { answer } = await send((connection) => connection.send("poll-answer", payload));
        dispatch({ type: "answered", answer });
      },
      hideCard: (poll: PollDto) => setHidden((before) => new Set([...before, cardKey(poll)])),
    };
  }, [roomId, send]);

  return { state, hidden, listError, actions };
}

export type Polls = ReturnType<typeof usePolls>;
export type PollActions = Polls["actions"];
