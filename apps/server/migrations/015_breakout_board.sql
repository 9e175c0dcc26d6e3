-- Each breakout group's own board (issue 16; apps/server/src/breakout/board.ts): the drawings of
-- each page of the group's surface (the material picked for it in breakout_groups.material_id, or a
-- whiteboard of its own), kept with the group after it closes. Last-writer-wins per element as the
-- class board (011_board.sql): `version` / `version_nonce`; `board_seq` is the group's sequence,
-- incremented under the group row's lock in each change's transaction.
alter table breakout_groups add column board_seq bigint not null default 0;

create table breakout_board_elements (
  group_id uuid not null references breakout_groups(id) on delete cascade,
  page integer not null check (page >= 1),
  element_id text not null,
  element jsonb not null,
  version bigint not null,
  version_nonce bigint not null,
  is_deleted boolean not null default false,
  author_id uuid,
  created_seq bigint not null,
  seq bigint not null,
  updated_at timestamptz not null default now(),
  primary key (group_id, page, element_id)
);
