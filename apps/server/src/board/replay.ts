import type { RecordingBoardResponse } from "@vtp/protocol";
import type { BoardHistory } from "./history.js";

/** The span of a recording: when it started and stopped (still running: now). */
export interface RecordingSpan {
  room_id: string;
  started_at: Date;
  stopped_at: Date | null;
}

/** The board of a recording's span: as it was at the start, then every op at its offset. */
export async function boardReplay(board: Pick<BoardHistory, "boardAt" | "boardOpsBetween">, recording: RecordingSpan): Promise<RecordingBoardResponse> {
  const from = recording.started_at;
  const until = recording.stopped_at ?? new Date();
  const start = await board.boardAt(recording.room_id, from.toISOString());
  const ops = await board.boardOpsBetween(recording.room_id, from.toISOString(), until.toISOString());
  return {
    stage: start.stage,
    pages: start.pages,
    ops: ops.map((op) => ({
      seq: op.seq,
      at: op.at.toISOString(),
      offsetMs: Math.max(0, op.at.getTime() - from.getTime()),
      kind: op.kind,
      payload: op.payload,
    })),
  };
}
