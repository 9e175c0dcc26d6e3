import { sql, type Kysely } from "kysely";
import type { JobStatus, JobTables } from "./tables.js";

export interface Job<P = unknown> {
  id: string;
  queue: string;
  payload: P;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  progress: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface EnqueueOptions {
  /** At most one unfinished job per queue and key: a second enqueue returns the first job. */
  dedupeKey?: string;
  maxAttempts?: number;
  /** Delay before the first attempt. */
  delayMs?: number;
}

export interface BackoffPolicy {
  /** Delay after the first failure; doubles with every further attempt. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000 };

type Row = {
  id: string;
  queue: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_until: Date | null;
  progress: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

const toJob = <P>(row: Row): Job<P> => ({
  id: row.id,
  queue: row.queue,
  payload: (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as P,
  status: row.status,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  runAt: new Date(row.run_at),
  lockedBy: row.locked_by,
  lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  progress: row.progress,
  lastError: row.last_error,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
  finishedAt: row.finished_at ? new Date(row.finished_at) : null,
});

/**
 * The job table's repository. Every operation is one short statement (PGlite has a single
 * connection, so nothing holds a transaction open while a job runs). Claiming uses
 * `FOR UPDATE SKIP LOCKED`; a claimed job carries a lease (`locked_until`) that its worker
 * extends while it runs — a job whose lease ran out (crashed worker) is queued again.
 * Times come from the database's clock, so workers on several machines agree.
 */
export class JobQueue {
  constructor(
    private readonly db: Kysely<JobTables>,
    readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  async enqueue<P>(queue: string, payload: P, opts: EnqueueOptions = {}): Promise<Job<P>> {
    const delay = Math.max(0, Math.round(opts.delayMs ?? 0));
    const inserted = await sql<Row>`
      insert into jobs (queue, payload, dedupe_key, max_attempts, run_at)
      values (${queue}, ${JSON.stringify(payload ?? {})}::jsonb, ${opts.dedupeKey ?? null}, ${opts.maxAttempts ?? 3},
              now() + ${delay}::int * interval '1 millisecond')
      on conflict do nothing
      returning *`.execute(this.db);
    if (inserted.rows[0]) return toJob<P>(inserted.rows[0]);
    const existing = await sql<Row>`
      select * from jobs where queue = ${queue} and dedupe_key = ${opts.dedupeKey ?? null} and status in ('queued', 'running')
      limit 1`.execute(this.db);
    if (!existing.rows[0]) throw new Error(`could not enqueue a ${queue} job`);
    return toJob<P>(existing.rows[0]);
  }

  async get<P = unknown>(id: string): Promise<Job<P> | undefined> {
    const result = await sql<Row>`select * from jobs where id = ${id}`.execute(this.db);
    return result.rows[0] ? toJob<P>(result.rows[0]) : undefined;
  }

  /** How many jobs of a queue are in each status. */
  async counts(queue: string): Promise<Record<JobStatus, number>> {
    const result = await sql<{ status: JobStatus; n: string | number }>`select status, count(*) as n from jobs where queue = ${queue} group by status`.execute(
      this.db,
    );
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of result.rows) out[row.status] = Number(row.n);
    return out;
  }

  /**
   * Every queue's jobs by status with the age in seconds of the oldest one in that status (by
   * the database's clock), in one query (for the metrics).
   */
  async depth(): Promise<{ queue: string; status: JobStatus; count: number; oldestAgeSeconds: number }[]> {
    const result = await sql<{ queue: string; status: JobStatus; n: string | number; age: string | number | null }>`
      select queue, status, count(*) as n, extract(epoch from (now() - min(created_at))) as age
      from jobs group by queue, status`.execute(this.db);
    return result.rows.map((row) => ({ queue: row.queue, status: row.status, count: Number(row.n), oldestAgeSeconds: Math.max(0, Number(row.age ?? 0)) }));
  }

  async list(queue: string, statuses?: JobStatus[]): Promise<Job[]> {
    const result = await sql<Row>`select * from jobs where queue = ${queue} order by created_at, id`.execute(this.db);
    return result.rows.map((x) => toJob(x)).filter((j) => !statuses || statuses.includes(j.status));
  }

