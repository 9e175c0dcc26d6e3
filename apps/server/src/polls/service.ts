import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { PollAnswerDto, PollAnswerPayload, PollDraft, PollDto, PollResultsDto, PollView } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { DeadlineCloser } from "../jobs/index.js";
import { resultsVisible, toAnswerDto, toPollDto, toResults } from "./dto.js";
import type { PollLive } from "./live.js";
import type { PollRow, PollsRepo } from "./repo.js";
import { checkAnswer, normalizeDraft } from "./validate.js";

export const pollNotFound = () => new AppError("POLL_NOT_FOUND", "No such poll in this class");

/** Who looks at a class's polls: a manager (host, presenter, admin) sees drafts and every result. */
export interface PollViewer {
  userId: string;
  manager: boolean;
}

/** Someone answering: their account and the name the class knows them by. */
export interface PollVoter {
  userId: string;
  name: string;
}

/** A poll of the record (the recording's replay): how it ended. */
export interface PollRecord {
  poll: PollDto;
  results: PollResultsDto;
}

/**
 * Polls of a class: drafts, opening, answers (one per student, kept unique by the database),
 * closing by hand or by timer, publishing, re-runs. Who may do what is checked by the callers
 * (socket handlers and routes); this service checks the poll's state and the answer's shape.
 */
export class PollService {
  private readonly deadlines: DeadlineCloser<PollRow>;

  constructor(
    private readonly repo: PollsRepo,
    private readonly live: PollLive,
    private readonly secret: string,
    private readonly log: Logger,
  ) {
    this.deadlines = new DeadlineCloser({
      names: { one: "poll", many: "polls" },
      closeOverdue: (pollId) => this.closeOverdue({ pollId }),
      stillOpen: async (poll) => (await this.repo.byId(poll.room_id, poll.id))?.status === "open",
      openTimed: () => this.repo.openTimed(),
      log,
    });
  }

  /** Closes the polls whose time ran out while no server watched, and keeps the timers of the open ones. */
  async start(): Promise<void> {
    await this.deadlines.start();
  }

  /** Stops the timers (the polls stay open; another server, or this one after a restart, closes them). */
  stop(): void {
    this.deadlines.stop();
    this.live.close();
  }

  async create(roomId: string, createdBy: string, draft: PollDraft, open: boolean): Promise<PollDto> {
    const poll = await this.repo.insert({ ...normalizeDraft(draft), roomId, createdBy, open });
    await this.opened(poll);
    return toPollDto(poll);
  }

  async open(roomId: string, pollId: string): Promise<PollDto> {
    const poll = await this.repo.open(roomId, pollId);
    if (!poll) {
      await this.existing(roomId, pollId);
      throw new AppError("POLL_NOT_DRAFT", "This poll was already opened");
    }
    await this.opened(poll);
    return toPollDto(poll);
  }

  async close(roomId: string, pollId: string): Promise<{ poll: PollDto; results: PollResultsDto }> {
    const poll = await this.repo.close(roomId, pollId);
    if (!poll) {
      await this.existing(roomId, pollId);
      throw new AppError("POLL_NOT_OPEN", "This poll is not open");
    }
    const results = await this.closed(poll);
    return { poll: toPollDto(poll), results };
  }

  async publish(roomId: string, pollId: string): Promise<PollDto> {
    const poll = await this.repo.publish(roomId, pollId);
    if (!poll) {
      await this.existing(roomId, pollId);
      throw new AppError("POLL_NOT_OPEN", "A draft has no results to publish: open it first");
    }
    await this.live.updated(poll);
    await this.live.results(poll, await this.resultsOf(poll));
    return toPollDto(poll);
  }

  /** A new poll asking the same question with the same settings, opened at once. */
  async rerun(roomId: string, pollId: string, createdBy: string): Promise<PollDto> {
    const original = await this.existing(roomId, pollId);
    const poll = await this.repo.insert({
      roomId,
      createdBy,
      question: original.question,
      kind: original.kind,
      options: original.options,
      anonymous: original.anonymous,
      showResultsLive: original.show_results_live,
      durationSeconds: original.duration_seconds,
      rerunOf: original.id,
      open: true,
    });
    await this.opened(poll);
    return toPollDto(poll);
  }

  async deleteDraft(roomId: string, pollId: string): Promise<void> {
    if (!(await this.repo.deleteDraft(roomId, pollId))) {
      await this.existing(roomId, pollId);
      throw new AppError("POLL_NOT_DRAFT", "Only a draft can be deleted");
    }
    await this.live.deleted(roomId, pollId);
  }

