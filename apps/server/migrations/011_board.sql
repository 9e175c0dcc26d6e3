-- The class board (issue 12): what is on the stage, the drawings of every page, and the history
-- the recording's replay reads. All of it stays with the class across its sessions and goes
-- with it (cascade).
--
-- board_state: one row per class; `stage` is the BoardStageDto without roomId and seq; `seq` is
-- the class's board sequence number, incremented in the same transaction as every accepted
-- change, so that several app servers sharing the database order changes the same way.
create table board_state (
  room_id uuid primary key references rooms (id) on delete cascade,
  stage jsonb not null,
  seq bigint not null default 0,
  updated_at timestamptz not null default now()
);

-- The current elements (Excalidraw JSON) of each page of each surface ("whiteboard" or a
-- material's id). A material's elements go with the material (material_id, cascade).
-- `version` / `version_nonce` decide last-writer-wins; `created_seq` keeps the drawing order.
create table board_elements (
  room_id uuid not null references rooms (id) on delete cascade,
  surface_id text not null,
  page integer not null check (page >= 1),
  element_id text not null,
  material_id uuid references class_materials (id) on delete cascade,
  element jsonb not null,
  version bigint not null,
  version_nonce bigint not null,
  is_deleted boolean not null default false,
  author_id uuid,
  created_seq bigint not null,
  seq bigint not null,
  updated_at timestamptz not null default now(),
  primary key (room_id, surface_id, page, element_id)
);
create index board_elements_material_idx on board_elements (material_id) where material_id is not null;

-- The history: every accepted change (present, turn, draw, clear, settings) with its seq, and
-- pointer samples (at most ~5 per second and user; they carry the room's current seq).
create table board_ops (
  id bigint generated always as identity primary key,
  room_id uuid not null references rooms (id) on delete cascade,
  seq bigint not null,
  at timestamptz not null default clock_timestamp(),
  kind text not null check (kind in ('present', 'turn', 'draw', 'clear', 'pointer', 'settings')),
  payload jsonb not null
);
create index board_ops_room_at_idx on board_ops (room_id, at);
