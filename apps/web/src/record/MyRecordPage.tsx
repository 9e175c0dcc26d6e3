import { useMemo } from "react";
import type { MyRecordResponse, TeachingRecordResponse } from "@vtp/protocol";
import { useUser } from "../auth/session";
import { errorText } from "../api/errors";
import { useAsync } from "../lib/useAsync";
import { Link } from "../router/router";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { records } from "./api";
import { courseChart } from "./charts";
import { dateOf, formatSeconds } from "./format";
import { RecordChart } from "./RecordChart";

/**
 * "My record": a person's own line in every class they attended and, for teachers, their
 * classes with participation over the course. Nobody else's line is ever shown here.
 */
export function MyRecordPage() {
  const user = useUser();
  const teaches = user.role !== "student";
  const mine = useAsync<MyRecordResponse>(() => records.mine(), []);
  const teaching = useAsync<TeachingRecordResponse | null>(() => (teaches ? records.teaching() : Promise.resolve(null)), [teaches]);
  const course = useMemo(() => (teaching.data?.classes.length ? courseChart(teaching.data.classes) : null), [teaching.data]);

  return (
    <div className="container">
      <PageHeader
        title="My record"
        description="What you did in each class: attendance, talk time, chat, hands and polls. Only you (and your teachers) see it."
      />
      <div className="stack">
        {teaches && (
          <section className="card" aria-labelledby="teaching-h">
            <h2 id="teaching-h">My classes over the course</h2>
            {teaching.status === "error" && <Alert kind="error">{errorText(teaching.error)}</Alert>}
            {!teaching.data && teaching.status === "loading" && <Loading label="Loading your classes…" />}
            {teaching.data && teaching.data.classes.length === 0 && <p className="muted">None of your classes has gone live yet.</p>}
            {course && teaching.data && (
              <>
                <RecordChart config={course} label="Participation in each of your classes over the course" testId="course-chart" />
                <div className="table-wrap" style={{ marginTop: 16 }}>
                  <table className="table table-cards" data-testid="teaching-table">
                    <thead>
                      <tr>
                        <th scope="col">Class</th>
                        <th scope="col">Students</th>
                        <th scope="col">Late arrivals</th>
                        <th scope="col">Average minutes present</th>
                        <th scope="col">Talk time</th>
                        <th scope="col">Chat messages</th>
                        <th scope="col">Hands raised</th>
                        <th scope="col">Poll answers</th>
                      </tr>
                    </thead>
                    <tbody>
                      {teaching.data.classes.map((entry) => (
                        <tr key={entry.class.id} data-testid="teaching-row">
                          <td data-label="Class">
                            <Link to={`/classes/${entry.class.id}/record`}>{entry.class.title}</Link>
                            <div className="muted small">{dateOf(entry.class.startedAt)}</div>
                          </td>
                          <td data-label="Students">{entry.students}</td>
                          <td data-label="Late arrivals">{entry.lateArrivals}</td>
                          <td data-label="Average minutes present">{entry.averageMinutesPresent.toFixed(1)}</td>
                          <td data-label="Talk time">{formatSeconds(entry.talkSeconds)}</td>
                          <td data-label="Chat messages">{entry.chatMessages}</td>
                          <td data-label="Hands raised">{entry.handsRaised}</td>
                          <td data-label="Poll answers">
                            {entry.pollAnswers} ({entry.pollsAsked} named {entry.pollsAsked === 1 ? "poll" : "polls"})
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        )}
        <section className="card" aria-labelledby="attended-h">
          <h2 id="attended-h">Classes I attended</h2>
          {mine.status === "error" && <Alert kind="error">{errorText(mine.error)}</Alert>}
          {!mine.data && mine.status === "loading" && <Loading label="Loading your record…" />}
          {mine.data && mine.data.classes.length === 0 && <p className="muted">You have not joined a class yet.</p>}
          {mine.data && mine.data.classes.length > 0 && (
            <div className="table-wrap">
              <table className="table table-cards" data-testid="my-record-table">
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col">Minutes present</th>
                    <th scope="col">Late</th>
                    <th scope="col">Talk time</th>
                    <th scope="col">Camera on</th>
                    <th scope="col">Chat messages</th>
                    <th scope="col">Hands raised</th>
                    <th scope="col">Polls answered</th>
                    <th scope="col">Quiz score</th>
                  </tr>
                </thead>
                <tbody>
                  {mine.data.classes.map(({ class: room, row }) => (
                    <tr key={room.id} data-testid="my-record-row">
                      <td data-label="Class">
                        <Link to={`/classes/${room.id}/record`}>{room.title}</Link>
                        <div className="muted small">
                          {dateOf(room.startedAt)} · with {room.hostName}
                        </div>
                      </td>
                      <td data-label="Minutes present">{row.minutesPresent.toFixed(1)}</td>
                      <td data-label="Late">{row.late ? `${row.minutesLate.toFixed(1)} min late` : "No"}</td>
                      <td data-label="Talk time">{formatSeconds(row.talkSeconds)}</td>
                      <td data-label="Camera on">{formatSeconds(row.cameraSeconds)}</td>
                      <td data-label="Chat messages">{row.chatMessages}</td>
                      <td data-label="Hands raised">{row.handsRaised}</td>
                      <td data-label="Polls answered">
                        {row.pollsAnswered} of {row.pollsAsked}
                      </td>
                      <td data-label="Quiz score">{row.quizMaxScore ? `${row.quizScore} of ${row.quizMaxScore}` : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
