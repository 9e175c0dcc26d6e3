import type { UserRole } from "@vtp/protocol";

const label: Record<UserRole, string> = { admin: "Admin", teacher: "Teacher", student: "Student" };
const cls: Record<UserRole, string> = { admin: "badge-danger", teacher: "badge-primary", student: "" };

export function RoleBadge({ role }: { role: UserRole }) {
  return <span className={`badge ${cls[role]}`}>{label[role]}</span>;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = (parts[0]?.[0] ?? "") + (parts.length > 1 ? parts[parts.length - 1][0] : "");
  return letters.toUpperCase() || "?";
}

/** A stable, readable background colour per person. */
export function avatarColor(seed: string): string {
  const colors = ["#4f5fd1", "#0f7b6c", "#b4451f", "#8a3fb8", "#1d6fa8", "#a2366b", "#5b6b1f", "#2f5bea"];
  let hash = 0;
  for (const ch of seed) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return colors[hash % colors.length];
}
