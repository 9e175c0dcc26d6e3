import { lazy, Suspense, useMemo, useState } from "react";
import type { RecordingBoardData } from "./api";
import { BoardReplayState, surfaceTitle } from "./replayState";

/** Excalidraw and pdf.js load only when a recording's board is shown. */
const BoardCanvas = lazy(() => import("./BoardCanvas"));

/**
 * The class board of a recording, replayed in time beside the video: the page on the stage at
 * the playback time with its drawings as they were then (vector, zoomable). "Show the board"
 * hides or shows it; seeking moves it like the chat.
 */
export function BoardReplay({ data, timeMs }: { data: RecordingBoardData; timeMs: number }) {
  const replay = useMemo(() => new BoardReplayState(data.board), [data.board]);
  const [open, setOpen] = useState(true);
  replay.seek(timeMs);
  const shown = replay.shown;
  const revision = replay.revision;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the replay's revision says when the page's elements changed.
  const elements = useMemo(() => (shown ? replay.elementsOf(shown.surfaceId, shown.page) : []), [replay, revision, shown?.surfaceId, shown?.page]);
  if (!replay.used) return null;
  const titles = data.materials;
  const pointers = replay.pointersShown();

  return (
    <section className="board-replay" aria-labelledby="board-replay-h" data-testid="recording-board">
      <div className="row board-replay-head">
        <h2 id="board-replay-h">Board</h2>
        {open && shown && (
          <span className="muted small" data-testid="recording-board-title">
            {shown.surfaceId === "whiteboard" ? `Whiteboard · page ${shown.page}` : `${surfaceTitle(shown.surfaceId, titles)} · slide ${shown.page}`}
          </span>
        )}
        <label className="checkbox small board-replay-toggle">
          <input type="checkbox" checked={open} onChange={(event) => setOpen(event.target.checked)} data-testid="recording-board-toggle" />
          Show the board
        </label>
      </div>
      {open && (
        <div
          className="board-replay-frame"
          data-testid="recording-board-frame"
          data-surface-id={shown?.surfaceId ?? ""}
          data-page={shown?.page ?? ""}
          data-elements={elements.length}
          data-pointers={pointers.length}
        >
          {shown ? (
            <Suspense fallback={<p className="muted small board-replay-empty">Loading the board…</p>}>
              <BoardCanvas source={data.source} surfaceId={shown.surfaceId} page={shown.page} elements={elements} pointers={pointers} />
            </Suspense>
          ) : (
            <p className="muted small board-replay-empty" data-testid="recording-board-off">
              The board was not on the stage at this moment.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
