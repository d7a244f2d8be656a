-- Storage: buckets and objects as in Supabase Storage, so Supabase storage policies work here
-- unchanged. Access is decided by RLS on storage.buckets and storage.objects (enabled below with
-- no policies: only service_role, which bypasses RLS, can do anything until policies say more).
-- The bytes live outside the database (docs/storage.md); a row's "version" names them.

create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id                  text primary key,
  name                text not null,
  owner               uuid,
  owner_id            text,
  public              boolean not null default false,
  file_size_limit     bigint,
  allowed_mime_types  text[],
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id                uuid primary key default gen_random_uuid(),
  bucket_id         text references storage.buckets (id),
  name              text,
  owner             uuid,
  owner_id          text,
  metadata          jsonb,
  user_metadata     jsonb,
  version           text,
  created_at        timestamptz default now(),
  updated_at        timestamptz default now(),
  last_accessed_at  timestamptz default now(),
  path_tokens       text[] generated always as (string_to_array(name, '/')) stored
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

-- Path helpers for policies, as Supabase's: 'a/b/c.png' -> {a,b}, 'c.png', 'png'.
create or replace function storage.foldername(name text) returns text[]
language sql immutable as $$
  select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;

create or replace function storage.filename(name text) returns text
language sql immutable as $$
  select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;

create or replace function storage.extension(name text) returns text
language sql immutable as $$
  select (string_to_array(storage.filename(name), '.'))[array_length(string_to_array(storage.filename(name), '.'), 1)]
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql as $$
begin
  new.updated_at = now();
  return new;
end
$$;

drop trigger if exists update_objects_updated_at on storage.objects;
create trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();

drop trigger if exists update_buckets_updated_at on storage.buckets;
create trigger update_buckets_updated_at before update on storage.buckets
  for each row execute function storage.update_updated_at_column();

-- Bytes no row refers to any more. A row's version is replaced by an upsert or deleted with the
-- row (through the API or with psql); the trigger records the old version in the same
-- transaction, so the record exists exactly when that change commits. The gateway deletes the
-- bytes after the commit and only then the record (at-least-once: a crash in between leaves the
-- record, and the next sweep deletes the bytes again, which is harmless).
create table if not exists parley.storage_garbage (
  version     text primary key,
  queued_at   timestamptz not null default now()
);

create or replace function parley.storage_collect_version() returns trigger
language plpgsql security definer set search_path = pg_catalog as $$
begin
  if old.version is not null and (tg_op = 'DELETE' or new.version is distinct from old.version) then
    insert into parley.storage_garbage (version) values (old.version) on conflict do nothing;
  end if;
  return null;
end
$$;
revoke all on function parley.storage_collect_version() from public;

drop trigger if exists collect_replaced_bytes on storage.objects;
create trigger collect_replaced_bytes after update or delete on storage.objects
  for each row execute function parley.storage_collect_version();
