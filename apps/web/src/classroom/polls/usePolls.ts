import { useMemo, useReducer, useState, type RefObject } from "react";
import type { PollDraft, PollDto, RoomRole } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { useClassFeed } from "../useClassFeed";
import { cardKey, initialPollsState, pollsReducer } from "./pollState";

/** Teachers and speakers run polls; students answer them. */
export const managesPolls = (role: RoomRole | undefined) => role === "host" || role === "presenter";

/**
 * The class's polls over the classroom's socket: listens to the poll events and asks `poll-list`
 * on every (re)join and role change, so a person joining mid-poll sees it (with their own answer).
 */
export function usePolls(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined) {
  const [state, dispatch] = useReducer(pollsReducer, initialPollsState);
  /** Card states a student hid (and the history found on joining, which is not news). */
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const { listError, send } = useClassFeed(conn, roomId, joinSeq, role, {
    handlers: {
      "poll-updated": (event) => dispatch({ type: "updated", poll: event.poll }),
      "poll-results": (event) => dispatch({ type: "results", results: event.results }),
      "poll-deleted": (event) => dispatch({ type: "deleted", pollId: event.pollId }),
    },
    load: (connection) => connection.send("poll-list", { roomId }),
    loaded: ({ polls }, firstJoin) => {
      dispatch({ type: "list", views: polls });
      setHidden((before) =>
        before.size > 0 || !firstJoin ? before : new Set(polls.filter((view) => view.poll.status !== "open").map((view) => cardKey(view.poll))),
      );
    },
  });

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
