import { ROOM_ROLE_LABELS, type RecordRow } from "@vtp/protocol";
import { clock, formatSeconds } from "./format";

/** The per-student table of a class record (the CSV has the same columns and words). */
export function RecordTable({ rows, lateAfterMinutes, showPerson = true }: { rows: RecordRow[]; lateAfterMinutes: number; showPerson?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table table-cards" data-testid="record-table">
        <thead>
          <tr>
            {showPerson && <th scope="col">Name</th>}
            <th scope="col">Minutes present</th>
            <th scope="col">First joined</th>
            <th scope="col">Last left</th>
            <th scope="col">Late (over {lateAfterMinutes} min)</th>
            <th scope="col">Sessions</th>
            <th scope="col">Talk time</th>
            <th scope="col">Camera on</th>
            <th scope="col">Chat messages</th>
            <th scope="col">Hands raised</th>
            <th scope="col">Polls answered</th>
            <th scope="col">Quiz score</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.userId} data-testid="record-row" data-user-id={row.userId}>
              {showPerson && (
                <td data-label="Name">
                  <strong>{row.name}</strong>
                  <div className="muted small" title={row.email}>
                    {ROOM_ROLE_LABELS[row.role]}
                  </div>
                </td>
              )}
              <td data-label="Minutes present" data-testid="record-minutes">
                {row.minutesPresent.toFixed(1)}
              </td>
              <td data-label="First joined">{clock(row.firstJoinAt)}</td>
              <td data-label="Last left">{row.lastLeaveAt ? clock(row.lastLeaveAt) : <span className="badge badge-success">Still in class</span>}</td>
              <td data-label={`Late (over ${lateAfterMinutes} min)`} data-testid="record-late">
                {row.late ? <span className="badge badge-warning">{row.minutesLate.toFixed(1)} min late</span> : "No"}
              </td>
              <td data-label="Sessions">{row.sessions}</td>
              <td data-label="Talk time" data-testid="record-talk">
                {formatSeconds(row.talkSeconds)}
              </td>
              <td data-label="Camera on">{formatSeconds(row.cameraSeconds)}</td>
              <td data-label="Chat messages" data-testid="record-chat">
                {row.chatMessages}
              </td>
              <td data-label="Hands raised" data-testid="record-hands">
                {row.handsRaised}
              </td>
              <td data-label="Polls answered" data-testid="record-polls">
                {row.pollsAnswered} of {row.pollsAsked}
              </td>
              <td data-label="Quiz score" data-testid="record-quiz">
                {row.quizMaxScore ? `${row.quizScore} of ${row.quizMaxScore}` : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
