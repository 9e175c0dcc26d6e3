import type { ErrorBody } from "@vtp/protocol";
import { humanMessage } from "../api/errors";
import { Link } from "../router/router";
import { Icon } from "../ui/Icon";
import { useTitle } from "../ui/Page";
import type { Phase } from "./state";

const TEXT: Partial<Record<Phase, [string, string]>> = {
  ended: ["The class has ended", "Thank you for joining. See you next time!"],
  left: ["You left the class", "You can go back in while the class is live."],
  removed: [
    "You were removed from this class",
    "The teacher removed you, so you cannot join it again. If you think this is a mistake, ask your teacher to let you back in.",
  ],
  rejected: ["The teacher did not let you in", "The teacher turned down your request to join this class. Ask your teacher if you think this is a mistake."],
  replaced: ["You joined from another tab", "This class is open in another window or tab, so it was closed here."],
};

/** Join errors that say the person will not get in by trying again. */
const REFUSED: Record<string, Phase> = { REMOVED_FROM_ROOM: "removed", REJECTED_BY_HOST: "rejected", ROOM_ENDED: "ended" };
const FINAL_CODES = new Set(["ROOM_NOT_FOUND", "FORBIDDEN", "ACCOUNT_DISABLED", ...Object.keys(REFUSED)]);
/** Headings for failures that are not about getting in. */
const FAILED_TITLE: Record<string, string> = { ACCOUNT_DISABLED: "Your account has been disabled" };

/** What a person sees when the class is over for them, or when joining failed. */
export function EndScreen({
  phase: given,
  error,
  onRejoin,
  title: classTitle,
  hostName,
}: {
  phase: Phase;
  error: ErrorBody | null;
  onRejoin?: () => void;
  title?: string;
  hostName?: string;
}) {
  const phase = given === "failed" && error && REFUSED[error.code] ? REFUSED[error.code] : given;
  const [title, text] = TEXT[phase] ?? [FAILED_TITLE[error?.code ?? ""] ?? "We couldn't get you into the class", humanMessage(error?.code, error?.message)];
  const canRetry = phase === "left" || phase === "replaced" || (phase === "failed" && !FINAL_CODES.has(error?.code ?? ""));
  useTitle(title);
  return (
    <div className="end-screen" data-testid="room-end-screen" data-phase={phase}>
      <div className="card end-card">
        <div className="auth-icon">
          <Icon name={phase === "ended" || phase === "left" ? "check" : "alert"} size={26} />
        </div>
        <h1 data-testid="room-end-title">{title}</h1>
        {classTitle && (
          <p className="small muted" data-testid="room-end-class">
            {classTitle}
            {hostName ? ` · with ${hostName}` : ""}
          </p>
        )}
        <p className="muted" data-testid="room-end-text">
          {text}
        </p>
        <div className="row" style={{ justifyContent: "center" }}>
          {onRejoin && canRetry && (
            <button type="button" className="btn btn-primary" onClick={onRejoin} data-testid="rejoin">
              {phase === "failed" ? "Try again" : "Rejoin"}
            </button>
          )}
          <Link className="btn btn-secondary" to="/dashboard" data-testid="back-to-dashboard">
            Back to dashboard
          </Link>
        </div>
      </div>
    </div>
  );
}
