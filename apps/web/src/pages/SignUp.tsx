import { useState, type FormEvent } from "react";
import { accounts } from "../api/accounts";
import { errorText, fieldOf, ApiError } from "../api/errors";
import { navigate, Link, useLocation } from "../router/router";
import { rememberDestination } from "../lib/afterSignUp";
import { safeNext } from "../router/match";
import { checkEmail, checkName, checkPassword, collect, type Errors } from "../lib/validate";
import { Alert } from "../ui/Alert";
import { AuthCard } from "../ui/Page";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";

type K = "fullName" | "email" | "password";

export function SignUpPage() {
  // Where the person was going (e.g. a class link): kept until the verification mail is opened.
  const next = safeNext(useLocation().search.get("next"), "");
  const [fullName, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<"student" | "teacher">("student");
  const [errors, setErrors] = useState<Errors<K>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = collect<K>({ fullName: checkName(fullName), email: checkEmail(email), password: checkPassword(password) });
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) {
      document.getElementById(`signup-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await accounts.register({ fullName: fullName.trim(), email: email.trim(), password, role });
      rememberDestination(email.trim(), next);
      navigate(`/check-email?email=${encodeURIComponent(email.trim())}${next ? `&next=${encodeURIComponent(next)}` : ""}`);
    } catch (err) {
      const field = fieldOf(err);
      if (err instanceof ApiError && err.code === "EMAIL_TAKEN") setErrors({ email: errorText(err) });
      else if (field === "password" || (err instanceof ApiError && (err.code === "WEAK_PASSWORD" || err.code === "PASSWORD_TOO_LONG")))
        setErrors({ password: errorText(err) });
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title="Create your account"
      lead="Teach live classes or join your teacher's — all in the browser."
      foot={
        <>
          Already have an account? <Link to={next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in"}>Sign in</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate data-testid="signup-form">
        {error && <Alert kind="error">{error}</Alert>}
        <fieldset className="choice-group">
          <legend>I am a…</legend>
          <label className="choice">
            <input
              type="radio"
              name="role"
              value="student"
              checked={role === "student"}
              onChange={() => setRole("student")}
              data-testid="signup-role-student"
            />
            <strong>Student</strong>
            <span>Join classes with a code</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="role"
              value="teacher"
              checked={role === "teacher"}
              onChange={() => setRole("teacher")}
              data-testid="signup-role-teacher"
            />
            <strong>Teacher</strong>
            <span>Create and run classes</span>
          </label>
        </fieldset>
        <Field
          id="signup-fullName"
          label="Full name"
          value={fullName}
          onChange={setName}
          error={errors.fullName}
          autoComplete="name"
          maxLength={120}
          testId="signup-name"
        />
        <Field
          id="signup-email"
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
          autoComplete="email"
          inputMode="email"
          testId="signup-email"
        />
        <Field
          id="signup-password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          autoComplete="new-password"
          hint="At least 10 characters. A short sentence is easy to remember."
          testId="signup-password"
        />
        <Button type="submit" variant="primary" block busy={busy} data-testid="signup-submit">
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}
