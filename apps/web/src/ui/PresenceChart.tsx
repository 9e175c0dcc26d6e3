import type { PresencePoint } from "../lib/presence";

/** A small area chart of how many people were present over the class. */
export function PresenceChart({ points }: { points: PresencePoint[] }) {
  if (points.length < 2) return null;
  const W = 600;
  const H = 120;
  const max = Math.max(1, ...points.map((p) => p.count));
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const x = (t: number) => ((t - t0) / (t1 - t0)) * W;
  const y = (c: number) => 4 + (1 - c / max) * (H - 4);
  const line = points.map((p, i) => `${i ? "L" : "M"} ${x(p.t)} ${y(p.count)}`).join(" ");
  const area = `M 0 ${H} ${points.map((p) => `L ${x(p.t)} ${y(p.count)}`).join(" ")} L ${W} ${H} Z`;
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, Math.round(max / 2), max];
  const fmt = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return (
    <figure className="chart" data-testid="presence-chart">
      <div className="chart-plot">
        <div className="chart-y" aria-hidden="true">
          {ticks.map((v) => (
            <span key={v} style={{ top: `${(y(v) / H) * 100}%` }}>
              {v}
            </span>
          ))}
        </div>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`People present over time, from ${fmt(t0)} to ${fmt(t1)}; at most ${max}.`}
        >
          {ticks.map((v) => (
            <line key={v} x1={0} x2={W} y1={y(v)} y2={y(v)} className="chart-grid" />
          ))}
          <path d={area} className="chart-area" />
          <path d={line} className="chart-line" />
        </svg>
      </div>
      <div className="chart-x small muted" aria-hidden="true">
        <span>{fmt(t0)}</span>
        <span>{fmt(t1)}</span>
      </div>
      <figcaption className="small muted">People present over time (peak {max}).</figcaption>
    </figure>
  );
}
