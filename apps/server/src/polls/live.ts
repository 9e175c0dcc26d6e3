import type { Logger } from "pino";
import type { PollResultsDto, ServerEventName, ServerEventPayload } from "@vtp/protocol";
import type { Broadcaster, LiveState } from "../signalling/index.js";
import { resultsVisible, toPollDto } from "./dto.js";
import type { PollRow } from "./repo.js";

/** At most one `poll-results` per poll and server in this many ms while answers arrive. */
export const RESULTS_INTERVAL_MS = 250;

/** Reads a poll and its current results again when coalesced results are sent. */
export type PollReader = (roomId: string, pollId: string) => Promise<{ poll: PollRow; results: PollResultsDto } | undefined>;

/**
 * Poll events to the people of a class, through signalling's Broadcaster (so, with the Redis
 * adapter, to sockets on every app server): drafts and deletions to the managers (the hosts'
 * channel and each presenter's socket), opened / closed / published polls to the room, results
 * to whoever may see them, coalesced per poll while answers arrive.
 */
export class PollLive {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly out: Broadcaster,
    private readonly state: LiveState,
    private readonly read: PollReader,
    private readonly log: Logger,
  ) {}

  async toManagers<E extends ServerEventName>(roomId: string, event: E, payload: ServerEventPayload<E>): Promise<void> {
    this.out.toHosts(roomId, event, payload);
    const presenters = (await this.state.list(roomId)).filter((participant) => participant.role === "presenter" && participant.connected);
    for (const presenter of presenters) this.out.toSocket(presenter.socketId, event, payload);
  }

  /** `poll-updated`: a draft to the managers, any other poll to the class. */
  async updated(poll: PollRow): Promise<void> {
    const payload = { roomId: poll.room_id, poll: toPollDto(poll) };
    if (poll.status === "draft") await this.toManagers(poll.room_id, "poll-updated", payload);
    else this.out.toRoom(poll.room_id, "poll-updated", payload);
  }

  /** `poll-results`: to the class when it may see them, otherwise to the managers. */
  async results(poll: PollRow, results: PollResultsDto): Promise<void> {
    const payload = { roomId: poll.room_id, results };
    if (resultsVisible(poll, false)) this.out.toRoom(poll.room_id, "poll-results", payload);
    else await this.toManagers(poll.room_id, "poll-results", payload);
  }

  async deleted(roomId: string, pollId: string): Promise<void> {
    await this.toManagers(roomId, "poll-deleted", { roomId, pollId });
  }

  /** An answer changed the poll's results: they go out within RESULTS_INTERVAL_MS, once for a burst. */
  answered(roomId: string, pollId: string): void {
    if (this.pending.has(pollId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(pollId);
      void this.flush(roomId, pollId);
    }, RESULTS_INTERVAL_MS);
    this.pending.set(pollId, timer);
  }

  private async flush(roomId: string, pollId: string): Promise<void> {
    try {
      const current = await this.read(roomId, pollId);
      if (current) await this.results(current.poll, current.results);
    } catch (err) {
      this.log.warn({ err, roomId, pollId }, "poll results could not be sent");
    }
  }

  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
