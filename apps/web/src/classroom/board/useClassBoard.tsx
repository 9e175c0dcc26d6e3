import type { RefObject } from "react";
import type { ParticipantDto, RoomRole } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { MaterialsPanel } from "../materials/MaterialsPanel";
import { BoardSlot } from "./BoardSlot";
import { boardRights } from "./permissions";
import { useBoard } from "./useBoard";

/**
 * The class board as the classroom mounts it: the shared state (useBoard), the board for the
 * stage when something is presented (loaded lazily), and the Materials side panel.
 */
export function useClassBoard(options: {
  connection: RefObject<RoomConnection | null>;
  roomId: string;
  joinSeq: number;
  me: { userId: string; role: RoomRole } | null;
  participants: ParticipantDto[];
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
  onClosePanel: () => void;
}) {
  const { connection, roomId, joinSeq, me, participants, run, describe } = options;
  const board = useBoard(connection, roomId, joinSeq, me?.role);
  const { stage } = board;
  const stageNode =
    stage?.surfaceId && me ? (
      <BoardSlot
        {...{ connection, roomId, joinSeq, me, participants, run, describe }}
        actions={board.actions}
        materials={board.materials}
        stage={{ ...stage, surfaceId: stage.surfaceId }}
      />
    ) : null;
  const panel = me ? (
    <MaterialsPanel
      {...{ roomId, board, run, describe }}
      isHost={me.role === "host"}
      canPresent={boardRights(stage, me.role, me.userId).present}
      onClose={options.onClosePanel}
    />
  ) : null;
  return { board, stageNode, panel, layout: stage?.layout };
}
