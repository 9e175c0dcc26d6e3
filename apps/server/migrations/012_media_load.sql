-- The media load the admin overview shows per day: one row per media node (a remote `vtp media`
-- node, or one in-process worker of one app server) and minute, written by every app server's
-- sampler (apps/server/src/media-load). Several app servers sampling the same remote node in the
-- same minute meet on (node_id, minute) and keep one row with the highest of each reading, so a
-- node is never counted twice. Kept MEDIA_LOAD_RETENTION_DAYS (400 by default), then deleted.
create table media_load (
  node_id text not null,
  minute timestamptz not null,
  -- When the last reading of this row was taken, and the seconds of media time the row stands for
  -- (the sampler's interval, at least the minute itself).
  at timestamptz not null default now(),
  span_seconds integer not null default 60,
  -- People joined to media, WebRTC transports, producers (incoming tracks), consumers (outgoing tracks).
  peers integer not null default 0,
  transports integer not null default 0,
  producers integer not null default 0,
  consumers integer not null default 0,
  -- Forwarded to consumers since the node's previous reading (null on a node's first reading).
  bits_per_second double precision,
  packets_per_second double precision,
  -- Busy time of the media worker threads per second of wall time (1 = one core busy).
  cpu_cores double precision,
  primary key (node_id, minute)
);
create index media_load_minute_idx on media_load (minute);
