import type { Logger } from "pino";
import type { QuizResultsDto, QuizSubmissionDto, ServerEventName, ServerEventPayload } from "@vtp/protocol";
import type { Broadcaster, LiveState } from "../signalling/index.js";
import { toQuizDto } from "./dto.js";
import type { QuizRow } from "./repo.js";

/** At most one live `quiz-results` per quiz and server in this many ms while submissions arrive. */
export const RESULTS_INTERVAL_MS = 250;

export type QuizResultsReader = (roomId: string, quizId: string) => Promise<QuizResultsDto | undefined>;

/**
 * Quiz events to the people of a class, through signalling's Broadcaster: drafts, results and
 * deletions to the managers (the hosts' channel and each presenter's socket); opened and closed
 * quizzes to the room without the correct options until closed (and complete to the managers);
 * each student's score to their own socket.
 */
export class QuizLive {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly out: Broadcaster,
    private readonly state: LiveState,
    private readonly read: QuizResultsReader,
    private readonly log: Logger,
  ) {}

  async toManagers<E extends ServerEventName>(roomId: string, event: E, payload: ServerEventPayload<E>): Promise<void> {
    this.out.toHosts(roomId, event, payload);
    const presenters = (await this.state.list(roomId)).filter((participant) => participant.role === "presenter" && participant.connected);
    for (const presenter of presenters) this.out.toSocket(presenter.socketId, event, payload);
  }

  async updated(quiz: QuizRow): Promise<void> {
    if (quiz.status !== "draft") this.out.toRoom(quiz.room_id, "quiz-updated", { roomId: quiz.room_id, quiz: toQuizDto(quiz, false) });
    if (quiz.status !== "closed") await this.toManagers(quiz.room_id, "quiz-updated", { roomId: quiz.room_id, quiz: toQuizDto(quiz, true) });
  }

  async results(roomId: string, results: QuizResultsDto): Promise<void> {
    await this.toManagers(roomId, "quiz-results", { roomId, results });
  }

  /** Each submitter still in the class gets their score. */
  async scores(roomId: string, submissions: Map<string, QuizSubmissionDto>): Promise<void> {
    for (const participant of await this.state.list(roomId)) {
      const submission = submissions.get(participant.userId);
      if (submission && participant.connected) this.out.toSocket(participant.socketId, "quiz-score", { roomId, submission });
    }
  }

  async deleted(quiz: QuizRow): Promise<void> {
    const payload = { roomId: quiz.room_id, quizId: quiz.id };
    if (quiz.status === "draft") await this.toManagers(quiz.room_id, "quiz-deleted", payload);
    else this.out.toRoom(quiz.room_id, "quiz-deleted", payload);
  }

  /** A submission changed the results: they go to the managers within RESULTS_INTERVAL_MS, once for a burst. */
  submitted(roomId: string, quizId: string): void {
    if (this.pending.has(quizId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(quizId);
      this.read(roomId, quizId)
        .then((results) => (results ? this.results(roomId, results) : undefined))
        .catch((err: unknown) => this.log.warn({ err, roomId, quizId }, "quiz results could not be sent"));
    }, RESULTS_INTERVAL_MS);
    this.pending.set(quizId, timer);
  }

  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
