import type { AttendanceEntry } from "@vtp/protocol";

export interface PresencePoint {
  /** ms epoch */
  t: number;
  count: number;
}

/**
 * People present over time, from the attendance report. Each person counts from their first
 * join to their last leave (or `end` while still present) — gaps between rejoins are not in
 * the report, so this is the class's shape, not an exact log.
 */
export function presenceSeries(entries: AttendanceEntry[], start: number, end: number, buckets = 40): PresencePoint[] {
  if (!(end > start) || buckets < 1) return [];
  const spans = entries.map((e) => [Date.parse(e.firstJoinAt), e.lastLeaveAt && !e.present ? Date.parse(e.lastLeaveAt) : end] as const);
  const step = (end - start) / buckets;
  const out: PresencePoint[] = [];
  for (let i = 0; i <= buckets; i++) {
    const time = start + i * step;
    out.push({ t: time, count: spans.filter(([a, b]) => a <= time && time <= b).length });
  }
  return out;
}

/** The time window to chart: from the class start (or first join) to its end (or now). */
export function presenceWindow(entries: AttendanceEntry[], startedAt: string | null, endedAt: string | null, now: number): [number, number] | null {
  const joins = entries.map((e) => Date.parse(e.firstJoinAt));
  const leaves = entries.map((e) => (e.lastLeaveAt ? Date.parse(e.lastLeaveAt) : now));
  const start = startedAt ? Date.parse(startedAt) : joins.length ? Math.min(...joins) : NaN;
  const end = endedAt ? Date.parse(endedAt) : leaves.some((_, i) => entries[i].present) ? now : leaves.length ? Math.max(...leaves) : NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return null;
  return [start, end];
}
