export function Spinner({ label = "Loading" }: { label?: string }) {
  return label ? <span className="spinner" role="status" aria-label={label} /> : <span className="spinner" aria-hidden="true" />;
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
