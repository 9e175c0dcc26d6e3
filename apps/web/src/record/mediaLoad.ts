import type { ChartConfiguration } from "chart.js";
import type { AdminOverviewResponse, OverviewMediaLoad } from "@vtp/protocol";
import { PALETTE } from "./format";

/** 850 kbit/s, 2.5 Mbit/s, 1.2 Gbit/s: a bitrate as a network person says it (powers of 1000). */
export function formatBitrate(bitsPerSecond: number): string {
  if (bitsPerSecond < 1000) return `${Math.round(bitsPerSecond)} bit/s`;
  const units = ["kbit/s", "Mbit/s", "Gbit/s"];
  let value = bitsPerSecond / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A day had media when some node carried it for at least one sampled minute. */
export const hadMedia = (media: OverviewMediaLoad) => media.minutesInUse > 0;

const mbits = (bitsPerSecond: number) => Math.round(bitsPerSecond / 10_000) / 100;

/**
 * The media load per day: the busiest minute's and the average forwarded bitrate (bars, Mbit/s)
 * and the participant-minutes joined to media (a line on its own axis).
 */
export function mediaLoadChart(overview: AdminOverviewResponse): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: overview.days.map((day) => day.day.slice(5)),
      datasets: [
        { label: "Peak Mbit/s forwarded", data: overview.days.map((day) => mbits(day.media.peakBitsPerSecond)), backgroundColor: PALETTE[4], yAxisID: "y" },
        {
          label: "Average Mbit/s (in use)",
          data: overview.days.map((day) => mbits(day.media.averageBitsPerSecond)),
          backgroundColor: PALETTE[5],
          yAxisID: "y",
        },
        {
          type: "line",
          label: "Media minutes",
          data: overview.days.map((day) => day.media.mediaMinutes),
          borderColor: PALETTE[3],
          backgroundColor: PALETTE[3],
          yAxisID: "minutes",
          pointRadius: 2,
        },
      ],
    },
    options: {
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "Mbit/s" } },
        minutes: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Participant-minutes" } },
      },
    },
  };
}
