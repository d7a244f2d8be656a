-- Chat: storage buckets and their policies (see docs/storage.md for what each operation needs).
--
-- avatars: public (anyone can download with the public URL), images only, 1 MiB. Each user
-- writes only under a folder named by their user id: avatars/<user_id>/<file>.
-- attachments: private, 25 MiB, types a browser will not run as a page (no HTML, no SVG).
-- Object names start with the room id: attachments/<room_id>/<file>; members of that room read
-- and upload, the uploader replaces and deletes, moderators and admins delete.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('avatars', 'avatars', true, 1048576, array['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  ('attachments', 'attachments', false, 26214400,
   array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv',
         'application/zip', 'application/json', 'audio/mpeg', 'audio/ogg', 'audio/wav', 'video/mp4', 'video/webm',
         'application/octet-stream'])
on conflict (id) do nothing;

-- The room an attachment belongs to: its first folder, as a canonical uuid (else null: no room).
create or replace function chat.object_room(name text) returns uuid
language sql immutable set search_path = '' as $$
  select chat.canonical_uuid(split_part(name, '/', 1))
$$;
revoke all on function chat.object_room(text) from public;
grant execute on function chat.object_room(text) to authenticated, service_role;

create policy "chat avatars: signed-in users list" on storage.objects for select to authenticated
  using (bucket_id = 'avatars');
create policy "chat avatars: upload into own folder" on storage.objects for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "chat avatars: replace own" on storage.objects for update to authenticated
  using (bucket_id = 'avatars' and owner = (select auth.uid()))
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "chat avatars: delete own" on storage.objects for delete to authenticated
  using (bucket_id = 'avatars' and owner = (select auth.uid()));

create policy "chat attachments: members read" on storage.objects for select to authenticated
  using (bucket_id = 'attachments' and chat.is_member(chat.object_room(name)));
create policy "chat attachments: members upload" on storage.objects for insert to authenticated
  with check (bucket_id = 'attachments' and array_length(storage.foldername(name), 1) >= 1
              and chat.is_member(chat.object_room(name)));
create policy "chat attachments: uploader replaces" on storage.objects for update to authenticated
  using (bucket_id = 'attachments' and owner = (select auth.uid()) and chat.is_member(chat.object_room(name)))
  with check (bucket_id = 'attachments' and chat.is_member(chat.object_room(name)));
create policy "chat attachments: uploader or moderator deletes" on storage.objects for delete to authenticated
  using (bucket_id = 'attachments'
         and ((owner = (select auth.uid()) and chat.is_member(chat.object_room(name)))
              or chat.room_role(chat.object_room(name)) in ('admin', 'moderator')));
