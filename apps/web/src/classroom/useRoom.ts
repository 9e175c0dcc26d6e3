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
    const connection = new RoomConnection(roomId, userId, dispatch);
    conn.current = connection;
    connection.connect();
    return () => {
      connection.close();
      if (conn.current === connection) conn.current = null;
    };
  }, [roomId, userId, enabled]);

  const send = useCallback(<T>(fn: (connection: RoomConnection) => Promise<T>): Promise<T> => {
    const connection = conn.current;
    if (!connection) return Promise.reject(new Error("Not connected"));
    return fn(connection);
  }, []);

  const actions = useMemo(
    () => ({
      raiseHand: () => send((connection) => connection.send("raise-hand", { roomId })),
      lowerHand: (participantId?: string) => send((connection) => connection.send("lower-hand", participantId ? { roomId, participantId } : { roomId })),
      chat: (text: string) => send((connection) => connection.send("chat-send", { roomId, text })),
      deleteMessage: (messageId: string) => send((connection) => connection.send("chat-delete", { roomId, messageId })),
      promote: (participantId: string) => send((connection) => connection.send("promote", { roomId, participantId })),
      demote: (participantId: string) => send((connection) => connection.send("demote", { roomId, participantId })),
      mute: (participantId: string) => send((connection) => connection.send("mute-participant", { roomId, participantId })),
      remove: (participantId: string) => send((connection) => connection.send("remove-participant", { roomId, participantId })),
      admit: (uid: string) => send((connection) => connection.send("admit", { roomId, userId: uid })),
      reject: (uid: string) => send((connection) => connection.send("reject", { roomId, userId: uid })),
      settings: (settings: RoomSettingsPatch) => send((connection) => connection.send("update-room-settings", { roomId, settings })),
      endRoom: () => send((connection) => connection.send("end-room", { roomId })),
      leave: () => send((connection) => connection.leave()),
      /** "Allow to speak": make the student a Speaker (presenter) and take the hand down. */
      allowToSpeak: async (participantId: string) => {
        await send((connection) => connection.send("promote", { roomId, participantId }));
        await send((connection) => connection.send("lower-hand", { roomId, participantId })).catch(() => {});
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
