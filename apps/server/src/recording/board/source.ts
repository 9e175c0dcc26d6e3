import type { Readable } from "node:stream";
import { boardReplay, type BoardHistory } from "../../board/index.js";
import type { BoardRecordSource } from "../ports.js";

/** What the composed video needs of the materials: a shown document's stored PDF. */
export interface MaterialFiles {
  file(roomId: string, materialId: string): Promise<{ stream: Readable }>;
}

/**
 * The recording's port to the board (the replay route's data: `boardReplay`) and to the
 * materials (the PDF of a shown document; a deleted or missing one is undefined: its drawings
 * are then shown on a white page). Getters: the board and the materials are built after recording.
 */
export function boardRecordSource(
  board: () => Pick<BoardHistory, "boardAt" | "boardOpsBetween" | "materialsOf">,
  materials: () => MaterialFiles,
): BoardRecordSource {
  return {
    boardForRecording: (roomId, fromIso, toIso) => boardReplay(board(), { room_id: roomId, started_at: new Date(fromIso), stopped_at: new Date(toIso) }),
    async materialPdf(roomId, materialId) {
      let stream: Readable;
      try {
        ({ stream } = await materials().file(roomId, materialId));
      } catch {
        return undefined;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}
