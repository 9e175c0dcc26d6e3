import type { ButtonHTMLAttributes, Ref } from "react";
import { Spinner } from "./Spinner";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: "primary" | "secondary" | "ghost" | "danger";
  size?: "md" | "sm";
  block?: boolean;
  busy?: boolean;
  ref?: Ref<HTMLButtonElement>;
}

/** The button of the design system. `busy` shows a spinner and blocks double submits. */
export function Button({ variant = "secondary", size = "md", block, busy, className, children, disabled, type = "button", ...rest }: ButtonProps) {
  const cls = ["btn", `btn-${variant}`, size === "sm" && "btn-sm", block && "btn-block", className].filter(Boolean).join(" ");
  return (
    <button type={type} className={cls} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <Spinner label="" />}
      {children}
    </button>
  );
}
