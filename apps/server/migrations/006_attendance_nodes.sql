-- Which server process holds each open attendance session, and when each process was last
-- known alive, so that the sessions of a process that died without closing them (kill -9,
-- power loss) are closed at its last heartbeat instead of counting minutes forever.
alter table attendance add column node_id uuid;
create index attendance_open_by_node_idx on attendance (node_id) where left_at is null;

create table server_nodes (
  id uuid primary key,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
