import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue, JobWorker, PermanentJobError, type JobTables } from "../../../apps/server/src/jobs/index.js";
import { freshDatabase } from "../../helpers/db.js";
import { waitFor } from "../../helpers/wait.js";

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Kysely<JobTables>;
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.handle.db as unknown as Kysely<JobTables>;
});
afterAll(async () => fresh.drop());

describe(`job queue on ${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  it("runs a job once and records completion and progress", async () => {
    const queue = new JobQueue(db);
    const seen: string[] = [];
    const worker = new JobWorker(queue, {
      queue: "t-ok",
      pollMs: 20,
      handler: async ({ job, progress }) => {
        progress(50);
        seen.push((job.payload as { n: string }).n);
      },
    });
    const job = await queue.enqueue("t-ok", { n: "a" });
    worker.start();
    await waitFor("done", async () => (await queue.get(job.id))?.status === "done", { intervalMs: 20 });
    await worker.stop();
    const stored = (await queue.get(job.id))!;
    expect(seen).toEqual(["a"]);
    expect(stored.attempts).toBe(1);
    expect(stored.progress).toBe(100);
  });

  it("dedupes unfinished jobs by key", async () => {
    const queue = new JobQueue(db);
    const first = await queue.enqueue("t-dedupe", { x: 1 }, { dedupeKey: "k" });
    const second = await queue.enqueue("t-dedupe", { x: 2 }, { dedupeKey: "k" });
    expect(second.id).toBe(first.id);
  });

  it("retries with exponential backoff until the attempts are used up", async () => {
    const queue = new JobQueue(db, { baseMs: 30, maxMs: 10_000 });
    const job = await queue.enqueue("t-retry", {}, { maxAttempts: 3 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await waitFor(`attempt ${attempt}`, () => queue.claim("t-retry", "w1", 10_000), { intervalMs: 20 });
      expect(claimed.attempts).toBe(attempt);
      const after = (await queue.fail(job.id, "w1", `boom ${attempt}`))!;
      if (attempt < 3) {
        expect(after.status).toBe("queued");
        // run_at and updated_at come from the same now(): the gap is exactly the backoff.
        delays.push(after.runAt.getTime() - after.updatedAt.getTime());
        // Not claimable before its time.
        expect(after.runAt.getTime()).toBeGreaterThan(after.updatedAt.getTime());
      } else {
        expect(after.status).toBe("failed");
        expect(after.lastError).toBe("boom 3");
      }
    }
    expect(delays).toEqual([30, 60]);
    expect(await queue.claim("t-retry", "w1", 1000)).toBeUndefined();
  });

  it("a worker's failing handler is retried, and a permanent error fails at once", async () => {
    const queue = new JobQueue(db, { baseMs: 10, maxMs: 100 });
    let calls = 0;
    const worker = new JobWorker(queue, {
      queue: "t-flaky",
      pollMs: 20,
      handler: async ({ job }) => {
        if ((job.payload as { permanent?: boolean }).permanent) throw new PermanentJobError("bad input");
        calls++;
        if (calls < 3) throw new Error(`flaky ${calls}`);
      },
    });
    const flaky = await queue.enqueue("t-flaky", {}, { maxAttempts: 5 });
    const perm = await queue.enqueue("t-flaky", { permanent: true }, { maxAttempts: 5 });
    worker.start();
    await waitFor("both settled", async () => (await queue.get(flaky.id))?.status === "done" && (await queue.get(perm.id))?.status === "failed", {
      intervalMs: 20,
    });
    await worker.stop();
    expect((await queue.get(flaky.id))!.attempts).toBe(3);
    expect((await queue.get(perm.id))!.attempts).toBe(1);
    expect((await queue.get(perm.id))!.lastError).toBe("bad input");
  });

  it("a job whose worker stopped renewing its lease is given to another worker", async () => {
    const queue = new JobQueue(db, { baseMs: 1, maxMs: 1 });
    const job = await queue.enqueue("t-lease", { v: 1 }, { maxAttempts: 3 });
    // Worker A claims with a tiny lease and "crashes" (never renews, never completes).
    const crashedClaim = await queue.claim("t-lease", "crashed-worker", 1);
    expect(crashedClaim?.id).toBe(job.id);
    const ran: string[] = [];
    const workerB = new JobWorker(queue, {
      queue: "t-lease",
      pollMs: 20,
      workerId: "worker-b",
      handler: async ({ job: retried }) => void ran.push(retried.id),
    });
    workerB.start();
    await waitFor("retried by worker b", async () => (await queue.get(job.id))?.status === "done", { intervalMs: 20 });
    await workerB.stop();
    const stored = (await queue.get(job.id))!;
    expect(ran).toEqual([job.id]);
    expect(stored.attempts).toBe(2);
    expect(stored.lastError).toMatch(/lease expired/);
    // The crashed worker cannot complete a job that is no longer its own.
    expect(await queue.complete(job.id, "crashed-worker")).toBe(false);
  });

  it("a long job keeps its lease through heartbeats", async () => {
    const queue = new JobQueue(db);
    const job = await queue.enqueue("t-long", {});
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const worker = new JobWorker(queue, {
      queue: "t-long",
      pollMs: 20,
      leaseMs: 150,
      handler: async () => {
        started = true;
        await gate;
      },
    });
    worker.start();
    await waitFor("started", () => started, { intervalMs: 20 });
    const firstLease = (await queue.get(job.id))!.lockedUntil!.getTime();
    await waitFor("lease renewed", async () => (await queue.get(job.id))!.lockedUntil!.getTime() > firstLease, { intervalMs: 20 });
    release();
    await waitFor("done", async () => (await queue.get(job.id))?.status === "done", { intervalMs: 20 });
    await worker.stop();
    expect((await queue.get(job.id))!.attempts).toBe(1);
  });

  it("concurrent claimers never take the same job", async () => {
    const queue = new JobQueue(db);
    for (let i = 0; i < 20; i++) await queue.enqueue("t-many", { i });
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => queue.claim("t-many", `w${i % 4}`, 60_000)));
    const ids = claims.filter(Boolean).map((j) => j!.id);
    expect(ids.length).toBe(20);
    expect(new Set(ids).size).toBe(20);
    const count = await sql<{ n: number }>`select count(*)::int as n from jobs where queue = 't-many' and status = 'running'`.execute(db);
    expect(count.rows[0]!.n).toBe(20);
  });
});
