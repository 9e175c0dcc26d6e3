-- What each attendance session (one row per join) did besides being there, for the class record:
-- milliseconds of speech (from the audio level browsers put in their RTP packets, RFC 6464,
-- read by the SFU without decoding), milliseconds with a camera on, and hands raised.
alter table attendance add column talk_ms bigint not null default 0;
alter table attendance add column camera_ms bigint not null default 0;
alter table attendance add column hands_raised integer not null default 0;
