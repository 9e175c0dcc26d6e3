-- Recordings of classes: capture state, processing outputs, tracks, markers and share links.
create table recordings (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  started_by uuid references users (id) on delete set null,
  title text not null default '',
  status text not null default 'recording' check (status in ('recording', 'processing', 'ready', 'failed')),
  progress integer not null default 0,
  error text,
  -- 'private': the host and admins; 'participants': also the people who attended the room.
  visibility text not null default 'private' check (visibility in ('private', 'participants')),
  started_at timestamptz not null default now(),
  stopped_at timestamptz,
  duration_seconds double precision,
  size_bytes bigint,
  -- Which server process captures it (to find orphans after a crash).
  node_id text,
  outputs jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index recordings_room_idx on recordings (room_id, started_at desc);
create unique index recordings_one_active_idx on recordings (room_id) where status = 'recording';

-- One captured track (a producer); parts > 1 when FFmpeg had to be restarted.
create table recording_tracks (
  id uuid primary key default gen_random_uuid(),
  recording_id uuid not null references recordings (id) on delete cascade,
  producer_id text not null,
  peer_id text not null default '',
  user_id uuid,
  kind text not null check (kind in ('audio', 'video')),
  source text not null,
  codec text not null,
  -- Milliseconds from the recording's start.
  start_offset_ms integer not null,
  end_offset_ms integer,
  parts jsonb not null default '[]'::jsonb,
  status text not null default 'recording' check (status in ('recording', 'finalized')),
  created_at timestamptz not null default now()
);
create index recording_tracks_rec_idx on recording_tracks (recording_id);

create table recording_markers (
  id uuid primary key default gen_random_uuid(),
  recording_id uuid not null references recordings (id) on delete cascade,
  user_id uuid references users (id) on delete set null,
  kind text not null default 'marker',
  label text not null,
  offset_ms integer not null,
  created_at timestamptz not null default now()
);
create index recording_markers_rec_idx on recording_markers (recording_id, offset_ms);

create table recording_shares (
  id uuid primary key default gen_random_uuid(),
  recording_id uuid not null references recordings (id) on delete cascade,
  token_hash text not null unique,
  created_by uuid references users (id) on delete set null,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index recording_shares_rec_idx on recording_shares (recording_id);
