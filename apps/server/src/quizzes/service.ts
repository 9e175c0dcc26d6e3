import type { Logger } from "pino";
import type { QuizDraft, QuizDto, QuizResultsDto, QuizSubmissionDto, QuizView } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { DeadlineCloser } from "../jobs/index.js";
import { toQuizDto, toResults, toSubmissionDto } from "./dto.js";
import type { QuizLive } from "./live.js";
import type { QuizRow, QuizzesRepo } from "./repo.js";
import { checkAnswers, maxScoreOf, normalizeQuiz, scoreOf } from "./validate.js";

export const quizNotFound = () => new AppError("QUIZ_NOT_FOUND", "No such quiz in this class");

/** Who looks at a class's quizzes: a manager (host, presenter, admin) sees drafts, correct options and results. */
export interface QuizViewer {
  userId: string;
  manager: boolean;
}

/** One quiz's scores for the class record: per student who submitted. */
export interface QuizScores {
  quizId: string;
  title: string;
  maxScore: number;
  status: QuizDto["status"];
  questions: number;
  /** When it opened and closed (null: not yet), for the recording's timeline. */
  openedAt: Date | null;
  closedAt: Date | null;
  scores: Array<{ userId: string; score: number; maxScore: number }>;
}

/**
 * Quizzes of a class: drafts, opening, submissions (one per student, kept unique by the
 * database, scored when stored), closing by hand, by timer, at the deadline or when the class
 * ends (except after-class quizzes). Who may do what is checked by the callers (socket handlers
 * and routes); this service checks the quiz's state and the answers' shape.
 */
export class QuizService {
  private readonly deadlines: DeadlineCloser<QuizRow>;

  constructor(
    private readonly repo: QuizzesRepo,
    private readonly live: QuizLive,
    private readonly log: Logger,
  ) {
    this.deadlines = new DeadlineCloser({
      names: { one: "quiz", many: "quizzes" },
      closeOverdue: (quizId) => this.closeOverdue({ quizId }),
      stillOpen: async (quiz) => (await this.repo.byId(quiz.room_id, quiz.id))?.status === "open",
      openTimed: () => this.repo.openTimed(),
      log,
    });
  }

  /** Closes the quizzes whose time ran out while no server watched, and keeps the timers of the open ones. */
  async start(): Promise<void> {
    await this.deadlines.start();
  }

  stop(): void {
    this.deadlines.stop();
    this.live.close();
  }

  async create(roomId: string, createdBy: string, draft: QuizDraft, open: boolean): Promise<QuizDto> {
    const quiz = await this.repo.insert({ ...normalizeQuiz(draft), roomId, createdBy, open });
    await this.opened(quiz);
    return toQuizDto(quiz, true);
  }

  async open(roomId: string, quizId: string): Promise<QuizDto> {
    const quiz = await this.repo.open(roomId, quizId);
    if (!quiz) {
      const existing = await this.existing(roomId, quizId);
      if (existing.status === "draft") throw new AppError("QUIZ_DEADLINE_PASSED", "The deadline of this quiz has passed: it cannot be opened");
      throw new AppError("QUIZ_NOT_DRAFT", "This quiz was already opened");
    }
    await this.opened(quiz);
    return toQuizDto(quiz, true);
  }

  async close(roomId: string, quizId: string): Promise<{ quiz: QuizDto; results: QuizResultsDto }> {
    const quiz = await this.repo.close(roomId, quizId);
    if (!quiz) {
      await this.existing(roomId, quizId);
      throw new AppError("QUIZ_NOT_OPEN", "This quiz is not open");
    }
    const results = await this.closed(quiz);
    return { quiz: toQuizDto(quiz, true), results };
  }

  /** Deletes a quiz and its submissions. */
  async delete(roomId: string, quizId: string): Promise<void> {
    const quiz = await this.repo.delete(roomId, quizId);
    if (!quiz) throw quizNotFound();
    this.deadlines.cancel(quiz.id);
    await this.live.deleted(quiz);
  }

  /** Stores (or changes) the student's one submission while the quiz takes answers. */
  async submit(roomId: string, userId: string, quizId: string, answers: number[][]): Promise<QuizSubmissionDto> {
    const quiz = await this.existing(roomId, quizId);
    if (quiz.status === "draft") throw quizNotFound();
    if (quiz.status !== "open") throw this.notTaking(quiz);
    const stored = checkAnswers(quiz.questions, answers);
    const row = await this.repo.upsertSubmission(quiz.id, userId, stored, scoreOf(quiz.questions, stored));
    if (!row) {
      await this.closeOverdue({ quizId: quiz.id });
      throw this.notTaking(quiz);
    }
    this.live.submitted(roomId, quiz.id);
    return toSubmissionDto(quiz, row);
  }

