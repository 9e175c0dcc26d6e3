-- A durable job queue (recording processing, …): claimed with FOR UPDATE SKIP LOCKED, leased
-- (locked_until) so that a crashed worker's job is picked up again, retried with backoff.
create table jobs (
  id uuid primary key default gen_random_uuid(),
  queue text not null,
  payload jsonb not null default '{}'::jsonb,
  -- At most one unfinished job per (queue, dedupe_key).
  dedupe_key text,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null default 3,
  run_at timestamptz not null default now(),
  locked_by text,
  locked_until timestamptz,
  progress integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_ready_idx on jobs (queue, run_at) where status = 'queued';
create index jobs_running_idx on jobs (locked_until) where status = 'running';
create unique index jobs_dedupe_idx on jobs (queue, dedupe_key) where dedupe_key is not null and status in ('queued', 'running');
