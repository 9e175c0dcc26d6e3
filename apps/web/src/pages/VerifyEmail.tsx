import { useEffect, useState } from "react";
import type { UserDto } from "@vtp/protocol";
import { accounts } from "../api/accounts";
import { ApiError, errorText } from "../api/errors";
import { Link, useLocation } from "../router/router";
import { useSession } from "../auth/session";
import { Alert } from "../ui/Alert";
import { Icon } from "../ui/Icon";
import { AuthCard } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { ResendForm } from "./ResendForm";
import { rememberedDestination } from "../lib/afterSignUp";

// A token works once: share the request between React's double-mount in development and re-renders.
const pending = new Map<string, Promise<UserDto>>();
function verifyOnce(token: string) {
  let request = pending.get(token);
  if (!request) {
    request = accounts.verifyEmail(token).then((response) => response.user);
    pending.set(token, request);
  }
  return request;
}

export function VerifyEmailPage() {
  const token = useLocation().search.get("token") ?? "";
  const session = useSession();
  const [state, setState] = useState<{ kind: "busy" } | { kind: "ok"; user: UserDto } | { kind: "error"; message: string; code?: string }>(
    token ? { kind: "busy" } : { kind: "error", message: "This link is incomplete. Please open the link from the email again." },
  );

  useEffect(() => {
    if (!token) return;
    let alive = true;
    verifyOnce(token).then(
      (user) => alive && setState({ kind: "ok", user }),
      (err) => alive && setState({ kind: "error", message: errorText(err), code: err instanceof ApiError ? err.code : undefined }),
    );
    return () => {
      alive = false;
    };
  }, [token]);

  if (state.kind === "busy") return <Loading label="Verifying your email…" />;
  if (state.kind === "ok") {
    // The class link the person followed before signing up, kept in this browser.
    const dest = rememberedDestination(state.user.email);
    const signIn = `/sign-in?${new URLSearchParams({ email: state.user.email, ...(dest ? { next: dest } : {}) })}`;
    return (
      <AuthCard title="Email verified" icon={<Icon name="check" size={26} />} lead={<>Thank you, {state.user.fullName}. Your account is ready.</>}>
        <Alert kind="success" testId="verify-success">
          Your email address <strong>{state.user.email}</strong> is confirmed.
        </Alert>
        <p style={{ marginTop: 20 }}>
          {session.user ? (
            <Link className="btn btn-primary btn-block" to={dest ?? "/dashboard"} data-testid="verify-continue">
              {dest ? "Continue to your class" : "Go to your dashboard"}
            </Link>
          ) : (
            <Link className="btn btn-primary btn-block" to={signIn} data-testid="verify-continue">
              {dest ? "Sign in and continue to your class" : "Continue to sign in"}
            </Link>
          )}
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="We couldn't verify your email" icon={<Icon name="alert" size={26} />}>
      <div className="stack">
        <Alert kind="error" testId="verify-error">
          {state.message}
        </Alert>
        <p className="muted small">Enter your email and we will send a fresh link.</p>
        <ResendForm />
      </div>
    </AuthCard>
  );
}
