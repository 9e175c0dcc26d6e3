import "../../styles/board.css";
import { useRef, useState } from "react";
import { BOARD_WHITEBOARD, type MaterialDto } from "@vtp/protocol";
import { Icon } from "../../ui/Icon";
import { ConfirmButton } from "../../ui/ConfirmButton";
import type { Board } from "../board/useBoard";
import { materialsApi, uploadErrorText } from "./api";

const ACCEPT = ".pdf,.pptx,.odp,.docx,application/pdf";

/**
 * The Materials side panel: the class's documents (they stay with the class across sessions).
 * The host uploads (drag and drop or a file picker, with a progress bar), presents, deletes, and
 * clears the drawings for the next session; everyone can download a document with the class's
 * drawings on it.
 */
export function MaterialsPanel({
  roomId,
  board,
  isHost,
  canPresent,
  run,
  describe,
  onClose,
}: {
  roomId: string;
  board: Board;
  isHost: boolean;
  /** The host, or the presenter the host chose. */
  canPresent: boolean;
  run: (done: string, fn: () => Promise<unknown>) => void;
  describe: (err: unknown) => string;
  onClose: () => void;
}) {
  const [progress, setProgress] = useState<{ name: string; fraction: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const { materials, stage, actions } = board;

  const upload = async (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      setError(null);
      setProgress({ name: file.name, fraction: 0 });
      try {
        const { material } = await materialsApi.upload(roomId, file, (fraction) => setProgress({ name: file.name, fraction }));
        actions.added(material);
      } catch (err) {
        setError(`${file.name}: ${uploadErrorText(err)}`);
      } finally {
        setProgress(null);
      }
    }
  };
  const present = (surfaceId: string) => run("On the stage for everyone.", () => actions.present(surfaceId, 1));
  const onStage = (material: MaterialDto) => stage?.surfaceId === material.id;

  return (
    <section className="panel materials-panel" aria-labelledby="materials-h" data-testid="materials-panel">
      <header className="panel-head">
        <h2 id="materials-h">Materials</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close materials">
          <Icon name="close" />
        </button>
      </header>
      <div className="panel-body">
        {board.listError ? (
          <p className="poll-error" role="alert">
            {describe(board.listError)}
          </p>
        ) : null}
        {canPresent && (
          <div className="row materials-actions">
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => present(BOARD_WHITEBOARD)} data-testid="board-blank">
              Blank board
            </button>
            {stage?.surfaceId && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => run("The board left the stage.", () => actions.present(null))}>
                Stop presenting
              </button>
            )}
          </div>
        )}
        {isHost && (
          // biome-ignore lint/a11y/noStaticElementInteractions: the drop zone; the button inside is the keyboard's way in.
          <div
            className={`materials-drop ${over ? "over" : ""}`}
            onDragOver={(event) => {
              event.preventDefault();
              setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={(event) => {
              event.preventDefault();
              setOver(false);
              if (event.dataTransfer.files.length) void upload(event.dataTransfer.files);
            }}
            data-testid="materials-drop"
          >
            <p className="small">Drop a PDF here (or pptx, odp, docx when the server converts them).</p>
            <button type="button" className="btn btn-primary btn-sm" onClick={() => picker.current?.click()} disabled={!!progress} data-testid="materials-pick">
              <Icon name="plus" size={16} /> Upload a file
            </button>
            <input
              ref={picker}
              type="file"
              accept={ACCEPT}
              hidden
              multiple
              onChange={(event) => {
                if (event.target.files?.length) void upload(event.target.files);
                event.target.value = "";
              }}
              data-testid="materials-file"
            />
            {progress && (
              <div className="materials-progress" data-testid="materials-progress">
                <span className="small">Uploading {progress.name}…</span>
                <progress max={1} value={progress.fraction} aria-label={`Uploading ${progress.name}`} />
              </div>
            )}
            {error && (
              <p className="poll-error" role="alert" data-testid="materials-error">
                {error}
              </p>
            )}
          </div>
        )}
        {board.loaded && materials.length === 0 && (
          <p className="muted small">
            {isHost ? "No materials yet. Upload slides to show them on the board." : "The teacher has not shared any materials yet."}
          </p>
        )}
        <ul className="materials-list" aria-label="Materials of the class" data-testid="materials-list">
          {materials.map((material) => (
            <li
              key={material.id}
              className="material"
              data-testid="material"
              data-material-id={material.id}
              data-on-stage={onStage(material) ? "true" : "false"}
            >
              <div className="material-head">
                <strong className="material-title">{material.title}</strong>
                <span className="muted small">
                  {material.pages} {material.pages === 1 ? "page" : "pages"} · {material.sourceType.toUpperCase()}
                </span>
              </div>
              <div className="material-actions">
                {canPresent && (
                  <button
                    type="button"
                    className="btn btn-primary btn-sm"
                    onClick={() => present(material.id)}
                    disabled={onStage(material)}
                    data-testid="material-present"
                  >
                    {onStage(material) ? "On the stage" : "Present"}
                  </button>
                )}
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onClick={() => run("", () => materialsApi.downloadAnnotated(roomId, material.id, material.title))}
                  data-testid="material-download"
                  title="Download the PDF with the class's drawings"
                >
                  <Icon name="download" size={16} /> Annotated PDF
                </button>
                {isHost && (
                  <ConfirmButton
                    size="sm"
                    variant="ghost"
                    question="Delete it and its drawings?"
                    confirmLabel="Delete"
                    onConfirm={() => run("Deleted.", () => materialsApi.remove(roomId, material.id).then(() => actions.removed(material.id)))}
                    testId="material-delete"
                  >
                    <Icon name="trash" size={16} /> Delete
                  </ConfirmButton>
                )}
              </div>
            </li>
          ))}
        </ul>
        {isHost && (
          <div className="materials-clear">
            <ConfirmButton
              size="sm"
              variant="ghost"
              question="Clear every drawing of this class? The materials stay."
              confirmLabel="Clear drawings"
              onConfirm={() => run("The drawings were cleared for the next session.", () => materialsApi.clearDrawings(roomId))}
              testId="board-clear-all"
            >
              Clear drawings for next session
            </ConfirmButton>
          </div>
        )}
      </div>
    </section>
  );
}
