import { useState, type FormEvent } from "react";
import { api } from "../api/browser";
import { ApiError, errorText } from "../api/errors";
import { useSession } from "../auth/session";
import { checkEmail, collect, type Errors } from "../lib/validate";
import { safeNext } from "../router/match";
import { Link, navigate, useLocation } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";
import { AuthCard } from "../ui/Page";
import { ResendForm } from "./ResendForm";
import { forgetDestination, rememberedDestination } from "../lib/afterSignUp";

type K = "email" | "password";

export function SignInPage() {
  const { search } = useLocation();
  const session = useSession();
  const [email, setEmail] = useState(search.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors<K>>({});
  const [error, setError] = useState<{ text: string; code?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const asked = search.get("next");
  // Back from the verification mail: the class the person was invited to before signing up.
  const next = safeNext(asked ?? rememberedDestination(email));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = collect<K>({ email: checkEmail(email), password: password ? null : "Enter your password." });
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) {
      document.getElementById(`signin-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.login(email.trim(), password);
      forgetDestination();
      navigate(next, { replace: true });
    } catch (err) {
      setError({ text: errorText(err), code: err instanceof ApiError ? err.code : undefined });
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title="Sign in"
      lead="Welcome back. Sign in to teach or join your classes."
      foot={
        <>
          New to VTP?{" "}
          <Link to={asked ? `/sign-up?next=${encodeURIComponent(safeNext(asked))}` : "/sign-up"} data-testid="signin-to-signup">
            Create an account
          </Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate data-testid="signin-form">
        {session.endedReason && !error && <Alert kind="warning">{session.endedReason}</Alert>}
        {asked && !error && !session.endedReason && (
          <Alert kind="info">Please sign in to continue. New here? Create an account and you will come back to this page.</Alert>
        )}
        {error && (
          <Alert kind="error" testId="signin-error">
            {error.text}
          </Alert>
        )}
        <Field
          id="signin-email"
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
          autoComplete="email"
          inputMode="email"
          testId="signin-email"
        />
        <Field
          id="signin-password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          autoComplete="current-password"
          testId="signin-password"
        />
        <div className="row-between small">
          <Link to={email.trim() ? `/forgot-password?email=${encodeURIComponent(email.trim())}` : "/forgot-password"} data-testid="signin-forgot">
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" variant="primary" block busy={busy} data-testid="signin-submit">
          Sign in
        </Button>
      </form>
      {error?.code === "EMAIL_NOT_VERIFIED" && (
        <>
          <hr className="divider" />
          <h2 className="small" style={{ fontSize: "1rem" }}>
            Need a new verification link?
          </h2>
          <ResendForm initialEmail={email} />
        </>
      )}
    </AuthCard>
  );
}
