import { useMemo, useState, type RefObject } from "react";
import type { BoardSettingsPayload, BoardStageDto, MaterialDto, RoomRole } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { useClassFeed } from "../useClassFeed";
import { materialsApi } from "../materials/api";

/**
 * The class board's shared state over the classroom's socket: what is on the stage
 * (`board-stage`) and the class's materials (`material-added` / `material-removed`), loaded on
 * every (re)join. The drawings themselves are synced by the board view (BoardView) while it shows.
 */
export function useBoard(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined) {
  const [stage, setStage] = useState<BoardStageDto | null>(null);
  const [materials, setMaterials] = useState<MaterialDto[]>([]);
  const [loaded, setLoaded] = useState(false);
  /** A newer stage never gives way to an older one (an ack and the event may cross). */
  const adopt = (next: BoardStageDto) => setStage((before) => (before && before.seq > next.seq ? before : next));
  const { listError, send } = useClassFeed(conn, roomId, joinSeq, role, {
    handlers: {
      "board-stage": (event) => adopt(event.stage),
      "material-added": (event) => setMaterials((list) => [...list.filter((m) => m.id !== event.material.id), event.material]),
      "material-removed": (event) => setMaterials((list) => list.filter((m) => m.id !== event.materialId)),
    },
    load: async (connection) => {
      const [{ stage: current }, { materials: list }] = await Promise.all([connection.send("board-state", { roomId }), materialsApi.list(roomId)]);
      return { stage: current, materials: list };
    },
    loaded: (value) => {
      setStage(value.stage);
      setMaterials(value.materials);
      setLoaded(true);
    },
  });

  const actions = useMemo(() => {
    const withStage = async (fn: (connection: RoomConnection) => Promise<{ stage: BoardStageDto }>) => {
      const { stage: next } = await send(fn);
      setStage((before) => (before && before.seq > next.seq ? before : next));
      return next;
    };
    return {
      present: (surfaceId: string | null, page?: number) =>
        withStage((connection) => connection.send("board-present", page ? { roomId, surfaceId, page } : { roomId, surfaceId })),
      turn: (page: number) => withStage((connection) => connection.send("board-turn", { roomId, page })),
      settings: (patch: Omit<BoardSettingsPayload, "roomId">) => withStage((connection) => connection.send("board-settings", { roomId, ...patch })),
      addPage: () => withStage((connection) => connection.send("board-add-page", { roomId })),
      clearPage: (surfaceId: string, page: number) => send((connection) => connection.send("board-clear", { roomId, surfaceId, page })),
      added: (material: MaterialDto) => setMaterials((list) => [...list.filter((m) => m.id !== material.id), material]),
      removed: (materialId: string) => setMaterials((list) => list.filter((m) => m.id !== materialId)),
    };
  }, [roomId, send]);

  return { stage, materials, loaded, listError, actions };
}

export type Board = ReturnType<typeof useBoard>;
export type BoardActions = Board["actions"];
