import { useState } from "react";
import { Icon } from "../../ui/Icon";
import type { BoardRights } from "./permissions";

/** Quick pens (Excalidraw's palette colours): one tap to write in a colour, on a phone too. */
const PENS = [
  ["Black", "#1e1e1e"],
  ["Red", "#e03131"],
  ["Blue", "#1971c2"],
  ["Green", "#2f9e44"],
] as const;

/**
 * The board's own bar above the drawing: what is shown and which page, page turning (for
 * everyone: the presenter turns the class's page, others browse on their own and can go back),
 * thumbnails, the highlighter and laser pointer (for those who draw), and the presenter's tools.
 */
export function BoardBar(props: {
  title: string;
  page: number;
  pageCount: number;
  stagePage: number;
  rights: BoardRights;
  /** The drawing surface is up: until then a pen would pick nothing. */
  ready: boolean;
  whiteboard: boolean;
  thumbs: boolean;
  laser: boolean;
  settingsOpen: boolean;
  onTurn: (page: number) => void;
  onFollow: () => void;
  onThumbs: () => void;
  onHighlighter: () => void;
  onPen: (colour: string) => void;
  onLaser: () => void;
  onAddPage: () => void;
  onClear: () => void;
  onStop: () => void;
  onSettings: () => void;
}) {
  const [confirmClear, setConfirmClear] = useState(false);
  const away = props.page !== props.stagePage && !props.rights.present;
  return (
    <div className="board-bar" role="toolbar" aria-label="Board">
      <div className="board-bar-group board-title">
        <strong title={props.title}>{props.title}</strong>
        <span className="board-page-label" data-testid="board-page-label">
          Page {props.page} of {props.pageCount}
        </span>
      </div>
      <div className="board-bar-group">
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => props.onTurn(props.page - 1)}
          disabled={props.page <= 1}
          aria-label="Previous page"
          data-testid="board-prev"
        >
          <Icon name="arrowLeft" size={16} />
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => props.onTurn(props.page + 1)}
          disabled={props.page >= props.pageCount}
          aria-label="Next page"
          data-testid="board-next"
        >
          <Icon name="arrowLeft" size={16} className="flip" />
        </button>
        <button type="button" className="btn btn-ghost btn-sm" aria-pressed={props.thumbs} onClick={props.onThumbs} data-testid="board-pages">
          Pages
        </button>
        {away && (
          <button type="button" className="btn btn-primary btn-sm" onClick={props.onFollow} data-testid="board-follow">
            Back to the teacher's page ({props.stagePage})
          </button>
        )}
      </div>
      {props.rights.draw && (
        <div className="board-bar-group">
          {PENS.map(([name, colour]) => (
            <button
              key={colour}
              type="button"
              className="board-pen"
              style={{ background: colour }}
              onClick={() => props.onPen(colour)}
              disabled={!props.ready}
              aria-label={`${name} pen`}
              title={`${name} pen`}
              data-testid="board-pen"
              data-color={colour}
            />
          ))}
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={props.onHighlighter}
            disabled={!props.ready}
            data-testid="board-highlighter"
            title="Highlighter: a wide see-through yellow pen"
          >
            Highlighter
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            aria-pressed={props.laser}
            onClick={props.onLaser}
            disabled={!props.ready}
            data-testid="board-laser"
            title="Laser pointer: everyone sees it while you hold the button; it is not kept"
          >
            Laser
          </button>
        </div>
      )}
      {props.rights.present && (
        <div className="board-bar-group">
          {props.whiteboard && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={props.onAddPage} data-testid="board-add-page">
              <Icon name="plus" size={16} /> Page
            </button>
          )}
          {confirmClear ? (
            // biome-ignore lint/a11y/useSemanticElements: an inline question with two buttons inside the toolbar.
            <span className="confirm" role="group" aria-label="Clear this page for everyone?">
              <span className="small">Clear this page for everyone?</span>
              <button
                type="button"
                className="btn btn-danger btn-sm"
                onClick={() => {
                  setConfirmClear(false);
                  props.onClear();
                }}
                data-testid="board-clear-confirm"
              >
                Clear
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmClear(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmClear(true)} data-testid="board-clear">
              Clear page
            </button>
          )}
          {props.rights.settings && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-pressed={props.settingsOpen}
              onClick={props.onSettings}
              aria-label="Board settings"
              data-testid="board-settings-toggle"
            >
              <Icon name="settings" size={16} />
            </button>
          )}
          <button type="button" className="btn btn-ghost btn-sm" onClick={props.onStop} data-testid="board-stop">
            Stop presenting
          </button>
        </div>
      )}
    </div>
  );
}
