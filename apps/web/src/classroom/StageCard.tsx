import type { ReactNode } from "react";
import "../styles/polls.css";
import { Icon } from "../ui/Icon";

/**
 * A card over the stage for a student (a sheet above the controls on a phone) that appears
 * without opening a panel: a poll or a quiz that opened, closed or has results. "Hide" puts it
 * away. (Its owner keeps a polite live region beside it, so screen readers hear what changed:
 * the card appears without moving focus.)
 */
export function StageCard(props: {
  /** What it is, for people: "Poll", "Quiz". */
  kind: string;
  title: string;
  testId: string;
  className?: string;
  data: Record<`data-${string}`, string>;
  onHide: () => void;
  children: ReactNode;
}) {
  return (
    <aside className={`poll-card ${props.className ?? ""}`.trim()} aria-label={props.kind} data-testid={props.testId} {...props.data}>
      <header className="poll-card-head">
        <span className="poll-card-title">
          <Icon name="activity" size={16} /> {props.title}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          onClick={props.onHide}
          aria-label={`Hide ${props.kind.toLowerCase()}`}
          data-testid={`${props.testId}-hide`}
        >
          <Icon name="close" size={16} />
        </button>
      </header>
      {props.children}
    </aside>
  );
}
