-- Rooms (classes), per-user access decisions (admitted / rejected / removed, promoted role),
-- chat messages with a per-room sequence, and attendance sessions (one row per join).
create table rooms (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  title text not null,
  description text not null default '',
  host_id uuid not null references users (id) on delete cascade,
  status text not null default 'scheduled' check (status in ('scheduled', 'live', 'ended')),
  students_can_publish boolean not null default false,
  waiting_room boolean not null default false,
  max_participants integer not null default 100,
  chat_enabled boolean not null default true,
  scheduled_start timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  chat_seq integer not null default 0,
  peak_participants integer not null default 0,
  hands_raised_total integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index rooms_host_idx on rooms (host_id, created_at desc);
create index rooms_status_idx on rooms (status);

create table room_access (
  room_id uuid not null references rooms (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  status text not null check (status in ('admitted', 'rejected', 'removed')),
  -- A role the host gave (presenter); null = the default for the account.
  role text check (role in ('presenter', 'student')),
  updated_at timestamptz not null default now(),
  primary key (room_id, user_id)
);

create table chat_messages (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  seq integer not null,
  user_id uuid references users (id) on delete set null,
  author_name text not null,
  text text not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid references users (id) on delete set null,
  unique (room_id, seq)
);

create table attendance (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  room_role text not null check (room_role in ('host', 'presenter', 'student')),
  joined_at timestamptz not null default now(),
  left_at timestamptz
);
create index attendance_room_user_idx on attendance (room_id, user_id);
create index attendance_user_idx on attendance (user_id);
