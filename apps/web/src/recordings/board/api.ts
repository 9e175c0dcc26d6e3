import type { MaterialListResponse, RecordingBoardResponse } from "@vtp/protocol";
import { api } from "../../api/browser";
import { ApiError } from "../../api/errors";

const id = (segment: string) => encodeURIComponent(segment);

/** Where the replay reads a recording's board: by its id (signed in) or by its share link's token. */
export type BoardSource = { recordingId: string } | { shareToken: string };

/**
 * The board of a recording and what the viewer may read of the class's materials: document
 * titles (for "Slide 3 — title") and PDFs. Someone who can watch a recording but was not in the
 * class (a share link, a removed student) may not read the materials: `materials` is then null
 * and the replay shows the drawings on plain pages.
 */
export interface RecordingBoardData {
  roomId: string;
  board: RecordingBoardResponse;
  /** Titles by material id, or null when this viewer may not read the class's materials. */
  materials: Map<string, string> | null;
}

export async function loadRecordingBoard(source: BoardSource, roomId: string): Promise<RecordingBoardData> {
  const board =
    "shareToken" in source
      ? await api.get<RecordingBoardResponse>(`/api/v1/shared/recordings/${id(source.shareToken)}/board`, { auth: false })
      : await api.get<RecordingBoardResponse>(`/api/v1/recordings/${id(source.recordingId)}/board`);
  const documents = new Set<string>();
  for (const op of board.ops) {
    const stage = op.payload.stage as { surfaceId?: unknown } | undefined;
    if (typeof stage?.surfaceId === "string" && stage.surfaceId !== "whiteboard") documents.add(stage.surfaceId);
  }
  if (board.stage?.surfaceId && board.stage.surfaceId !== "whiteboard") documents.add(board.stage.surfaceId);
  let materials: Map<string, string> | null = new Map();
  if (documents.size > 0 && !("shareToken" in source)) {
    try {
      const list = await api.get<MaterialListResponse>(`/api/v1/rooms/${id(roomId)}/materials`);
      materials = new Map(list.materials.map((material) => [material.id, material.title]));
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 404)) throw err;
      materials = null;
    }
  } else if (documents.size > 0) materials = null;
  return { roomId, board, materials };
}

/** A material's PDF bytes (only for viewers who may read the class's materials). */
export async function materialPdf(roomId: string, materialId: string): Promise<ArrayBuffer> {
  const res = await api.request<Response>("GET", `/api/v1/rooms/${id(roomId)}/materials/${id(materialId)}/file`, { raw: true });
  return res.arrayBuffer();
}
