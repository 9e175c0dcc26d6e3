import "../../styles/polls.css";
import "./quizzes.css";
import type { QuizListResponse, QuizSubmissionDto } from "@vtp/protocol";
import { api } from "../../api/browser";
import { errorText } from "../../api/errors";
import { useAsync } from "../../lib/useAsync";
import { Link } from "../../router/router";
import { Alert } from "../../ui/Alert";
import { Icon } from "../../ui/Icon";
import { PageHeader } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { QuizAnswer } from "./QuizAnswer";
import { QuizResults } from "./QuizResults";

const base = (roomId: string) => `/api/v1/rooms/${encodeURIComponent(roomId)}/quizzes`;

/**
 * The class's quizzes on its details page: for a student who attended, the quizzes to answer
 * after class (until their deadline) and their scores once closed; for the host, the results.
 */
export function ClassQuizzes({ roomId, manager }: { roomId: string; manager: boolean }) {
  const list = useAsync(() => api.get<QuizListResponse>(base(roomId)), [roomId]);
  const submit = async (quizId: string, answers: number[][]) => {
    const { submission } = await api.request<{ submission: QuizSubmissionDto }>("PUT", `${base(roomId)}/${encodeURIComponent(quizId)}/submission`, {
      body: { answers },
    });
    list.setData({
      quizzes: (list.data?.quizzes ?? []).map((view) => (view.quiz.id === quizId ? { ...view, mySubmission: submission } : view)),
    });
  };
  const views = list.data?.quizzes ?? [];
  return (
    <section className="card" aria-labelledby="class-quizzes-h" data-testid="class-quizzes">
      <h2 id="class-quizzes-h">Quizzes</h2>
      {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
      {!list.data && list.status === "loading" && <Loading label="Loading quizzes…" />}
      {list.data && views.length === 0 && <p className="muted">No quizzes in this class.</p>}
      <ul className="poll-list">
        {views.map((view) => (
          <li key={view.quiz.id} className="poll-item" data-testid="quiz-item" data-quiz-id={view.quiz.id} data-status={view.quiz.status}>
            {manager ? (
              <>
                <h3 className="poll-question">{view.quiz.title}</h3>
                <QuizResults quiz={view.quiz} results={view.results} />
              </>
            ) : (
              <QuizAnswer view={view} onSubmit={(answers) => submit(view.quiz.id, answers)} describe={errorText} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What a student sees of a class's details page: its quizzes (to answer after class, and their scores). */
export function StudentClassQuizzes({ room }: { room: { id: string; title: string; hostName: string } }) {
  return (
    <div className="container container-narrow">
      <p className="small">
        <Link to="/dashboard">
          <Icon name="arrowLeft" size={14} /> My classes
        </Link>
      </p>
      <PageHeader title={room.title} description={`with ${room.hostName}`} />
      <ClassQuizzes roomId={room.id} manager={false} />
    </div>
  );
}
