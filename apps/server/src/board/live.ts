import type { BoardElement, BoardStageDto, ServerEventPayload } from "@vtp/protocol";
import type { Broadcaster } from "../signalling/index.js";

/**
 * Board events to the people of a class, through signalling's Broadcaster (so, with the Redis
 * adapter, to sockets on every app server).
 */
export class BoardLive {
  constructor(private readonly out: Broadcaster) {}

  stage(stage: BoardStageDto): void {
    this.out.toRoom(stage.roomId, "board-stage", { roomId: stage.roomId, stage });
  }

  /** Accepted elements, to everyone in the room but the sender's socket. */
  elements(
    change: { roomId: string; surfaceId: string; page: number; elements: BoardElement[]; seq: number; authorId: string },
    exceptSocketId?: string,
  ): void {
    this.out.toRoom(change.roomId, "board-elements", change, exceptSocketId);
  }

  cleared(roomId: string, surfaceId: string, page: number, seq: number): void {
    this.out.toRoom(roomId, "board-cleared", { roomId, surfaceId, page, seq });
  }

  /** The laser pointer: volatile (a lost sample is replaced by the next), not to the sender. */
  pointer(payload: ServerEventPayload<"board-pointer">, exceptSocketId?: string): void {
    this.out.toRoomVolatile(payload.roomId, "board-pointer", payload, exceptSocketId);
  }
}
