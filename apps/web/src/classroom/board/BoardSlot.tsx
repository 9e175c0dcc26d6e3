import { lazy, Suspense } from "react";
import { Loading } from "../../ui/Spinner";
import type { BoardViewProps } from "./BoardView";

/** Excalidraw and pdf.js load only when a board first shows (their own chunks): the classroom's first load does not grow. */
const BoardView = lazy(() => import("./BoardView"));

export function BoardSlot(props: BoardViewProps) {
  return (
    <Suspense
      fallback={
        <div className="board board-loading" data-testid="board-loading">
          <Loading label="Opening the board…" />
        </div>
      }
    >
      <BoardView {...props} />
    </Suspense>
  );
}
