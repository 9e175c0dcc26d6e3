import type { BoardStageDto, RoomRole } from "@vtp/protocol";

/** Who may do what on the board — the same rule as the server's (docs/PROTOCOL.md "Board"); the server decides anyway. */
export interface BoardRights {
  /** Put a surface on the stage, turn pages, clear a page, add a whiteboard page. */
  present: boolean;
  /** Draw, erase, use the laser pointer. */
  draw: boolean;
  /** Choose the presenter, who draws, the layout. */
  settings: boolean;
}

export function boardRights(stage: BoardStageDto | null, role: RoomRole | undefined, userId: string): BoardRights {
  const host = role === "host";
  const presenter = !!stage && stage.presenterId === userId;
  const byPolicy = !!stage && (stage.drawPolicy === "everyone" || (stage.drawPolicy === "chosen" && stage.allowedUserIds.includes(userId)));
  return { present: host || presenter, draw: host || presenter || byPolicy, settings: host };
}
