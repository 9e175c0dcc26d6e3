import { useState, type FormEvent } from "react";
import { errorText } from "../api/errors";
import { checkEmail } from "./validate";

/**
 * A one-field "send me a mail" form (forgot password, resend verification): checks the
 * address before sending, shows the API's error in words, and remembers that it was sent.
 */
export function useEmailForm(send: (email: string) => Promise<unknown>, initialEmail = "") {
  const [email, setEmail] = useState(initialEmail);
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "busy" | "sent">("idle");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = checkEmail(email);
    setFieldError(problem ?? undefined);
    if (problem) return;
    setState("busy");
    setError(null);
    try {
      await send(email.trim());
      setState("sent");
    } catch (err) {
      setError(errorText(err));
      setState("idle");
    }
  };

  return { email, setEmail, fieldError, error, state, submit };
}
