-- Chat: membership helpers, the RLS policies of every chat table, and the two views.
--
-- No policy reads a table whose own policies read it back. The original design's policy on
-- room_members selected from room_members, which Postgres rejects as infinite recursion
-- (42P17). Here every membership check goes through the SECURITY DEFINER helpers below: they
-- run as the schema owner, which RLS does not apply to, with search_path pinned to '' so no
-- caller-made object can stand in for the tables or functions they name.
--
-- Policies compare room ids with "room_id in (select chat.my_room_ids())": an uncorrelated
-- sub-select, evaluated once per statement (a hashed sub-plan), not a function call per row.

create or replace function chat.my_room_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.room_id from public.room_members m where m.user_id = auth.uid()
$$;

create or replace function chat.is_member(room uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select from public.room_members m where m.room_id = room and m.user_id = auth.uid())
$$;

-- The caller's role in a room (admin, moderator, member), null when not a member.
create or replace function chat.room_role(room uuid) returns text
language sql stable security definer set search_path = '' as $$
  select m.role from public.room_members m where m.room_id = room and m.user_id = auth.uid()
$$;

-- A uuid in canonical form (lowercase, hyphenated) or null: topics and object paths are compared
-- as strings, so only the form the database itself writes is accepted.
create or replace function chat.canonical_uuid(s text) returns uuid
language sql immutable set search_path = '' as $$
  select case when s ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then s::uuid end
$$;

revoke all on function chat.my_room_ids(), chat.is_member(uuid), chat.room_role(uuid), chat.canonical_uuid(text) from public;
grant execute on function chat.my_room_ids(), chat.is_member(uuid), chat.room_role(uuid), chat.canonical_uuid(text)
  to authenticated, service_role;

-- user_profiles: every signed-in user reads them; each writes only their own.
create policy profiles_read on public.user_profiles for select to authenticated using (true);
create policy profiles_update_own on public.user_profiles for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- rooms: public ones for everyone signed in, the others for members. Created by create_room
-- and open_direct only; admins change settings and delete (direct rooms have no admin).
create policy rooms_read on public.rooms for select to authenticated
  using (type = 'public' or id in (select chat.my_room_ids()));
create policy rooms_update_admin on public.rooms for update to authenticated
  using (chat.room_role(id) = 'admin') with check (chat.room_role(id) = 'admin' and type <> 'direct');
create policy rooms_delete_admin on public.rooms for delete to authenticated
  using (chat.room_role(id) = 'admin');

-- room_members: members see their rooms' members. Changed only by the functions.
create policy room_members_read on public.room_members for select to authenticated
  using (room_id in (select chat.my_room_ids()));

-- room_bans: moderators and admins see their rooms' bans; a user sees their own.
create policy room_bans_read on public.room_bans for select to authenticated
  using (user_id = (select auth.uid()) or chat.room_role(room_id) in ('admin', 'moderator'));

-- messages: members read; members post as themselves (system messages are not theirs to
-- post); authors edit their own; authors, moderators and admins delete (a soft deletion, V43).
create policy messages_read on public.messages for select to authenticated
  using (room_id in (select chat.my_room_ids()));
create policy messages_insert on public.messages for insert to authenticated
  with check (user_id = (select auth.uid()) and type <> 'system' and room_id in (select chat.my_room_ids()));
create policy messages_update_own on public.messages for update to authenticated
  using (user_id = (select auth.uid()) and deleted_at is null and room_id in (select chat.my_room_ids()))
  with check (user_id = (select auth.uid()));
create policy messages_delete on public.messages for delete to authenticated
  using (room_id in (select chat.my_room_ids())
         and (user_id = (select auth.uid()) or chat.room_role(room_id) in ('admin', 'moderator')));

-- message_reactions: members read; members add and remove their own.
create policy reactions_read on public.message_reactions for select to authenticated
  using (room_id in (select chat.my_room_ids()));
create policy reactions_insert on public.message_reactions for insert to authenticated
  with check (user_id = (select auth.uid()) and room_id in (select chat.my_room_ids()));
create policy reactions_delete_own on public.message_reactions for delete to authenticated
  using (user_id = (select auth.uid()) and room_id in (select chat.my_room_ids()));

-- read_receipts: members read their rooms' receipts; written by mark_read only.
create policy receipts_read on public.read_receipts for select to authenticated
  using (room_id in (select chat.my_room_ids()));

-- notifications: each user reads, marks read (read_at) and deletes their own.
create policy notifications_own_read on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));
create policy notifications_own_update on public.notifications for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy notifications_own_delete on public.notifications for delete to authenticated
  using (user_id = (select auth.uid()));

-- Views ------------------------------------------------------------------------------------
-- security_invoker: the caller's RLS applies to every table the view reads, so a view shows
-- no more than the tables would (a plain view would read as its owner, bypassing RLS).

-- Each room the caller can see with its latest message (none for public rooms the caller has
-- not joined: their messages are for members). The membership test depends only on the room,
-- so it runs once per room, before the scan; RLS alone would walk the whole of a public room
-- the caller is not in, looking for a visible message (V46).
create view public.rooms_with_latest_message with (security_invoker = true) as
select r.*,
       m.id as latest_message_id,
       m.content as latest_message,
       m.created_at as latest_message_at,
       m.user_id as latest_message_user_id,
       coalesce(up.display_name, up.username) as latest_message_author
from public.rooms r
left join lateral (
  select lm.id, lm.content, lm.created_at, lm.user_id
  from public.messages lm
  where lm.room_id = r.id and lm.deleted_at is null and r.id in (select chat.my_room_ids())
  order by lm.created_at desc, lm.id desc
  limit 1
) m on true
left join public.user_profiles up on up.id = m.user_id;

-- The caller's unread messages per room: others' messages after the read watermark, deleted
-- ones not counted. Only the caller's own rows: other members' counts are nobody's business,
-- and computing them would cost a count per member.
create view public.unread_counts with (security_invoker = true) as
select rm.room_id,
       rm.user_id,
       (select count(*)
          from public.messages m
         where m.room_id = rm.room_id
           and (m.created_at, m.id) > (coalesce(rr.last_read_at, '-infinity'),
                                       coalesce(rr.last_read_message_id, '00000000-0000-0000-0000-000000000000'))
           and m.user_id <> rm.user_id
           and m.deleted_at is null) as unread_count
from public.room_members rm
left join public.read_receipts rr on rr.room_id = rm.room_id and rr.user_id = rm.user_id
where rm.user_id = (select auth.uid());

revoke all on public.rooms_with_latest_message, public.unread_counts from anon, authenticated, public;
grant select on public.rooms_with_latest_message, public.unread_counts to authenticated, service_role;
