import { accounts } from "../api/accounts";
import { useEmailForm } from "../lib/useEmailForm";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";

/** Asks for a new verification link. */
export function ResendForm({ initialEmail = "" }: { initialEmail?: string }) {
  const { email, setEmail, fieldError, error, state, submit } = useEmailForm((address) => accounts.resendVerification(address), initialEmail);
  if (state === "sent") return <Alert kind="success">If that address has an unverified account, a new link is on its way.</Alert>;
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error && <Alert kind="error">{error}</Alert>}
      <Field label="Email" type="email" value={email} onChange={setEmail} error={fieldError} autoComplete="email" />
      <Button type="submit" variant="primary" busy={state === "busy"} block>
        Send a new link
      </Button>
    </form>
  );
}
