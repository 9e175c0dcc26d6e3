import type { PresencePoint } from "../lib/presence";

/** A small area chart of how many people were present over the class. */
export function PresenceChart({ points }: { points: PresencePoint[] }) {
  if (points.length < 2) return null;
  const WIDTH = 600;
  const HEIGHT = 120;
  const max = Math.max(1, ...points.map((p) => p.count));
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const xAt = (time: number) => ((time - t0) / (t1 - t0)) * WIDTH;
  const yAt = (count: number) => 4 + (1 - count / max) * (HEIGHT - 4);
  const line = points.map((p, i) => `${i ? "L" : "M"} ${xAt(p.t)} ${yAt(p.count)}`).join(" ");
  const area = `M 0 ${HEIGHT} ${points.map((p) => `L ${xAt(p.t)} ${yAt(p.count)}`).join(" ")} L ${WIDTH} ${HEIGHT} Z`;
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, tick) => tick) : [0, Math.round(max / 2), max];
  const fmt = (time: number) => new Date(time).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return (
    <figure className="chart" data-testid="presence-chart">
      <div className="chart-plot">
        <div className="chart-y" aria-hidden="true">
          {ticks.map((tick) => (
            <span key={tick} style={{ top: `${(yAt(tick) / HEIGHT) * 100}%` }}>
              {tick}
            </span>
          ))}
        </div>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`People present over time, from ${fmt(t0)} to ${fmt(t1)}; at most ${max}.`}
        >
          {ticks.map((tick) => (
            <line key={tick} x1={0} x2={WIDTH} y1={yAt(tick)} y2={yAt(tick)} className="chart-grid" />
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
