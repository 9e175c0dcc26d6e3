import type { Logger } from "pino";

/** How often each server closes the timed things (polls, quizzes) whose time ran out: a server that opened one may be gone. */
export const OVERDUE_SWEEP_MS = 5_000;
/** setTimeout's longest delay (~24.8 days); a later deadline is left to the sweep. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Something that closes by itself at `closes_at` (null: closed by hand only). */
export interface TimedRow {
  id: string;
  closes_at: Date | string | null;
}

export interface DeadlineCloserOptions<Row extends TimedRow> {
  /** For the logs: { one: "poll", many: "polls" }. */
  names: { one: string; many: string };
  /** Closes every overdue one (`id` undefined) or that one if it is overdue, and tells its class. */
  closeOverdue(id?: string): Promise<void>;
  /** Whether it is still open (after its timer fired, the database's clock may be a little behind). */
  stillOpen(row: Row): Promise<boolean>;
  /** The open ones with a deadline, for the timers of a server that starts. */
  openTimed(): Promise<Row[]>;
  log: Logger;
}

/**
 * Closes timed polls and quizzes at their deadline: a timer on the server that opened one, and
 * on every server a sweep at start and every OVERDUE_SWEEP_MS for those whose server is gone.
 * The database refuses late answers by itself (`closes_at > now()`); this sends the close.
 */
export class DeadlineCloser<Row extends TimedRow> {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeadlineCloserOptions<Row>) {}

  /** Closes what ran out while no server watched, and keeps a timer for each open one. */
  async start(): Promise<void> {
    await this.sweep();
    for (const row of await this.options.openTimed()) this.schedule(row);
    this.sweeper = setInterval(() => void this.sweep(), OVERDUE_SWEEP_MS);
    this.sweeper.unref();
  }

  /** Stops the timers (what is open stays open; another server, or this one after a restart, closes it). */
  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** A timer that closes `row` at its `closes_at` (nothing without one, or when one is already set). */
  schedule(row: Row): void {
    if (!row.closes_at || this.timers.has(row.id)) return;
    const delay = new Date(row.closes_at).getTime() - Date.now();
    if (delay > LONGEST_TIMER_MS) return;
    const { names, log } = this.options;
    const fire = () => {
      this.timers.delete(row.id);
      this.options
        .closeOverdue(row.id)
        .then(async () => {
          // The database's clock may be a little behind this one: try again shortly.
          if (await this.options.stillOpen(row)) this.timers.set(row.id, setTimeout(fire, 100));
        })
        .catch((err: unknown) => log.warn({ err, id: row.id }, `closing a timed ${names.one} failed`));
    };
    this.timers.set(row.id, setTimeout(fire, Math.max(0, delay)));
  }

  /** It closed (by hand, by its class ending): its timer goes. */
  cancel(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private async sweep(): Promise<void> {
    try {
      await this.options.closeOverdue();
    } catch (err) {
      this.options.log.warn({ err }, `closing overdue ${this.options.names.many} failed`);
    }
  }
}
