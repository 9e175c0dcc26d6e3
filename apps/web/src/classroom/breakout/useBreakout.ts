import { useCallback, useMemo, useRef, useState, type RefObject } from "react";
import type {
  BreakoutGroupDraft,
  BreakoutGroupRecordDto,
  BreakoutMessageDto,
  BreakoutMode,
  BreakoutStateDto,
  RoomRole,
  ServerEventPayload,
} from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { useClassFeed } from "../useClassFeed";
import { groupOf, mergeGroupMessages } from "./breakoutState";

export interface BreakoutNotice {
  kind: "broadcast" | "help" | "warning";
  text: string;
  at: number;
}

/**
 * Breakout rooms over the classroom's socket (docs/PROTOCOL.md "Breakout rooms"): the class's
 * picture of the groups (`breakout-state`), the group I am in (`breakout-moved`; every move
 * bumps `moveSeq`, after which the classroom starts its media over), my group's chat, and the
 * countdowns, broadcasts and help calls to show.
 */
export function useBreakout(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined, userId: string) {
  const [state, setState] = useState<BreakoutStateDto | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [moveSeq, setMoveSeq] = useState(0);
  const [messages, setMessages] = useState<BreakoutMessageDto[]>([]);
  const [returnAt, setReturnAt] = useState<string | null>(null);
  const [notices, setNotices] = useState<BreakoutNotice[]>([]);
  const [shown, setShown] = useState<BreakoutGroupRecordDto | null>(null);
  const [shownBoard, setShownBoard] = useState<ServerEventPayload<"breakout-board-shown"> | null>(null);
  const current = useRef<string | null>(null);

  const notify = useCallback((kind: BreakoutNotice["kind"], text: string) => {
    setNotices((list) => [...list.slice(-4), { kind, text, at: Date.now() }]);
  }, []);

  /**
   * I am now in `next` (null: the main room): media starts over (leave-media first). The server's
   * `breakout-moved` always does (`force`: after a reconnect my new transports may have been made
   * before the server put me back in my group); my own acks only when the room changed.
   */
  const moveTo = useCallback(
    (next: string | null, force = false) => {
      if (current.current === next && !force) return;
      current.current = next;
      setGroupId(next);
      setMessages([]);
      const connection = conn.current;
      const restart = () => setMoveSeq((seq) => seq + 1);
      if (!connection) return restart();
      void connection
        .send("leave-media", { roomId })
        .catch(() => undefined)
        .then(restart);
      if (next)
        connection.send("breakout-history", { roomId }).then(
          ({ groups }) => {
            const mine = groups.find((g) => g.groupId === next);
            if (mine && current.current === next) setMessages((list) => mergeGroupMessages(list, mine.messages));
          },
          () => {},
        );
    },
    [conn, roomId],
  );

  const { listError, send } = useClassFeed(conn, roomId, joinSeq, role, {
    handlers: {
      "breakout-state": (event) => {
        setState(event.state);
        if (!event.state) {
          setReturnAt(null);
          moveTo(null);
        } else setReturnAt(event.state.returnAt);
      },
      "breakout-moved": (event) => moveTo(event.groupId, true),
      "breakout-warning": (event) => notify("warning", `One minute left: the groups close at ${new Date(event.deadline).toLocaleTimeString()}.`),
      "breakout-closing": (event) => setReturnAt(event.returnAt),
      "breakout-chat-message": (event) => {
        if (event.groupId === current.current) setMessages((list) => mergeGroupMessages(list, [event.message]));
      },
      "breakout-broadcast-message": (event) => notify("broadcast", `${event.fromName} to all groups: ${event.text}`),
      "breakout-help-requested": (event) => notify("help", `${event.name} in ${event.groupName} asks for help.`),
      "breakout-shown": (event) => setShown(event.group),
      "breakout-board-shown": (event) => setShownBoard(event),
    },
    load: (connection) => connection.send("breakout-state", { roomId }),
    loaded: ({ state: loaded }) => {
      setState(loaded);
      setReturnAt(loaded?.returnAt ?? null);
      // After a reconnect the server puts me back in my group (breakout-moved); with no groups, I am in the main room.
      if (!loaded) moveTo(null);
      else if (!current.current) {
        const mine = groupOf(loaded, userId);
        if (mine) moveTo(mine.id);
      }
    },
  });

  const actions = useMemo(() => {
    const withState = async (promise: Promise<{ state: BreakoutStateDto | null }>) => {
      const result = await promise;
      setState(result.state);
      return result.state;
    };
    return {
      open: (mode: BreakoutMode, groups: BreakoutGroupDraft[], durationSeconds: number | null, recordGroups = false) =>
        withState(send((c) => c.send("breakout-open", { roomId, mode, groups, durationSeconds, ...(recordGroups ? { recordGroups } : {}) }))),
      close: (countdownSeconds?: number) =>
        withState(send((c) => c.send("breakout-close", countdownSeconds === undefined ? { roomId } : { roomId, countdownSeconds }))),
      move: (user: string, target: string | null) => withState(send((c) => c.send("breakout-move", { roomId, userId: user, groupId: target }))),
      join: async (target: string) => {
        const result = await send((c) => c.send("breakout-join", { roomId, groupId: target }));
        moveTo(target);
        setMessages((list) => mergeGroupMessages(list, result.messages));
        return result.group;
      },
      leave: async () => {
        await send((c) => c.send("breakout-leave", { roomId }));
        moveTo(null);
      },
      chat: (text: string) =>
        send((c) => c.send("breakout-chat-send", { roomId, text })).then(({ message }) => setMessages((list) => mergeGroupMessages(list, [message]))),
      hand: (raised: boolean, participantId?: string) =>
        send((c) => c.send("breakout-hand", participantId ? { roomId, raised, participantId } : { roomId, raised })),
      help: (on: boolean) => send((c) => c.send("breakout-help", { roomId, on })),
      broadcast: (text: string) => send((c) => c.send("breakout-broadcast", { roomId, text })),
      speakToAll: (on: boolean) => withState(send((c) => c.send("breakout-broadcast-audio", { roomId, on }))),
      history: () => send((c) => c.send("breakout-history", { roomId })).then(({ groups }) => groups),
      show: (target: string) => send((c) => c.send("breakout-show", { roomId, groupId: target })),
      hideShown: () => setShown(null),
      showBoard: (target: string) => send((c) => c.send("breakout-board-show", { roomId, groupId: target })),
      hideShownBoard: () => setShownBoard(null),
      dismiss: (at: number) => setNotices((list) => list.filter((n) => n.at !== at)),
    };
  }, [roomId, send, moveTo]);

  const group = state?.groups.find((g) => g.id === groupId) ?? null;
  return { state, groupId, group, moveSeq, messages, returnAt, notices, shown, shownBoard, listError, actions };
}

export type Breakout = ReturnType<typeof useBreakout>;
