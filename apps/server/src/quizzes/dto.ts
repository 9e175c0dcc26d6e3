import type { QuizDto, QuizResultsDto, QuizSubmissionDto } from "@vtp/protocol";
import type { NamedSubmissionRow, QuizRow, SubmissionRow } from "./repo.js";
import { isCorrect, maxScoreOf } from "./validate.js";

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

/**
 * A quiz as `full` viewers see it (managers, or anyone once it closed): with the correct options.
 * Otherwise (students while it is open) the questions come without `correct`.
 */
export function toQuizDto(row: QuizRow, full: boolean): QuizDto {
  const reveal = full || row.status === "closed";
  return {
    id: row.id,
    roomId: row.room_id,
    title: row.title,
    questions: row.questions.map((question) => ({
      text: question.text,
      kind: question.kind,
      options: question.options,
      points: question.points,
      ...(reveal ? { correct: question.correct } : {}),
    })),
    maxScore: maxScoreOf(row.questions),
    allowAfterClass: row.allow_after_class,
    deadline: iso(row.deadline),
    durationSeconds: row.duration_seconds,
    status: row.status,
    createdBy: row.created_by ?? "",
    createdAt: new Date(row.created_at).toISOString(),
    openedAt: iso(row.opened_at),
    closesAt: iso(row.closes_at),
    closedAt: iso(row.closed_at),
  };
}

/** A student's submission; the score only once the quiz closed. */
export function toSubmissionDto(quiz: QuizRow, row: SubmissionRow): QuizSubmissionDto {
  return {
    quizId: row.quiz_id,
    answers: row.answers,
    score: quiz.status === "closed" ? row.score : null,
    maxScore: maxScoreOf(quiz.questions),
    submittedAt: new Date(row.updated_at).toISOString(),
  };
}

export function toResults(quiz: QuizRow, submissions: NamedSubmissionRow[]): QuizResultsDto {
  const maxScore = maxScoreOf(quiz.questions);
  const total = submissions.reduce((sum, submission) => sum + submission.score, 0);
  return {
    quizId: quiz.id,
    submitted: submissions.length,
    maxScore,
    average: submissions.length ? Math.round((total / submissions.length) * 100) / 100 : null,
    correctPercent: quiz.questions.map((question, index) => {
      if (!submissions.length) return 0;
      const right = submissions.filter((submission) => isCorrect(question, submission.answers[index])).length;
      return Math.round((right / submissions.length) * 100);
    }),
    students: submissions.map((submission) => ({
      userId: submission.user_id,
      name: submission.name,
      score: submission.score,
      maxScore,
      submittedAt: new Date(submission.updated_at).toISOString(),
    })),
  };
}
