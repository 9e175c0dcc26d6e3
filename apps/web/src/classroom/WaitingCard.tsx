import { Link } from "../router/router";
import { useTitle } from "../ui/Page";
import { NotifyWhenAdmitted } from "../pwa/admitted";

/** A student in the waiting room: which class, that the teacher knows, and the way out. */
export function WaitingCard({ title, hostName, userName }: { title: string; hostName: string; userName: string }) {
  useTitle(`Waiting · ${title}`);
  return (
    <div className="end-screen" data-testid="waiting-room">
      <div className="card end-card waiting-card">
        <div className="waiting-dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
        <h1 data-testid="waiting-title">{title}</h1>
        <p className="muted">with {hostName}</p>
        <p role="status" aria-live="polite">
          <strong>{hostName} has been told you are here</strong> and will let you in shortly. You join as {userName}.
        </p>
        <p className="muted small">Keep this page open: you will enter the class by yourself as soon as you are admitted.</p>
        <div className="row" style={{ justifyContent: "center" }}>
          <NotifyWhenAdmitted />
          <Link className="btn btn-secondary" to="/dashboard" data-testid="waiting-leave">
            Leave the waiting room
          </Link>
        </div>
      </div>
    </div>
  );
}
