-- Materials of a class (issue 12): PDFs, or office documents converted to PDF on upload, kept
-- with the class across its sessions. The PDF itself lives in the Storage (local disk or S3)
-- under `materials/<room_id>/<id>.pdf`; deleting the class deletes these rows (cascade) and the
-- materials service removes the stored files.
create table class_materials (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms (id) on delete cascade,
  title text not null,
  file_name text not null,
  source_type text not null check (source_type in ('pdf', 'pptx', 'odp', 'docx')),
  pages integer not null check (pages >= 1),
  size_bytes bigint not null check (size_bytes >= 0),
  storage_key text not null,
  uploaded_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);

create index class_materials_room_idx on class_materials (room_id, created_at);
