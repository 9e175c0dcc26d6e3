export { JobQueue, DEFAULT_BACKOFF, type Job, type EnqueueOptions, type BackoffPolicy } from "./JobQueue.js";
export { JobWorker, PermanentJobError, type JobContext, type JobHandler, type JobWorkerOptions } from "./JobWorker.js";
export type { JobTables, JobsTable, JobStatus } from "./tables.js";
export { DeadlineCloser, OVERDUE_SWEEP_MS, type DeadlineCloserOptions, type TimedRow } from "./deadlines.js";
