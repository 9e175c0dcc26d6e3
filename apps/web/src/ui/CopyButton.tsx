import { useEffect, useState } from "react";
import { Icon } from "./Icon";

/** Copies text to the clipboard and says so (visibly and to screen readers). */
export function CopyButton({ text, label, testId, children = "Copy" }: { text: string; label: string; testId?: string; children?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <button type="button" className="btn btn-secondary btn-sm" onClick={copy} aria-label={label} data-testid={testId} title={label}>
      <Icon name={state === "copied" ? "check" : "copy"} size={16} />
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : children}</span>
    </button>
  );
}