  /** Stores (or changes) the voter's one answer while the poll is open. */
  async answer(roomId: string, voter: PollVoter, payload: Pick<PollAnswerPayload, "pollId" | "choices" | "text">): Promise<PollAnswerDto> {
    const poll = await this.existing(roomId, payload.pollId);
    if (poll.status !== "open") throw new AppError("POLL_NOT_OPEN");
    const { choices, text } = checkAnswer(poll.kind, poll.options.length, payload);
    const row = await this.repo.upsertAnswer({
      pollId: poll.id,
      voter: this.voterKey(poll, voter.userId),
      userId: poll.anonymous ? null : voter.userId,
      authorName: poll.anonymous || poll.kind !== "text" ? null : voter.name,
      choices,
      text,
    });
    if (!row) {
      await this.closeOverdue({ pollId: poll.id });
      throw new AppError("POLL_NOT_OPEN");
    }
    this.live.answered(roomId, poll.id);
    return toAnswerDto(row);
  }

  /** The class's polls as `viewer` may see them (drafts and every result for managers; their own answer for others). */
  async list(roomId: string, viewer: PollViewer): Promise<PollView[]> {
    await this.closeOverdue({ roomId });
    const rows = await this.repo.ofRoom(roomId, viewer.manager);
    const views: PollView[] = [];
    for (const poll of rows) {
      const results = resultsVisible(poll, viewer.manager) ? await this.resultsOf(poll) : null;
      const mine = viewer.manager ? undefined : await this.repo.answerOf(poll.id, this.voterKey(poll, viewer.userId));
      views.push({ poll: toPollDto(poll), results, myAnswer: mine ? toAnswerDto(mine) : null });
    }
    return views;
  }

  /** The polls opened between two instants with their final results (never a name for an anonymous poll), for the replay. */
  async pollsBetween(roomId: string, fromIso: string, toIso: string): Promise<PollRecord[]> {
    await this.closeOverdue({ roomId });
    const rows = await this.repo.openedBetween(roomId, fromIso, toIso);
    const records: PollRecord[] = [];
    for (const poll of rows) records.push({ poll: toPollDto(poll), results: await this.resultsOf(poll) });
    return records;
  }

  /** The poll's current state and results (coalesced live results read this). */
  async current(roomId: string, pollId: string): Promise<{ poll: PollRow; results: PollResultsDto } | undefined> {
    const poll = await this.repo.byId(roomId, pollId);
    return poll ? { poll, results: await this.resultsOf(poll) } : undefined;
  }

  /** Closes overdue timed polls (of one poll, one class, or all) and tells their classes. */
  async closeOverdue(scope: { pollId?: string; roomId?: string } = {}): Promise<void> {
    for (const poll of await this.repo.closeOverdue(scope)) await this.closed(poll);
  }

  /** The class ended: its open polls close (their results stay on the record). */
  async classEnded(roomId: string): Promise<void> {
    for (const poll of await this.repo.closeOpenOfRoom(roomId)) await this.closed(poll);
  }

  private async existing(roomId: string, pollId: string): Promise<PollRow> {
    const poll = await this.repo.byId(roomId, pollId);
    if (!poll) throw pollNotFound();
    return poll;
  }

  private async resultsOf(poll: PollRow): Promise<PollResultsDto> {
    return toResults(poll, await this.repo.answersOf(poll.id));
  }

  /**
   * The key that keeps one answer per student: the user id for a named poll; for an anonymous
   * poll an HMAC of the poll and the user with the server's secret, so the row cannot be traced
   * back to the person (nor linked across polls) without the secret.
   */
  private voterKey(poll: PollRow, userId: string): string {
    if (!poll.anonymous) return userId;
    return createHmac("sha256", this.secret).update(`vtp-poll-voter:${poll.id}:${userId}`).digest("base64url");
  }

  private async opened(poll: PollRow): Promise<void> {
    if (poll.status === "open") this.deadlines.schedule(poll);
    await this.live.updated(poll);
  }

  private async closed(poll: PollRow): Promise<PollResultsDto> {
    this.deadlines.cancel(poll.id);
    this.log.info({ roomId: poll.room_id, pollId: poll.id }, "poll closed");
    const results = await this.resultsOf(poll);
    await this.live.updated(poll);
    await this.live.results(poll, results);
    return results;
  }
}
