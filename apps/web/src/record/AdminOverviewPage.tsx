import { useMemo, useState } from "react";
import type { ChartConfiguration } from "chart.js";
import type { AdminOverviewResponse } from "@vtp/protocol";
import { AdminTabs } from "../admin/AdminTabs";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { records } from "./api";
import { formatBytes, PALETTE } from "./format";
import { formatBitrate, hadMedia, mediaLoadChart } from "./mediaLoad";
import { RecordChart } from "./RecordChart";

const RANGES = [7, 30, 90, 365];

function overviewChart(overview: AdminOverviewResponse): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: overview.days.map((day) => day.day.slice(5)),
      datasets: [
        { label: "Classes held", data: overview.days.map((day) => day.classesHeld), backgroundColor: PALETTE[0] },
        { label: "Hours taught", data: overview.days.map((day) => day.hoursTaught), backgroundColor: PALETTE[1] },
        { label: "Peak participants", data: overview.days.map((day) => day.peakParticipants), backgroundColor: PALETTE[2] },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  };
}

/** The admin's overview: per day (UTC) classes, hours, the most people at once, the media load and recordings. */
export function AdminOverviewPage() {
  const [days, setDays] = useState(30);
  const overview = useAsync<AdminOverviewResponse>(() => records.overview(days), [days]);
  const data = overview.data;
  const chart = useMemo(() => (data ? overviewChart(data) : null), [data]);
  const mediaChart = useMemo(() => (data ? mediaLoadChart(data) : null), [data]);
  const busyDays = data?.days.filter((day) => day.classesHeld || day.peakParticipants || day.recordings || hadMedia(day.media)).reverse() ?? [];
  return (
    <div className="container">
      <PageHeader title="Administration" description="Manage people, classes and the health of this server." />
      <AdminTabs />
      <div className="row-between" style={{ margin: "8px 0 16px" }}>
        <h2 style={{ margin: 0 }}>Overview</h2>
        <label className="small">
          Period{" "}
          <select value={days} onChange={(event) => setDays(Number(event.target.value))} data-testid="overview-days">
            {RANGES.map((range) => (
              <option key={range} value={range}>
                Last {range} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {overview.status === "error" && <Alert kind="error">{errorText(overview.error)}</Alert>}
      {!data && <Loading label="Loading the overview…" />}
      {data && (
        <div className="stack">
          <div className="grid-3" data-testid="overview-totals">
            <div className="card card-tight stat">
              <span className="stat-label">Classes held</span>
              <strong className="stat-value">{data.totals.classesHeld}</strong>
            </div>
            <div className="card card-tight stat">
              <span className="stat-label">Hours taught</span>
              <strong className="stat-value">{data.totals.hoursTaught.toFixed(1)}</strong>
            </div>
            <div className="card card-tight stat">
              <span className="stat-label">Peak participants at once</span>
              <strong className="stat-value">{data.totals.peakParticipants}</strong>
            </div>
            <div className="card card-tight stat">
              <span className="stat-label">Recordings stored</span>
              <strong className="stat-value">
                {data.totals.recordings} ({formatBytes(data.totals.recordingBytes)})
              </strong>
            </div>
            <div className="card card-tight stat" data-testid="overview-media-total">
              <span className="stat-label">Media at its busiest</span>
              <strong className="stat-value">{formatBitrate(data.totals.media.peakBitsPerSecond)}</strong>
              <span className="small muted">
                {Math.round(data.totals.media.mediaMinutes)} media minutes on {data.totals.media.nodes} media {data.totals.media.nodes === 1 ? "node" : "nodes"}
                ; at most {data.totals.media.peakProducers} tracks in, {data.totals.media.peakConsumers} out and {data.totals.media.peakCpuCores.toFixed(1)}{" "}
                media CPU cores busy
              </span>
            </div>
          </div>
          <section className="card" aria-labelledby="overview-chart-h">
            <h3 id="overview-chart-h">
              Per day, {data.from} to {data.to} (UTC)
            </h3>
            {chart && <RecordChart config={chart} label="Classes held, hours taught and peak participants per day" testId="overview-chart" />}
          </section>
          <section className="card" aria-labelledby="overview-media-h">
            <h3 id="overview-media-h">Media load per day</h3>
            <p className="small muted">
              Forwarded by the media servers: the busiest minute and the average while in use, and the minutes people spent joined to media.
            </p>
            {mediaChart && (
              <RecordChart config={mediaChart} label="Peak and average forwarded bitrate and media minutes per day" testId="overview-media-chart" />
            )}
          </section>
          <section className="card" aria-labelledby="overview-days-h">
            <h3 id="overview-days-h">Days with classes or media</h3>
            {busyDays.length === 0 ? (
              <p className="muted">No class or media in this period.</p>
            ) : (
              <div className="table-wrap">
                <table className="table table-cards" data-testid="overview-table">
                  <thead>
                    <tr>
                      <th scope="col">Day (UTC)</th>
                      <th scope="col">Classes held</th>
                      <th scope="col">Hours taught</th>
                      <th scope="col">Peak participants</th>
                      <th scope="col">Media peak</th>
                      <th scope="col">Media average</th>
                      <th scope="col">Peak tracks in / out</th>
                      <th scope="col">Media minutes</th>
                      <th scope="col">Media nodes</th>
                      <th scope="col">Recordings</th>
                      <th scope="col">Recording size</th>
                    </tr>
                  </thead>
                  <tbody>
                    {busyDays.map((day) => (
                      <tr key={day.day} data-testid="overview-row">
                        <td data-label="Day (UTC)">{day.day}</td>
                        <td data-label="Classes held">{day.classesHeld}</td>
                        <td data-label="Hours taught">{day.hoursTaught.toFixed(1)}</td>
                        <td data-label="Peak participants">{day.peakParticipants}</td>
                        <td data-label="Media peak">{formatBitrate(day.media.peakBitsPerSecond)}</td>
                        <td data-label="Media average">{formatBitrate(day.media.averageBitsPerSecond)}</td>
                        <td data-label="Peak tracks in / out">
                          {day.media.peakProducers} / {day.media.peakConsumers}
                        </td>
                        <td data-label="Media minutes">{Math.round(day.media.mediaMinutes)}</td>
                        <td data-label="Media nodes">{day.media.nodes}</td>
                        <td data-label="Recordings">{day.recordings}</td>
                        <td data-label="Recording size">{formatBytes(day.recordingBytes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
