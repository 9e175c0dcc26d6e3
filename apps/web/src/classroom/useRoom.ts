import { useCallback, useEffect, useMemo, useReducer, useRef } from "react";
import type { RoomSettingsPatch } from "@vtp/protocol";
import { RoomConnection } from "./connection";
import { initialRoomState, roomReducer } from "./state";

/** The live classroom for one person: state from the reducer, actions over the socket. */
export function useRoom(roomId: string, userId: string, enabled: boolean) {
  const [state, dispatch] = useReducer(roomReducer, initialRoomState);
  const conn = useRef<RoomConnection | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const c = new RoomConnection(roomId, userId, dispatch);
    conn.current = c;
    c.connect();
    return () => {
      c.close();
      if (conn.current === c) conn.current = null;
    };
  }, [roomId, userId, enabled]);

  const send = useCallback(<T>(fn: (c: RoomConnection) => Promise<T>): Promise<T> => {
    const c = conn.current;
    if (!c) return Promise.reject(new Error("Not connected"));
    return fn(c);
  }, []);

  const actions = useMemo(
    () => ({
      raiseHand: () => send((c) => c.send("raise-hand", { roomId })),
      lowerHand: (participantId?: string) => send((c) => c.send("lower-hand", participantId ? { roomId, participantId } : { roomId })),
      chat: (text: string) => send((c) => c.send("chat-send", { roomId, text })),
      deleteMessage: (messageId: string) => send((c) => c.send("chat-delete", { roomId, messageId })),
      promote: (participantId: string) => send((c) => c.send("promote", { roomId, participantId })),
      demote: (participantId: string) => send((c) => c.send("demote", { roomId, participantId })),
      mute: (participantId: string) => send((c) => c.send("mute-participant", { roomId, participantId })),
      remove: (participantId: string) => send((c) => c.send("remove-participant", { roomId, participantId })),
      admit: (uid: string) => send((c) => c.send("admit", { roomId, userId: uid })),
      reject: (uid: string) => send((c) => c.send("reject", { roomId, userId: uid })),
      settings: (settings: RoomSettingsPatch) => send((c) => c.send("update-room-settings", { roomId, settings })),
      endRoom: () => send((c) => c.send("end-room", { roomId })),
      leave: () => send((c) => c.leave()),
      /** "Allow to speak": make the student a Speaker (presenter) and take the hand down. */
      allowToSpeak: async (participantId: string) => {
        await send((c) => c.send("promote", { roomId, participantId }));
        await send((c) => c.send("lower-hand", { roomId, participantId })).catch(() => {});
      },
      setChatOpen: (open: boolean) => dispatch({ type: "chat-open", open }),
      mutedSeen: () => dispatch({ type: "muted-seen" }),
      roleNoticeSeen: () => dispatch({ type: "role-notice-seen" }),
      setRecording: (recording: { id: string; startedAt: string } | null) => dispatch({ type: "recording", recording }),
    }),
    [roomId, send],
  );

  return { state, actions, connection: conn };
}

export type RoomActions = ReturnType<typeof useRoom>["actions"];
