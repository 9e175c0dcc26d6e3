import { useEffect, useMemo, useState, type RefObject } from "react";
import type { ConnectionQualityDto } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { stageParticipant, type RoomState } from "../state";
import { QualityAdvice } from "./QualityAdvice";
import { receiveFilter, type ReceiveMode, type VideoReceiver } from "./receiveMode";

export type { ReceiveMode } from "./receiveMode";

/**
 * Connection quality in class (docs/WEB.md, "Poor networks"): the `connection-quality` events the
 * server sends (mine; a host gets everyone's), my low-bandwidth mode (which incoming video the
 * server keeps sending: all, only the stage, none), and the advice banner. A poor connection
 * suggests the low-bandwidth mode; it is never switched on behind the student's back.
 */
export function useClassQuality(
  connection: RefObject<RoomConnection | null>,
  roomId: string,
  room: Pick<RoomState, "phase" | "joinSeq" | "me" | "participants">,
  /** The media session (null until it is up; a new one after a media reset). */
  session: VideoReceiver | null,
) {
  const joinSeq = room.phase === "joined" ? room.joinSeq : 0;
  const meId = room.me?.participantId ?? null;
  const participants = room.participants;
  const [byParticipant, setByParticipant] = useState<Map<string, ConnectionQualityDto>>(new Map());
  const [mode, setMode] = useState<ReceiveMode>(() => readSavedMode());
  const [dismissed, setDismissed] = useState<string | null>(null);

  useEffect(() => {
    const socket = connection.current?.socket;
    if (!socket || !joinSeq) return;
    const onQuality = (event: ConnectionQualityDto) => {
      if (event.roomId !== roomId) return;
      setByParticipant((previous) => new Map(previous).set(event.participantId, event));
    };
    socket.on("connection-quality", onQuality);
    return () => {
      socket.off("connection-quality", onQuality);
    };
  }, [connection, roomId, joinSeq]);

  // Tell the media session which video to keep receiving (again after every rebuild).
  const stageId = stageParticipant({ participants })?.id ?? null;
  const filter = useMemo(() => receiveFilter(mode, stageId), [mode, stageId]);
  useEffect(() => {
    session?.setVideoReceiving(filter);
  }, [session, filter]);

  const choose = (next: ReceiveMode) => {
    setMode(next);
    try {
      localStorage.setItem("vtpReceiveMode", next);
    } catch {
      /* storage unavailable */
    }
  };

  const mine = meId ? byParticipant.get(meId) : undefined;
  const banner = (
    <QualityAdvice
      quality={mine}
      mode={mode}
      onMode={choose}
      dismissed={dismissed !== null && dismissed === mine?.level}
      onDismiss={() => setDismissed(mine?.level ?? null)}
    />
  );
  return { byParticipant, mine, mode, setMode: choose, banner };
}

function readSavedMode(): ReceiveMode {
  try {
    const saved = localStorage.getItem("vtpReceiveMode");
    return saved === "stage" || saved === "audio" ? saved : "all";
  } catch {
    return "all";
  }
}
