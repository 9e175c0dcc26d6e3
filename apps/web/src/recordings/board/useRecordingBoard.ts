import { useEffect, useState } from "react";
import { type BoardSource, loadRecordingBoard, type RecordingBoardData } from "./api";

/**
 * The class board of a ready recording, for the player (null until loaded, or when it cannot be
 * read: the player then plays without it).
 */
export function useRecordingBoard(source: BoardSource | null, roomId: string | undefined): RecordingBoardData | null {
  const [data, setData] = useState<RecordingBoardData | null>(null);
  const key = source ? ("shareToken" in source ? `share:${source.shareToken}` : `rec:${source.recordingId}`) : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: the source's key and the room decide; the object may be new on every render.
  useEffect(() => {
    setData(null);
    if (!source || !roomId) return;
    let alive = true;
    loadRecordingBoard(source, roomId).then(
      (loaded) => alive && setData(loaded),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [key, roomId]);
  return data;
}
