import type { RecordingBoardResponse } from "@vtp/protocol";
import { api } from "../../api/browser";

const id = (segment: string) => encodeURIComponent(segment);

/** Where the replay reads a recording's board: by its id (signed in) or by its share link's token. */
export type BoardSource = { recordingId: string } | { shareToken: string };

/**
 * The board of a recording and the documents it showed: titles (for "Slide 3 — title") and, for
 * whoever may watch the recording (a share link's viewer too), their PDFs through the recording's
 * own routes — the class's materials route is only for the class's people.
 */
export interface RecordingBoardData {
  roomId: string;
  source: BoardSource;
  board: RecordingBoardResponse;
  /** Titles by material id (the documents shown during the recording that are still in the class). */
  materials: Map<string, string>;
}

const base = (source: BoardSource) =>
  "shareToken" in source ? `/api/v1/shared/recordings/${id(source.shareToken)}/board` : `/api/v1/recordings/${id(source.recordingId)}/board`;

export async function loadRecordingBoard(source: BoardSource, roomId: string): Promise<RecordingBoardData> {
  const board = await api.get<RecordingBoardResponse>(base(source), "shareToken" in source ? { auth: false } : undefined);
  return { roomId, source, board, materials: new Map(board.materials.map((material) => [material.id, material.title])) };
}

/** The PDF bytes of a document the recording's board showed. */
export async function materialPdf(source: BoardSource, materialId: string): Promise<ArrayBuffer> {
  const res = await api.request<Response>("GET", `${base(source)}/materials/${id(materialId)}/file`, {
    raw: true,
    ...("shareToken" in source ? { auth: false } : {}),
  });
  return res.arrayBuffer();
}
