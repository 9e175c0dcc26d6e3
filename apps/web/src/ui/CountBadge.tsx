/** A count on a control or tab (unread messages, people waiting, open polls); nothing at zero. */
export function CountBadge({ count, testId, label, className }: { count: number; testId: string; label: string; className?: string }) {
  if (count <= 0) return null;
  return (
    <span className={className ? `ctrl-badge ${className}` : "ctrl-badge"} data-testid={testId} role="img" aria-label={`${count} ${label}`}>
      {count > 99 ? "99+" : count}
    </span>
  );
}
