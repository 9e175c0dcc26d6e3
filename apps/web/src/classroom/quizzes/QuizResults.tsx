import type { QuizDto, QuizResultsDto } from "@vtp/protocol";

/** For the teacher: the class average, per question the share right, and every student's score. */
export function QuizResults({ quiz, results: given }: { quiz: QuizDto; results: QuizResultsDto | null }) {
  const results = given ?? { quizId: quiz.id, submitted: 0, maxScore: quiz.maxScore, average: null, correctPercent: [], students: [] };
  return (
    <div className="quiz-results" data-testid="quiz-results">
      <p className="small" data-testid="quiz-submitted">
        {results.submitted} submitted
        {quiz.status === "closed" && results.average !== null ? ` · class average ${results.average} / ${results.maxScore}` : ""}
      </p>
      {quiz.status === "closed" && (
        <>
          <ol className="small quiz-percent">
            {quiz.questions.map((question, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a quiz's questions never move
              <li key={index} data-testid="quiz-question-percent">
                {question.text}: {results.correctPercent[index] ?? 0}% right
              </li>
            ))}
          </ol>
          {results.students.length > 0 && (
            <div className="table-wrap">
              <table className="table" data-testid="quiz-scores">
                <thead>
                  <tr>
                    <th scope="col">Student</th>
                    <th scope="col">Score</th>
                  </tr>
                </thead>
                <tbody>
                  {results.students.map((student) => (
                    <tr key={student.userId} data-testid="quiz-score-row" data-name={student.name}>
                      <td>{student.name}</td>
                      <td>{`${student.score} / ${student.maxScore}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
