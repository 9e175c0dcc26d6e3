import { useEffect, useRef, useState } from "react";
import { Button, type ButtonProps } from "./Button";

/** A button that asks "Are you sure?" in place before doing something that cannot be undone. */
export function ConfirmButton({
  question,
  confirmLabel,
  onConfirm,
  children,
  testId,
  ...rest
}: ButtonProps & { question: string; confirmLabel: string; onConfirm: () => void | Promise<void>; testId?: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <Button {...rest} onClick={() => setAsking(true)} data-testid={testId}>
        {children}
      </Button>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline question and two buttons within a line of text; a fieldset would break the line.
    <span className="confirm" role="group" aria-label={question}>
      <span className="small">{question}</span>
      <Button
        ref={yes}
        size="sm"
        variant="danger"
        busy={busy}
        data-testid={testId ? `${testId}-confirm` : undefined}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}
