import type { ReactNode } from "react";
import { Icon } from "./Icon";

/** A message box. Errors are announced to screen readers at once. */
export function Alert({ kind = "info", children, testId }: { kind?: "info" | "error" | "success" | "warning"; children: ReactNode; testId?: string }) {
  const icon = kind === "success" ? "check" : kind === "info" ? "mail" : "alert";
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"} data-testid={testId}>
      <Icon name={icon} size={18} style={{ flex: "none", marginTop: 2 }} />
      <div>{children}</div>
    </div>
  );
}
