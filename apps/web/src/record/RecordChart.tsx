import { useEffect, useRef, useState } from "react";
import type { ChartConfiguration } from "chart.js";

/**
 * A Chart.js chart on a canvas; Chart.js itself is loaded the first time one is shown, so the
 * classroom and the other pages do not carry it. `label` describes the chart for screen
 * readers (the numbers are in the table beside it).
 */
export function RecordChart({ config, label, height = 260, testId }: { config: ChartConfiguration; label: string; height?: number; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    let chart: { destroy(): void } | undefined;
    import("./chartjs").then(
      ({ Chart }) => {
        if (cancelled || !canvas.current) return;
        chart = new Chart(canvas.current, { ...config, options: { animation: false, maintainAspectRatio: false, responsive: true, ...config.options } });
        canvas.current.dataset.drawn = "true";
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [config]);
  if (failed) return <p className="muted small">The chart could not be loaded; the numbers are in the table.</p>;
  return (
    <div style={{ position: "relative", height }}>
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}