  /**
   * Jobs whose lease ran out (their worker died or hung) go back to the queue with backoff,
   * or fail when they have used all their attempts. Returns how many were released.
   */
  async releaseExpired(): Promise<number> {
    const result = await sql<{ id: string }>`
      update jobs set
        status = case when attempts >= max_attempts then 'failed' else 'queued' end,
        finished_at = case when attempts >= max_attempts then now() else null end,
        run_at = now() + least(${this.backoff.maxMs}::bigint, ${this.backoff.baseMs}::bigint * (2 ^ greatest(attempts - 1, 0))::bigint) * interval '1 millisecond',
        last_error = coalesce(last_error || E'\n', '') || 'lease expired (worker ' || coalesce(locked_by, '?') || ' stopped answering)',
        locked_by = null, locked_until = null, updated_at = now()
      where status = 'running' and locked_until < now()
      returning id`.execute(this.db);
    return result.rows.length;
  }

  /** Takes the next due job of `queue` for `workerId`, with a lease of `leaseMs`. */
  async claim<P = unknown>(queue: string, workerId: string, leaseMs: number): Promise<Job<P> | undefined> {
    const result = await sql<Row>`
      update jobs set status = 'running', attempts = attempts + 1, locked_by = ${workerId},
        locked_until = now() + ${Math.round(leaseMs)}::int * interval '1 millisecond', updated_at = now()
      where id = (
        select id from jobs where queue = ${queue} and status = 'queued' and run_at <= now()
        order by run_at, created_at limit 1 for update skip locked)
      returning *`.execute(this.db);
    return result.rows[0] ? toJob<P>(result.rows[0]) : undefined;
  }

  /** Extends the lease and records progress; false when the job is no longer this worker's. */
  async heartbeat(id: string, workerId: string, leaseMs: number, progress?: number): Promise<boolean> {
    const percent = progress === undefined ? null : Math.max(0, Math.min(100, Math.round(progress)));
    const result = await sql`
      update jobs set locked_until = now() + ${Math.round(leaseMs)}::int * interval '1 millisecond',
        progress = coalesce(${percent}::int, progress), updated_at = now()
      where id = ${id} and status = 'running' and locked_by = ${workerId}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async complete(id: string, workerId: string): Promise<boolean> {
    const result = await sql`
      update jobs set status = 'done', progress = 100, finished_at = now(), locked_by = null, locked_until = null, updated_at = now()
      where id = ${id} and status = 'running' and locked_by = ${workerId}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * A failed attempt: queued again after base·2^(attempts−1) (capped), or failed for good
   * when the attempts are used up or `permanent` is set. Returns the job as it is now.
   */
  async fail(id: string, workerId: string, error: string, opts: { permanent?: boolean } = {}): Promise<Job | undefined> {
    const result = await sql<Row>`
      update jobs set
        status = case when ${opts.permanent === true} or attempts >= max_attempts then 'failed' else 'queued' end,
        finished_at = case when ${opts.permanent === true} or attempts >= max_attempts then now() else null end,
        run_at = now() + least(${this.backoff.maxMs}::bigint, ${this.backoff.baseMs}::bigint * (2 ^ greatest(attempts - 1, 0))::bigint) * interval '1 millisecond',
        last_error = ${error.slice(0, 4000)}, locked_by = null, locked_until = null, updated_at = now()
      where id = ${id} and status = 'running' and locked_by = ${workerId}
      returning *`.execute(this.db);
    return result.rows[0] ? toJob(result.rows[0]) : undefined;
  }

  /** Removes finished jobs older than `olderThanMs`. */
  async prune(olderThanMs: number): Promise<number> {
    const result =
      await sql`delete from jobs where status in ('done', 'failed') and finished_at < now() - ${Math.round(olderThanMs)}::bigint * interval '1 millisecond'`.execute(
        this.db,
      );
    return Number(result.numAffectedRows ?? 0);
  }
}
