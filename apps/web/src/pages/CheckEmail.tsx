import { useState } from "react";
import { accounts } from "../api/accounts";
import { errorText } from "../api/errors";
import { Link, useLocation } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Icon } from "../ui/Icon";
import { AuthCard } from "../ui/Page";
import { safeNext } from "../router/match";

export function CheckEmailPage() {
  const { search } = useLocation();
  const email = search.get("email") ?? "";
  const next = safeNext(search.get("next"), "");
  const [state, setState] = useState<"idle" | "busy" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);

  const resend = async () => {
    setState("busy");
    setError(null);
    try {
      await accounts.resendVerification(email);
      setState("sent");
    } catch (err) {
      setError(errorText(err));
      setState("idle");
    }
  };

  return (
    <AuthCard
      title="Check your email"
      icon={<Icon name="mail" size={26} />}
      lead={
        <>
          We sent a verification link to {email ? <strong data-testid="check-email-address">{email}</strong> : "your email address"}. Open it to activate your
          account.
        </>
      }
      foot={
        <>
          Verified already? <Link to={`/sign-in?${new URLSearchParams({ ...(email ? { email } : {}), ...(next ? { next } : {}) })}`}>Sign in</Link>
        </>
      }
    >
      <div className="stack">
        <p className="muted small">The link works once and expires in 24 hours. Can't find it? Look in your spam folder.</p>
        {next && (
          <p className="small" data-testid="check-email-next">
            Open the link in this browser: after you sign in, you will go straight on to where you were heading.
          </p>
        )}
        {state === "sent" && <Alert kind="success">A new link is on its way.</Alert>}
        {error && <Alert kind="error">{error}</Alert>}
        {email && (
          <Button onClick={resend} busy={state === "busy"} disabled={state === "sent"} block data-testid="resend-verification">
            Send the link again
          </Button>
        )}
      </div>
    </AuthCard>
  );
}
