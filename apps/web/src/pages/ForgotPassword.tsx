import { accounts } from "../api/accounts";
import { useEmailForm } from "../lib/useEmailForm";
import { Link, useLocation } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";
import { Icon } from "../ui/Icon";
import { AuthCard } from "../ui/Page";

export function ForgotPasswordPage() {
  // The address typed on the sign-in page comes along.
  const typed = useLocation().search.get("email") ?? "";
  const { email, setEmail, fieldError, error, state, submit } = useEmailForm((address) => accounts.forgotPassword(address), typed);

  return (
    <AuthCard
      title="Reset your password"
      icon={<Icon name="lock" size={26} />}
      lead="Enter the email you signed up with and we'll send you a link to choose a new password."
      foot={<Link to={email.trim() ? `/sign-in?email=${encodeURIComponent(email.trim())}` : "/sign-in"}>Back to sign in</Link>}
    >
      {state === "sent" ? (
        <Alert kind="success" testId="forgot-sent">
          If an account exists for <strong>{email.trim()}</strong>, a reset link is on its way. It expires in one hour.
        </Alert>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          {error && <Alert kind="error">{error}</Alert>}
          <Field label="Email" type="email" value={email} onChange={setEmail} error={fieldError} autoComplete="email" inputMode="email" testId="forgot-email" />
          <Button type="submit" variant="primary" block busy={state === "busy"} data-testid="forgot-submit">
            Send reset link
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
