-- What processing found missing from a recording, for its host: a published track that yielded
-- no frames (or only part of its time). A JSON array of { code, trackId, kind, source, userId, message }.
alter table recordings add column warnings jsonb not null default '[]'::jsonb;
