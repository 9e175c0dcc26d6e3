import { useMemo, useState } from "react";
import type { ClassRecordResponse } from "@vtp/protocol";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { Link } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Icon } from "../ui/Icon";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { formatWhen, StatusBadge } from "../ui/StatusBadge";
import { records, saveFile } from "./api";
import { participationChart, pollChart, quizChart, timelineChart } from "./charts";
import { formatSeconds } from "./format";
import { RecordChart } from "./RecordChart";
import { RecordTable } from "./RecordTable";

/**
 * A class's record: for its host (and admins) every student's numbers, the timeline, charts,
 * polls and the CSV / JSON downloads; for a student who attended, their own line only (the
 * server sends nothing else).
 */
export function ClassRecordPage({ id }: { id: string }) {
  const record = useAsync<ClassRecordResponse>(() => records.ofClass(id), [id]);
  const [busy, setBusy] = useState<"csv" | "json" | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const data = record.data;
  const charts = useMemo(
    () =>
      data && data.rows.length > 0
        ? {
            timeline: timelineChart(data),
            participation: participationChart(data.rows),
            polls: data.polls.length ? pollChart(data.polls, data.rows.length) : null,
            quizzes: data.rows[0]?.quizMaxScore ? quizChart(data.rows, data.quizzes) : null,
          }
        : null,
    [data],
  );

  if (record.status === "error" && !data)
    return (
      <div className="container container-narrow">
        <Alert kind="error">{errorText(record.error)}</Alert>
      </div>
    );
  if (!data) return <Loading label="Loading the class record…" />;
  const host = data.view === "host";
  const download = async (format: "csv" | "json") => {
    setBusy(format);
    setMsg(null);
    try {
      saveFile(format === "csv" ? await records.csv(id) : await records.json(id));
    } catch (err) {
      setMsg(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const talkTotal = data.rows.reduce((total, row) => total + row.talkSeconds, 0);

  return (
    <div className="container">
      <p className="small">
        {host ? (
          <Link to={`/classes/${id}`}>
            <Icon name="arrowLeft" size={14} /> Class details
          </Link>
        ) : (
          <Link to="/my-record">
            <Icon name="arrowLeft" size={14} /> My record
          </Link>
        )}
      </p>
      <PageHeader
        title={host ? `Class record: ${data.class.title}` : `My record: ${data.class.title}`}
        description={
          <>
            <StatusBadge status={data.class.status} scheduledStart={null} />{" "}
            {data.class.startedAt ? `Went live ${formatWhen(data.class.startedAt)}` : "Not started"}
            {data.class.durationMinutes > 0 && ` · ${data.class.durationMinutes.toFixed(0)} min`} · with {data.class.hostName}
          </>
        }
        actions={
          <>
            <Button size="sm" variant="secondary" onClick={() => download("csv")} busy={busy === "csv"} disabled={!data.rows.length} data-testid="record-csv">
              <Icon name="download" size={16} /> Download CSV
            </Button>
            <Button
              size="sm"
              variant="secondary"
              onClick={() => download("json")}
              busy={busy === "json"}
              disabled={!data.rows.length}
              data-testid="record-json"
            >
              <Icon name="download" size={16} /> Download JSON
            </Button>
          </>
        }
      />
      <div className="stack">
        {msg && <Alert kind="error">{msg}</Alert>}
        <p className="muted small" data-testid="record-late-rule">
          Late means the first join came more than {data.lateAfterMinutes} minutes after the class went live. Talk time is measured from the microphone's audio
          level, not from what was said.{host ? " Students see only their own line." : ""}
        </p>
        <section className="card" aria-labelledby="record-table-h">
          <h2 id="record-table-h">{host ? "Students" : "My participation"}</h2>
          {data.rows.length === 0 ? (
            <p className="muted">{host ? "No student has joined this class." : "You have no record in this class."}</p>
          ) : (
            <RecordTable rows={data.rows} lateAfterMinutes={data.lateAfterMinutes} showPerson={host} />
          )}
        </section>
        {charts && (
          <section className="card" aria-labelledby="record-timeline-h">
            <h2 id="record-timeline-h">Timeline</h2>
            <p className="muted small">Each bar is one stay in the class, from joining to leaving.</p>
            <RecordChart
              config={charts.timeline}
              label={`When ${host ? "each student was" : "you were"} in the class, in minutes after it went live`}
              height={Math.max(140, 48 * data.rows.length + 70)}
              testId="record-timeline-chart"
            />
          </section>
        )}
        {charts && host && (
          <section className="card" aria-labelledby="record-part-h">
            <h2 id="record-part-h">Participation</h2>
            <p className="muted small">
              Talk time in class: {formatSeconds(talkTotal)}
              {talkTotal > 0 &&
                ` — ${data.rows
                  .filter((row) => row.talkSeconds > 0)
                  .map((row) => `${row.name} ${Math.round((row.talkSeconds / talkTotal) * 100)} %`)
                  .join(", ")}`}
              .
            </p>
            <RecordChart config={charts.participation} label="Minutes present, talk time and camera-on time per student" testId="record-participation-chart" />
          </section>
        )}
        {host && data.polls.length > 0 && charts?.polls && (
          <section className="card" aria-labelledby="record-polls-h">
            <h2 id="record-polls-h">Polls</h2>
            <p className="muted small">Anonymous polls are counted for the class only: nobody, not even the host, can see who answered them.</p>
            <RecordChart config={charts.polls} label="Answers per poll" height={220} testId="record-polls-chart" />
            <ul className="small" data-testid="record-poll-list">
              {data.polls.map((poll) => (
                <li key={poll.pollId}>
                  {poll.question}
                  {poll.anonymous ? " (anonymous)" : ""} — {poll.answers} of {data.rows.length} answered
                </li>
              ))}
            </ul>
          </section>
        )}
        {host && data.quizzes.length > 0 && (
          <section className="card" aria-labelledby="record-quizzes-h">
            <h2 id="record-quizzes-h">Quizzes</h2>
            {charts?.quizzes && <RecordChart config={charts.quizzes} label="Each student's quiz score, in percent" height={220} testId="record-quiz-chart" />}
            <ul className="small" data-testid="record-quiz-list">
              {data.quizzes.map((quiz) => (
                <li key={quiz.quizId}>
                  {quiz.title} — {quiz.submissions} of {data.rows.length} submitted
                  {quiz.averageScore !== null && `, average ${quiz.averageScore} of ${quiz.maxScore}`}
                  {quiz.status !== "closed" && " (still open: not in the scores yet)"}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
