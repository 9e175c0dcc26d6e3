export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role={label ? "status" : undefined} aria-label={label || undefined} aria-hidden={label ? undefined : true} />;
}

/** A full-area loading state. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="center-fill" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
