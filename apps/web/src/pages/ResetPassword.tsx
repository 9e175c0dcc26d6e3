import { useState, type FormEvent } from "react";
import { accounts } from "../api/accounts";
import { ApiError, errorText } from "../api/errors";
import { checkPassword, collect, type Errors } from "../lib/validate";
import { Link, useLocation } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";
import { Icon } from "../ui/Icon";
import { AuthCard } from "../ui/Page";

type K = "password" | "confirm";

export function ResetPasswordPage() {
  const token = useLocation().search.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors<K>>({});
  const [error, setError] = useState<{ text: string; linkProblem: boolean } | null>(null);
  const [state, setState] = useState<"idle" | "busy" | "done">("idle");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = collect<K>({ password: checkPassword(password), confirm: confirm === password ? null : "The passwords do not match." });
    setErrors(found);
    if (Object.keys(found).length) return;
    setState("busy");
    setError(null);
    try {
      await accounts.resetPassword(token, password);
      setState("done");
    } catch (err) {
      const linkProblem = err instanceof ApiError && (err.code === "INVALID_TOKEN" || err.code === "TOKEN_EXPIRED");
      setError({ text: errorText(err), linkProblem });
      setState("idle");
    }
  };

  if (!token)
    return (
      <AuthCard title="This link is incomplete" icon={<Icon name="alert" size={26} />}>
        <p>Please open the link from the email again, or ask for a new one.</p>
        <Link className="btn btn-primary btn-block" to="/forgot-password">
          Ask for a new link
        </Link>
      </AuthCard>
    );

  if (state === "done")
    return (
      <AuthCard title="Password changed" icon={<Icon name="check" size={26} />} lead="Your new password is set. You can sign in with it now.">
        <Link className="btn btn-primary btn-block" to="/sign-in" data-testid="reset-continue">
          Sign in
        </Link>
      </AuthCard>
    );

  return (
    <AuthCard title="Choose a new password" icon={<Icon name="lock" size={26} />} foot={<Link to="/sign-in">Back to sign in</Link>}>
      <form className="form" onSubmit={submit} noValidate>
        {error && (
          <Alert kind="error" testId="reset-error">
            {error.text} {error.linkProblem && <Link to="/forgot-password">Ask for a new link.</Link>}
          </Alert>
        )}
        <Field
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          autoComplete="new-password"
          hint="At least 10 characters."
          testId="reset-password"
        />
        <Field
          label="Repeat the new password"
          type="password"
          value={confirm}
          onChange={setConfirm}
          error={errors.confirm}
          autoComplete="new-password"
          testId="reset-confirm"
        />
        <Button type="submit" variant="primary" block busy={state === "busy"} data-testid="reset-submit">
          Set new password
        </Button>
      </form>
    </AuthCard>
  );
}
