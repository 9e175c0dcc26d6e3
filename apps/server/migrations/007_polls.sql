-- Polls of a class (drafts prepared ahead, opened, closed) and their answers: one row per
-- student and poll, kept unique by (poll_id, voter) so that a second tab, a reconnect or a
-- second app server changes the same answer. For an anonymous poll `voter` is an HMAC of the
-- poll and the user (with the server's secret) and user_id / author_name stay null: the row
-- does not say who answered.
create table polls (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  question text not null,
  kind text not null check (kind in ('single', 'multiple', 'yes-no', 'rating', 'text')),
  options jsonb not null default '[]',
  anonymous boolean not null default false,
  show_results_live boolean not null default false,
  duration_seconds integer,
  status text not null default 'draft' check (status in ('draft', 'open', 'closed')),
  published boolean not null default false,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  opened_at timestamptz,
  closes_at timestamptz,
  closed_at timestamptz,
  rerun_of uuid references polls (id) on delete set null
);
create index polls_room_idx on polls (room_id, created_at);
create index polls_due_idx on polls (closes_at) where status = 'open';

create table poll_answers (
  poll_id uuid not null references polls (id) on delete cascade,
  voter text not null,
  user_id uuid references users (id) on delete cascade,
  author_name text,
  choices jsonb not null default '[]',
  text text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (poll_id, voter)
);
