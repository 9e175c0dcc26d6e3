-- A breakout group's own recording (issue 16; the host ticks "Record each group" when opening the
-- groups): a recording of the class (same list, player, rules and storage) of the group's media room,
-- linked to its group. The group's name is kept with it (the group row may be gone from the live
-- picture, the recording still says which group it was).
alter table recordings add column breakout_group_id uuid references breakout_groups (id) on delete cascade;
alter table recordings add column breakout_group_name text;

-- One active recording of the main room per class, as before; and one per group, beside it.
drop index recordings_one_active_idx;
create unique index recordings_one_active_idx on recordings (room_id) where status = 'recording' and breakout_group_id is null;
create unique index recordings_one_active_group_idx on recordings (breakout_group_id) where status = 'recording' and breakout_group_id is not null;
