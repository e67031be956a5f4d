-- Who uploaded which file. Identical bytes are stored once, but every uploader is recorded, so each
-- may read and attach their own upload; nobody may attach a file they could not read.
create table file_uploads (
  sha256 text not null references files (sha256),
  user_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  primary key (sha256, user_id)
);
create index file_uploads_user_idx on file_uploads (user_id);
insert into file_uploads (sha256, user_id, created_at)
  select sha256, uploaded_by, created_at from files where uploaded_by is not null;

-- Attachments are looked up by hash when deciding who may read a file.
create index progress_reports_attachments_idx on progress_reports using gin (attachments jsonb_path_ops);