  /** The class's quizzes as `viewer` may see them. */
  async list(roomId: string, viewer: QuizViewer): Promise<QuizView[]> {
    await this.closeOverdue({ roomId });
    const views: QuizView[] = [];
    for (const quiz of await this.repo.ofRoom(roomId, viewer.manager)) views.push(await this.viewOf(quiz, viewer));
    return views;
  }

  async view(roomId: string, quizId: string, viewer: QuizViewer): Promise<QuizView> {
    await this.closeOverdue({ quizId });
    const quiz = await this.existing(roomId, quizId);
    if (quiz.status === "draft" && !viewer.manager) throw quizNotFound();
    return this.viewOf(quiz, viewer);
  }

  /** For the class record: per quiz (opened ones), each submitter's score out of the quiz's maximum. */
  async scoresOf(roomId: string): Promise<QuizScores[]> {
    await this.closeOverdue({ roomId });
    const all: QuizScores[] = [];
    for (const quiz of await this.repo.ofRoom(roomId, false)) {
      const maxScore = maxScoreOf(quiz.questions);
      const submissions = await this.repo.submissionsOf(quiz.id);
      const scores = submissions.map((submission) => ({ userId: submission.user_id, score: submission.score, maxScore }));
      all.push({
        quizId: quiz.id,
        title: quiz.title,
        maxScore,
        status: quiz.status,
        questions: quiz.questions.length,
        openedAt: quiz.opened_at,
        closedAt: quiz.closed_at,
        scores,
      });
    }
    return all;
  }

  /** The quiz's current results (coalesced live results read this). */
  async currentResults(roomId: string, quizId: string): Promise<QuizResultsDto | undefined> {
    const quiz = await this.repo.byId(roomId, quizId);
    return quiz ? toResults(quiz, await this.repo.submissionsOf(quiz.id)) : undefined;
  }

  /** Closes the quizzes past their timer or deadline (of one quiz, one class, or all) and tells their classes. */
  async closeOverdue(scope: { quizId?: string; roomId?: string } = {}): Promise<void> {
    for (const quiz of await this.repo.closeOverdue(scope)) await this.closed(quiz);
  }

  /** The class ended: its in-class quizzes close; after-class ones stay open until their deadline. */
  async classEnded(roomId: string): Promise<void> {
    for (const quiz of await this.repo.closeInClassOfRoom(roomId)) await this.closed(quiz);
  }

  private async viewOf(quiz: QuizRow, viewer: QuizViewer): Promise<QuizView> {
    if (viewer.manager) return { quiz: toQuizDto(quiz, true), results: toResults(quiz, await this.repo.submissionsOf(quiz.id)), mySubmission: null };
    const mine = await this.repo.submissionOf(quiz.id, viewer.userId);
    return { quiz: toQuizDto(quiz, false), results: null, mySubmission: mine ? toSubmissionDto(quiz, mine) : null };
  }

  private notTaking(quiz: QuizRow): AppError {
    if (quiz.deadline && new Date(quiz.deadline).getTime() <= Date.now()) return new AppError("QUIZ_DEADLINE_PASSED");
    return new AppError("QUIZ_NOT_OPEN");
  }

  private async existing(roomId: string, quizId: string): Promise<QuizRow> {
    const quiz = await this.repo.byId(roomId, quizId);
    if (!quiz) throw quizNotFound();
    return quiz;
  }

  private async opened(quiz: QuizRow): Promise<void> {
    if (quiz.status === "open") this.deadlines.schedule(quiz);
    await this.live.updated(quiz);
  }

  private async closed(quiz: QuizRow): Promise<QuizResultsDto> {
    this.deadlines.cancel(quiz.id);
    this.log.info({ roomId: quiz.room_id, quizId: quiz.id }, "quiz closed");
    const submissions = await this.repo.submissionsOf(quiz.id);
    const results = toResults(quiz, submissions);
    await this.live.updated(quiz);
    await this.live.results(quiz.room_id, results);
    await this.live.scores(quiz.room_id, new Map(submissions.map((submission) => [submission.user_id, toSubmissionDto(quiz, submission)])));
    return results;
  }
}
