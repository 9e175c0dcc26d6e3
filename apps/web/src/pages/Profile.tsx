import { useState, type FormEvent } from "react";
import { accounts } from "../api/accounts";
import { ApiError, errorText } from "../api/errors";
import { useUser } from "../auth/session";
import { checkName, checkPassword, collect, type Errors } from "../lib/validate";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";
import { PageHeader } from "../ui/Page";
import { RoleBadge } from "../ui/RoleBadge";

export function ProfilePage() {
  const user = useUser();
  return (
    <div className="container container-narrow">
      <PageHeader title="Your profile" description="Your name is what others see in class." />
      <div className="stack">
        <section className="card" aria-labelledby="account-h">
          <h2 id="account-h">Account</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd data-testid="profile-email">{user.email}</dd>
            <dt>Role</dt>
            <dd>
              <RoleBadge role={user.role} />
            </dd>
            <dt>Member since</dt>
            <dd>{new Date(user.createdAt).toLocaleDateString(undefined, { dateStyle: "long" })}</dd>
          </dl>
        </section>
        <NameForm initial={user.fullName} />
        <PasswordForm />
      </div>
    </div>
  );
}

function NameForm({ initial }: { initial: string }) {
  const [name, setName] = useState(initial);
  const [fieldError, setFieldError] = useState<string>();
  const [msg, setMsg] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = checkName(name);
    setFieldError(problem ?? undefined);
    setMsg(null);
    if (problem) return;
    setBusy(true);
    try {
      await accounts.updateProfile(name.trim());
      setMsg({ kind: "success", text: "Your name has been saved." });
    } catch (err) {
      setMsg({ kind: "error", text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="name-h">
      <h2 id="name-h">Name</h2>
      <form className="form" onSubmit={submit} noValidate>
        {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
        <Field label="Full name" value={name} onChange={setName} error={fieldError} autoComplete="name" maxLength={120} testId="profile-name" />
        <div>
          <Button type="submit" variant="primary" busy={busy} disabled={name.trim() === initial} data-testid="profile-save">
            Save name
          </Button>
        </div>
      </form>
    </section>
  );
}

type K = "current" | "next" | "confirm";

function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors<K>>({});
  const [msg, setMsg] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = collect<K>({
      current: current ? null : "Enter your current password.",
      next: checkPassword(next) ?? (next === current ? "Choose a password different from the current one." : null),
      confirm: confirm === next ? null : "The passwords do not match.",
    });
    setErrors(found);
    setMsg(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await accounts.changePassword(current, next);
      setCurrent("");
      setNext("");
      setConfirm("");
      setMsg({ kind: "success", text: "Your password has been changed. Other devices have been signed out." });
    } catch (err) {
      if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") setErrors({ current: "Your current password is not correct." });
      else setMsg({ kind: "error", text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <form className="form" onSubmit={submit} noValidate>
        {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
        <Field
          label="Current password"
          type="password"
          value={current}
          onChange={setCurrent}
          error={errors.current}
          autoComplete="current-password"
          testId="password-current"
        />
        <Field
          label="New password"
          type="password"
          value={next}
          onChange={setNext}
          error={errors.next}
          autoComplete="new-password"
          hint="At least 10 characters."
          testId="password-new"
        />
        <Field
          label="Repeat the new password"
          type="password"
          value={confirm}
          onChange={setConfirm}
          error={errors.confirm}
          autoComplete="new-password"
          testId="password-confirm"
        />
        <div>
          <Button type="submit" variant="primary" busy={busy} data-testid="password-save">
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
