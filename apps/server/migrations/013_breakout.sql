-- Breakout rooms (issue 16; apps/server/src/breakout). The live picture (who is in which group) is in
-- the LiveState's store; what is kept after the groups close is here: each group of each opening
-- (session), its chat, and each person's time in it (for attendance and the class record).
create table breakout_groups (
  id uuid primary key,
  room_id uuid not null references rooms(id) on delete cascade,
  session_id uuid not null,
  position integer not null,
  name text not null,
  material_id uuid,
  opened_at timestamptz not null,
  closed_at timestamptz,
  -- The names of the people assigned when the groups closed (or last moved), for showing the chat later.
  member_names text[] not null default '{}',
  -- The chat's counter: each message takes the next number under this row's lock.
  message_count integer not null default 0
);
create index breakout_groups_room_idx on breakout_groups (room_id, opened_at);

create table breakout_messages (
  id uuid primary key,
  group_id uuid not null references breakout_groups(id) on delete cascade,
  seq integer not null,
  user_id uuid references users(id) on delete set null,
  author_name text not null,
  text text not null,
  created_at timestamptz not null default now(),
  unique (group_id, seq)
);

-- One stay of one person in one group (from entering to leaving it).
create table breakout_stays (
  id uuid primary key,
  group_id uuid not null references breakout_groups(id) on delete cascade,
  user_id uuid references users(id) on delete set null,
  entered_at timestamptz not null,
  left_at timestamptz
);
create index breakout_stays_group_idx on breakout_stays (group_id);
create index breakout_stays_open_idx on breakout_stays (user_id) where left_at is null;
