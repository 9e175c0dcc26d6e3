-- Live streaming's stream links (apps/server/src/live): a host hands a link to people outside the
-- class; anyone holding it may watch the class's live stream until the host revokes it. Only a
-- SHA-256 hash of the link's token is stored.
create table live_links (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  token_hash text not null unique,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index live_links_room_idx on live_links (room_id);
