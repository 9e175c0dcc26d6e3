import type { ChartConfiguration } from "chart.js";
import type { ClassRecordResponse, RecordPoll, RecordQuiz, RecordRow, TeachingRecordClass } from "@vtp/protocol";
import { PALETTE } from "./format";

const minutesBetween = (from: number, iso: string) => Math.round(((new Date(iso).getTime() - from) / 60000) * 10) / 10;

/** Each student's stays as bars on one row, in minutes after the class went live. */
export function timelineChart(record: ClassRecordResponse, now = Date.now()): ChartConfiguration {
  const people = [...new Map(record.sessions.map((session) => [session.userId, session.name])).entries()];
  const start = new Date(record.class.startedAt ?? record.sessions[0]?.joinedAt ?? now).getTime();
  const stays = new Map<string, [number, number][]>();
  for (const session of record.sessions) {
    const list = stays.get(session.userId) ?? [];
    list.push([minutesBetween(start, session.joinedAt), minutesBetween(start, session.leftAt ?? new Date(now).toISOString())]);
    stays.set(session.userId, list);
  }
  const most = Math.max(1, ...[...stays.values()].map((list) => list.length));
  return {
    type: "bar",
    data: {
      labels: people.map(([, name]) => name),
      datasets: Array.from({ length: most }, (_, index) => ({
        label: `Stay ${index + 1}`,
        data: people.map(([userId]) => stays.get(userId)?.[index] ?? null) as unknown as number[],
        backgroundColor: PALETTE[0],
        borderSkipped: false,
      })),
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: { min: 0, max: Math.max(record.class.durationMinutes, 1), title: { display: true, text: "Minutes after the class went live" } },
        y: { stacked: true },
      },
      datasets: { bar: { grouped: false } },
    },
  };
}

/** Minutes present and talk time per student (talk in minutes, on the same axis). */
export function participationChart(rows: RecordRow[]): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: rows.map((row) => row.name),
      datasets: [
        { label: "Minutes present", data: rows.map((row) => row.minutesPresent), backgroundColor: PALETTE[0] },
        { label: "Talk time (min)", data: rows.map((row) => Math.round((row.talkSeconds / 60) * 10) / 10), backgroundColor: PALETTE[2] },
        { label: "Camera on (min)", data: rows.map((row) => Math.round((row.cameraSeconds / 60) * 10) / 10), backgroundColor: PALETTE[1] },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "Minutes" } } } },
  };
}

/** Answers per poll, against the students of the class. */
export function pollChart(polls: RecordPoll[], students: number): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: polls.map((poll) => (poll.anonymous ? `${poll.question} (anonymous)` : poll.question)),
      datasets: [{ label: "Answers", data: polls.map((poll) => poll.answers), backgroundColor: PALETTE[4] }],
    },
    options: { scales: { y: { beginAtZero: true, suggestedMax: students, ticks: { precision: 0 }, title: { display: true, text: "Students who answered" } } } },
  };
}

/** Each student's quiz score, as a share of the points of the class's closed quizzes. */
export function quizChart(rows: RecordRow[], quizzes: RecordQuiz[]): ChartConfiguration {
  return {
    type: "bar",
    data: {
      labels: rows.map((row) => row.name),
      datasets: [
        {
          label: `Quiz score (% of ${rows[0]?.quizMaxScore ?? 0} points in ${quizzes.filter((quiz) => quiz.status === "closed").length} closed quizzes)`,
          data: rows.map((row) => (row.quizMaxScore ? Math.round((row.quizScore / row.quizMaxScore) * 100) : 0)),
          backgroundColor: PALETTE[5],
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "% of the points" } } } },
  };
}

/** Participation over the course: one point per class (students, average minutes, messages, hands). */
export function courseChart(classes: TeachingRecordClass[]): ChartConfiguration {
  const label = (entry: TeachingRecordClass) =>
    `${entry.class.title} (${entry.class.startedAt ? new Date(entry.class.startedAt).toLocaleDateString(undefined, { day: "numeric", month: "short" }) : "—"})`;
  return {
    type: "line",
    data: {
      labels: classes.map(label),
      datasets: [
        { label: "Students", data: classes.map((entry) => entry.students), borderColor: PALETTE[0], backgroundColor: PALETTE[0] },
        { label: "Average minutes present", data: classes.map((entry) => entry.averageMinutesPresent), borderColor: PALETTE[1], backgroundColor: PALETTE[1] },
        { label: "Chat messages", data: classes.map((entry) => entry.chatMessages), borderColor: PALETTE[2], backgroundColor: PALETTE[2] },
        { label: "Hands raised", data: classes.map((entry) => entry.handsRaised), borderColor: PALETTE[3], backgroundColor: PALETTE[3] },
        { label: "Poll answers", data: classes.map((entry) => entry.pollAnswers), borderColor: PALETTE[4], backgroundColor: PALETTE[4] },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  };
}
