import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "onChange"> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  testId?: string;
}

/** A labelled text input with its hint and error wired up for assistive technology. */
export function Field({ label, value, onChange, error, hint, testId, id, ...rest }: FieldProps) {
  const auto = useId();
  // An error belongs to the value it was found on: hide it as soon as the person edits the field.
  const [seen, setSeen] = useState<{ error?: string; value: string }>({ error, value });
  if (seen.error !== error) setSeen({ error, value });
  if (error && seen.error === error && seen.value !== value) error = undefined;
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errId = error ? `${inputId}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        className="input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errId, hintId].filter(Boolean).join(" ") || undefined}
        data-testid={testId}
        {...rest}
      />
      {error && (
        <div className="error" id={errId}>
          {error}
        </div>
      )}
      {hint && (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      )}
    </div>
  );
}
