import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Job, JobQueue } from "./JobQueue.js";

export interface JobContext<P> {
  job: Job<P>;
  /** Records progress (0–100); also extends the lease. */
  progress(percent: number): void;
  /** Aborted when the worker stops or the job's lease was lost. */
  signal: AbortSignal;
}

export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<void>;

/** Thrown by a handler for a failure that retrying cannot fix. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

export interface JobWorkerOptions {
  queue: string;
  // biome-ignore lint/suspicious/noExplicitAny: the worker hands each job's stored payload to the handler of its queue, which knows its type.
  handler: JobHandler<any>;
  /** How many jobs at once (default 1). */
  concurrency?: number;
  /** Lease length; the worker renews it every leaseMs/3 while a job runs. */
  leaseMs?: number;
  /** How often to look for due jobs when idle. */
  pollMs?: number;
  workerId?: string;
  log?: Logger;
}

/** Polls one queue and runs its handler for each claimed job. */
export class JobWorker {
  readonly workerId: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private running = 0;
  private stopped = true;
  private timer?: NodeJS.Timeout;
  private readonly active = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private ticking = false;

  constructor(
    private readonly jobs: JobQueue,
    private readonly opts: JobWorkerOptions,
  ) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.concurrency = opts.concurrency ?? 1;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for work now (after an enqueue in this process). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming, aborts running jobs (they are retried elsewhere) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const a of this.active.values()) a.abort.abort(new Error("worker stopping"));
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick() {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.jobs.releaseExpired();
      while (!this.stopped && this.running < this.concurrency) {
        const job = await this.jobs.claim(this.opts.queue, this.workerId, this.leaseMs);
        if (!job) break;
        this.run(job);
      }
    } catch (err) {
      this.opts.log?.warn({ err, queue: this.opts.queue }, "job queue poll failed");
    } finally {
      this.ticking = false;
      this.schedule(this.pollMs);
    }
  }

  private run(job: Job) {
    this.running++;
    const abort = new AbortController();
    let lastProgress: number | undefined;
    let beating = false;
    const beat = async () => {
      if (beating) return;
      beating = true;
      try {
        const mine = await this.jobs.heartbeat(job.id, this.workerId, this.leaseMs, lastProgress);
        if (!mine) abort.abort(new Error("lease lost"));
      } catch (err) {
        this.opts.log?.warn({ err, jobId: job.id }, "job heartbeat failed");
      } finally {
        beating = false;
      }
    };
    const hb = setInterval(() => void beat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    hb.unref?.();
    let lastSent = 0;
    const ctx: JobContext<unknown> = {
      job,
      signal: abort.signal,
      progress: (percent) => {
        lastProgress = percent;
        const now = Date.now();
        if (now - lastSent > 1000) {
          lastSent = now;
          void beat();
        }
      },
    };
    const done = (async () => {
      try {
        await this.opts.handler(ctx);
        clearInterval(hb);
        if (abort.signal.aborted) throw abort.signal.reason ?? new Error("aborted");
        await this.jobs.complete(job.id, this.workerId);
      } catch (err) {
        clearInterval(hb);
        const message = err instanceof Error ? err.message : String(err);
        const after = await this.jobs.fail(job.id, this.workerId, message, { permanent: err instanceof PermanentJobError }).catch(() => undefined);
        this.opts.log?.warn({ jobId: job.id, queue: job.queue, attempt: job.attempts, status: after?.status, err: message }, "job attempt failed");
      } finally {
        this.active.delete(job.id);
        this.running--;
        this.schedule(0);
      }
    })();
    this.active.set(job.id, { abort, done });
  }
}
