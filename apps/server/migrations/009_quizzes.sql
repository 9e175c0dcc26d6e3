-- Quizzes of a class: scored questions (jsonb: text, kind, options, correct, points), opened in
-- class, closed by hand, by their timer or at their deadline (after-class quizzes). One submission
-- per student and quiz, kept unique by (quiz_id, user_id) so that a second tab, a reconnect or a
-- second app server changes the same submission. Scores are not anonymous.
create table quizzes (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  title text not null,
  questions jsonb not null,
  allow_after_class boolean not null default false,
  deadline timestamptz,
  duration_seconds integer,
  status text not null default 'draft' check (status in ('draft', 'open', 'closed')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  opened_at timestamptz,
  closes_at timestamptz,
  closed_at timestamptz
);
create index quizzes_room_idx on quizzes (room_id, created_at);
create index quizzes_due_idx on quizzes (closes_at) where status = 'open';

create table quiz_submissions (
  quiz_id uuid not null references quizzes (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  answers jsonb not null,
  score integer not null,
  submitted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (quiz_id, user_id)
);
