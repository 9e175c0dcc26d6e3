import { BOARD_WHITEBOARD, type RecordingBoardResponse } from "@vtp/protocol";
import type { BoardHistory } from "./history.js";

/** The span of a recording: when it started and stopped (still running: now). */
export interface RecordingSpan {
  room_id: string;
  started_at: Date;
  stopped_at: Date | null;
}

/** The board of a recording's span: as it was at the start, then every op at its offset. */
export async function boardReplay(
  board: Pick<BoardHistory, "boardAt" | "boardOpsBetween" | "materialsOf">,
  recording: RecordingSpan,
): Promise<RecordingBoardResponse> {
  const from = recording.started_at;
  const until = recording.stopped_at ?? new Date();
  const start = await board.boardAt(recording.room_id, from.toISOString());
  const ops = await board.boardOpsBetween(recording.room_id, from.toISOString(), until.toISOString());
  const surfaces = new Set<string>();
  const note = (surfaceId: unknown) => typeof surfaceId === "string" && surfaceId !== BOARD_WHITEBOARD && surfaces.add(surfaceId);
  note(start.stage?.surfaceId);
  for (const page of start.pages) note(page.surfaceId);
  for (const op of ops) {
    note((op.payload as { surfaceId?: unknown }).surfaceId);
    note((op.payload as { stage?: { surfaceId?: unknown } }).stage?.surfaceId);
  }
  return {
    stage: start.stage,
    pages: start.pages,
    materials: await board.materialsOf(recording.room_id, [...surfaces]),
    ops: ops.map((op) => ({
      seq: op.seq,
      at: op.at.toISOString(),
      offsetMs: Math.max(0, op.at.getTime() - from.getTime()),
      kind: op.kind,
      payload: op.payload,
    })),
  };
}
