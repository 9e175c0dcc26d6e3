import type { ErrorBody } from "@vtp/protocol";
import { humanMessage } from "../api/errors";
import { Link } from "../router/router";
import { Icon } from "../ui/Icon";
import { useTitle } from "../ui/Page";
import type { Phase } from "./state";

const TEXT: Partial<Record<Phase, [string, string]>> = {
  ended: ["The class has ended", "Thank you for joining. See you next time!"],
  left: ["You left the class", "You can go back in while the class is live."],
  removed: ["You were removed from this class", "The teacher removed you. You cannot rejoin this class."],
  rejected: ["The teacher did not let you in", "Ask your teacher if you think this is a mistake."],
  replaced: ["You joined from another tab", "This class is open in another window or tab, so it was closed here."],
};

/** What a person sees when the class is over for them, or when joining failed. */
export function EndScreen({ phase, error, onRejoin }: { phase: Phase; error: ErrorBody | null; onRejoin?: () => void }) {
  const [title, text] = TEXT[phase] ?? ["We couldn't get you into the class", humanMessage(error?.code, error?.message)];
  useTitle(title);
  return (
    <div className="end-screen" data-testid="room-end-screen" data-phase={phase}>
      <div className="card end-card">
        <div className="auth-icon">
          <Icon name={phase === "ended" || phase === "left" ? "check" : "alert"} size={26} />
        </div>
        <h1 data-testid="room-end-title">{title}</h1>
        <p className="muted">{text}</p>
        <div className="row" style={{ justifyContent: "center" }}>
          {onRejoin && (phase === "left" || phase === "replaced" || phase === "failed") && (
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
