import "./quality.css";
import type { ConnectionQualityDto } from "@vtp/protocol";

const LABELS = { good: "Good connection", fair: "Fair connection", poor: "Poor connection" } as const;

/** A participant's connection quality as a coloured dot with a label (screen readers read the label). */
export function QualityBadge({ quality, compact = false }: { quality: ConnectionQualityDto | undefined; compact?: boolean }) {
  if (!quality) return null;
  const details = `${quality.lossPercent}% lost${quality.rttMs !== null ? `, ${quality.rttMs} ms` : ""}${quality.availableKbps !== null ? `, ${quality.availableKbps} kbit/s available` : ""}`;
  return (
    <span
      className={`quality-badge quality-${quality.level}`}
      data-testid="quality-badge"
      data-level={quality.level}
      title={`${LABELS[quality.level]} (${details})`}
    >
      <span className="quality-dot" aria-hidden="true" />
      <span className={compact ? "sr-only" : undefined}>{LABELS[quality.level]}</span>
    </span>
  );
}
