-- Chat: the functions clients call over /rest/v1/rpc (see docs/chat.md for examples).
--
-- Each one is SECURITY DEFINER (it writes rows no policy lets a client write directly), so each
-- checks its caller's rights itself before anything else, with search_path pinned to ''.
-- Errors are stable: 42501 (403) for a right the caller lacks, PT404 (404) for a room, user or
-- message the caller cannot see, PT409 (409) for a state that forbids the change, 22023 (400)
-- for a bad argument. Rooms are locked (FOR NO KEY UPDATE) by every membership change, so two
-- concurrent changes to one room (two last admins leaving at once) see each other.

-- The signed-in caller, or 42501.
create or replace function chat.caller() returns uuid
language plpgsql stable set search_path = '' as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    raise exception 'sign in first: chat functions act for a signed-in user' using errcode = '42501';
  end if;
  return me;
end
$$;

-- admin > moderator > member; 0 for none.
create or replace function chat.rank(role text) returns int
language sql immutable set search_path = '' as $$
  select case role when 'admin' then 3 when 'moderator' then 2 when 'member' then 1 else 0 end
$$;

-- The room, locked for a membership change, if the caller may see it; else PT404.
create or replace function chat.lock_visible_room(room uuid, me uuid) returns public.rooms
language plpgsql set search_path = '' as $$
declare
  r public.rooms;
begin
  select * into r from public.rooms where id = room for no key update;
  if not found or (r.type <> 'public'
                   and not exists (select from public.room_members m where m.room_id = room and m.user_id = me)) then
    raise exception 'room not found' using errcode = 'PT404';
  end if;
  return r;
end
$$;

-- The caller's role in a room they moderate (admin or moderator), else 42501 (PT404 when the room
-- is not visible at all).
create or replace function chat.require_moderator(r public.rooms, me uuid, action text) returns text
language plpgsql stable set search_path = '' as $$
declare
  my_role text;
begin
  select m.role into my_role from public.room_members m where m.room_id = r.id and m.user_id = me;
  if r.type = 'direct' then
    raise exception 'direct rooms have exactly two members and no moderators' using errcode = 'PT409';
  end if;
  if chat.rank(my_role) < chat.rank('moderator') then
    raise exception 'only admins and moderators of this room can %', action using errcode = '42501';
  end if;
  return my_role;
end
$$;

create or replace function chat.require_user_exists(u uuid) returns void
language plpgsql stable set search_path = '' as $$
begin
  if u is null or not exists (select from auth.users where id = u and deleted_at is null) then
    raise exception 'user not found' using errcode = 'PT404';
  end if;
end
$$;

revoke all on function chat.caller(), chat.rank(text), chat.lock_visible_room(uuid, uuid),
  chat.require_moderator(public.rooms, uuid, text), chat.require_user_exists(uuid) from public;

-- create_room: a public or private room; the caller becomes its admin.
create or replace function public.create_room(name text, description text default null, type text default 'public')
returns public.rooms
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms;
begin
  if create_room.name is null or length(btrim(create_room.name)) not between 1 and 100 then
    raise exception 'name must have 1 to 100 characters' using errcode = '22023';
  end if;
  if create_room.type is null or create_room.type not in ('public', 'private') then
    raise exception 'type must be public or private (direct rooms come from open_direct)' using errcode = '22023';
  end if;
  insert into public.rooms (name, description, type, created_by)
  values (btrim(create_room.name), create_room.description, create_room.type, me)
  returning * into r;
  insert into public.room_members (room_id, user_id, role) values (r.id, me, 'admin');
  return r;
end
$$;

-- join_room: public rooms only (private ones by invitation, direct ones never); not when
-- banned. Joining a room one is in already returns the membership unchanged.
create or replace function public.join_room(room_id uuid)
returns public.room_members
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(join_room.room_id, me);
  m public.room_members;
begin
  select * into m from public.room_members rm where rm.room_id = r.id and rm.user_id = me;
  if found then
    return m;
  end if;
  if exists (select from public.room_bans b where b.room_id = r.id and b.user_id = me) then
    raise exception 'you are banned from this room' using errcode = '42501';
  end if;
  insert into public.room_members (room_id, user_id, role) values (r.id, me, 'member') returning * into m;
  return m;
end
$$;

-- leave_room: not a direct room; the last admin hands over first (set_member_role) unless
-- nobody else is left, in which case the room goes with its last member.
create or replace function public.leave_room(room_id uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(leave_room.room_id, me);
  my_role text;
begin
  select rm.role into my_role from public.room_members rm where rm.room_id = r.id and rm.user_id = me;
  if my_role is null then
    raise exception 'you are not a member of this room' using errcode = 'PT404';
  end if;
  if r.type = 'direct' then
    raise exception 'direct rooms cannot be left' using errcode = 'PT409';
  end if;
  if my_role = 'admin'
     and not exists (select from public.room_members rm
                     where rm.room_id = r.id and rm.role = 'admin' and rm.user_id <> me)
     and exists (select from public.room_members rm where rm.room_id = r.id and rm.user_id <> me) then
    raise exception 'you are the last admin of this room: make another member admin first'
      using errcode = 'PT409', hint = 'call set_member_role(room_id, user_id, ''admin'')';
  end if;
  delete from public.room_members rm where rm.room_id = r.id and rm.user_id = me;
  if not exists (select from public.room_members rm where rm.room_id = r.id) then
    delete from public.rooms where id = r.id;
  end if;
end
$$;

-- invite_member: admins and moderators add a user (as a member) to a public or private room.
create or replace function public.invite_member(room_id uuid, user_id uuid)
returns public.room_members
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(invite_member.room_id, me);
  m public.room_members;
begin
  perform chat.require_moderator(r, me, 'invite');
  perform chat.require_user_exists(invite_member.user_id);
  select * into m from public.room_members rm where rm.room_id = r.id and rm.user_id = invite_member.user_id;
  if found then
    return m;
  end if;
  if exists (select from public.room_bans b where b.room_id = r.id and b.user_id = invite_member.user_id) then
    raise exception 'this user is banned from this room: unban them first' using errcode = 'PT409';
  end if;
  insert into public.room_members (room_id, user_id, role)
  values (r.id, invite_member.user_id, 'member') returning * into m;
  return m;
end
$$;

-- kick_member: admins and moderators remove a member of lower role.
create or replace function public.kick_member(room_id uuid, user_id uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(kick_member.room_id, me);
  my_role text := chat.require_moderator(r, me, 'kick members');
  their_role text;
begin
  if kick_member.user_id = me then
    raise exception 'use leave_room to leave a room' using errcode = '22023';
  end if;
  select rm.role into their_role from public.room_members rm
  where rm.room_id = r.id and rm.user_id = kick_member.user_id;
  if their_role is null then
    raise exception 'not a member of this room' using errcode = 'PT404';
  end if;
  if chat.rank(their_role) >= chat.rank(my_role) then
    raise exception '%s cannot kick %s', my_role, their_role using errcode = '42501';
  end if;
  delete from public.room_members rm where rm.room_id = r.id and rm.user_id = kick_member.user_id;
end
$$;

-- ban_member: admins and moderators remove a user of lower role (or a non-member) and keep
-- them out: join_room and invite_member refuse them until unban_member.
create or replace function public.ban_member(room_id uuid, user_id uuid, reason text default null)
returns public.room_bans
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(ban_member.room_id, me);
  my_role text := chat.require_moderator(r, me, 'ban users');
  their_role text;
  b public.room_bans;
begin
  if ban_member.user_id = me then
    raise exception 'you cannot ban yourself' using errcode = '22023';
  end if;
  perform chat.require_user_exists(ban_member.user_id);
  select rm.role into their_role from public.room_members rm
  where rm.room_id = r.id and rm.user_id = ban_member.user_id;
  if their_role is not null and chat.rank(their_role) >= chat.rank(my_role) then
    raise exception '%s cannot ban %s', my_role, their_role using errcode = '42501';
  end if;
  delete from public.room_members rm where rm.room_id = r.id and rm.user_id = ban_member.user_id;
  insert into public.room_bans (room_id, user_id, banned_by, reason)
  values (r.id, ban_member.user_id, me, ban_member.reason)
  on conflict on constraint room_bans_pkey do update set banned_by = excluded.banned_by, reason = excluded.reason
  returning * into b;
  return b;
end
$$;

-- unban_member: admins and moderators lift a ban (the user may then join or be invited).
create or replace function public.unban_member(room_id uuid, user_id uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(unban_member.room_id, me);
begin
  perform chat.require_moderator(r, me, 'unban users');
  delete from public.room_bans b where b.room_id = r.id and b.user_id = unban_member.user_id;
  if not found then
    raise exception 'this user is not banned from this room' using errcode = 'PT404';
  end if;
end
$$;

-- set_member_role: admins only. The last admin cannot demote themselves.
create or replace function public.set_member_role(room_id uuid, user_id uuid, role text)
returns public.room_members
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  r public.rooms := chat.lock_visible_room(set_member_role.room_id, me);
  m public.room_members;
begin
  if r.type = 'direct' then
    raise exception 'direct rooms have no roles' using errcode = 'PT409';
  end if;
  if not exists (select from public.room_members rm where rm.room_id = r.id and rm.user_id = me and rm.role = 'admin') then
    raise exception 'only admins of this room can change roles' using errcode = '42501';
  end if;
  if set_member_role.role is null or set_member_role.role not in ('admin', 'moderator', 'member') then
    raise exception 'role must be admin, moderator or member' using errcode = '22023';
  end if;
  if set_member_role.user_id = me and set_member_role.role <> 'admin'
     and not exists (select from public.room_members rm
                     where rm.room_id = r.id and rm.role = 'admin' and rm.user_id <> me) then
    raise exception 'you are the last admin of this room: make another member admin first' using errcode = 'PT409';
  end if;
  update public.room_members rm set role = set_member_role.role
  where rm.room_id = r.id and rm.user_id = set_member_role.user_id
  returning * into m;
  if not found then
    raise exception 'not a member of this room' using errcode = 'PT404';
  end if;
  return m;
end
$$;

-- open_direct: the direct room of the caller and other_user, created on first use. The same
-- pair always gets the same room (rooms.direct_key is unique; a concurrent call waits for the
-- first one's insert and then finds its room).
create or replace function public.open_direct(other_user uuid)
returns public.rooms
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  key text;
  r public.rooms;
begin
  if other_user = me then
    raise exception 'a direct room needs another user' using errcode = '22023';
  end if;
  perform chat.require_user_exists(other_user);
  key := least(me, other_user)::text || ':' || greatest(me, other_user)::text;
  insert into public.rooms (name, type, created_by, direct_key)
  values (coalesce((select string_agg(p.username, ', ' order by p.username)
                    from public.user_profiles p where p.id in (me, other_user)), 'direct'),
          'direct', me, key)
  on conflict (direct_key) do nothing
  returning * into r;
  if found then
    insert into public.room_members (room_id, user_id, role) values (r.id, me, 'member'), (r.id, other_user, 'member');
  else
    select * into r from public.rooms where direct_key = key;
  end if;
  return r;
end
$$;

-- mark_read: moves the caller's read watermark in a room forward to message_id (default: the
-- latest message), never back; marks the caller's notifications up to it read.
create or replace function public.mark_read(room_id uuid, message_id uuid default null)
returns public.read_receipts
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  msg record;
  rr public.read_receipts;
begin
  if not exists (select from public.room_members rm where rm.room_id = mark_read.room_id and rm.user_id = me) then
    raise exception 'room not found' using errcode = 'PT404';
  end if;
  if mark_read.message_id is null then
    select m.id, m.created_at into msg from public.messages m
    where m.room_id = mark_read.room_id order by m.created_at desc, m.id desc limit 1;
  else
    select m.id, m.created_at into msg from public.messages m
    where m.id = mark_read.message_id and m.room_id = mark_read.room_id;
    if not found then
      raise exception 'message not found in this room' using errcode = 'PT404';
    end if;
  end if;
  if msg.id is null then
    insert into public.read_receipts (room_id, user_id) values (mark_read.room_id, me)
    on conflict on constraint read_receipts_pkey do nothing;
  else
    insert into public.read_receipts as cur (room_id, user_id, last_read_message_id, last_read_at)
    values (mark_read.room_id, me, msg.id, msg.created_at)
    on conflict on constraint read_receipts_pkey do update
      set last_read_message_id = excluded.last_read_message_id, last_read_at = excluded.last_read_at
      where (cur.last_read_at, coalesce(cur.last_read_message_id, '00000000-0000-0000-0000-000000000000'))
          < (excluded.last_read_at, excluded.last_read_message_id);
    update public.notifications n set read_at = now()
    where n.user_id = me and n.room_id = mark_read.room_id and n.read_at is null
      and exists (select from public.messages m where m.id = n.message_id
                  and (m.created_at, m.id) <= (msg.created_at, msg.id));
  end if;
  select * into rr from public.read_receipts x where x.room_id = mark_read.room_id and x.user_id = me;
  return rr;
end
$$;

-- search_messages: full-text search (English, websearch syntax: words, "phrases", -not, or)
-- over the rooms the caller is a member of (one room with room_id), best matches first, at
-- most max_results (1 to 100). snippet is HTML: the content escaped, the matches in <mark>.
-- The caller's rooms are looked up first so that "room_id = any (rooms)" can be an index
-- condition (messages_room_search, V46): under RLS a membership subquery could not be.
create type chat.search_hit as (
  id          uuid,
  room_id     uuid,
  user_id     uuid,
  parent_id   uuid,
  content     text,
  created_at  timestamptz,
  rank        real,
  snippet     text
);

create or replace function chat.html_escape(s text) returns text
language sql immutable set search_path = '' as $$
  select replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
$$;

create or replace function public.search_messages(query text, room_id uuid default null, max_results integer default 20)
returns setof chat.search_hit
language plpgsql stable security definer set search_path = '' as $$
declare
  me uuid := chat.caller();
  q tsquery;
  rooms uuid[];
begin
  if query is null or length(query) not between 1 and 500 then
    raise exception 'query must have 1 to 500 characters' using errcode = '22023';
  end if;
  if max_results is null or max_results not between 1 and 100 then
    raise exception 'max_results must be between 1 and 100' using errcode = '22023';
  end if;
  select array_agg(rm.room_id) into rooms from public.room_members rm
  where rm.user_id = me and (search_messages.room_id is null or rm.room_id = search_messages.room_id);
  if search_messages.room_id is not null and rooms is null then
    raise exception 'room not found' using errcode = 'PT404';
  end if;
  q := websearch_to_tsquery('english'::regconfig, query);
  if rooms is null or numnode(q) = 0 then
    return;  -- no rooms, or only stop words: nothing to look for
  end if;
  return query
  with hits as (
    select m.id, m.room_id, m.user_id, m.parent_id, m.content, m.created_at, ts_rank_cd(m.search, q) as rank
    from public.messages m
    where m.room_id = any (rooms) and m.search @@ q and m.deleted_at is null
    order by rank desc, m.created_at desc, m.id
    limit max_results
  )
  select h.id, h.room_id, h.user_id, h.parent_id, h.content, h.created_at, h.rank,
         ts_headline('english'::regconfig, chat.html_escape(h.content), q,
                     'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "')
  from hits h
  order by h.rank desc, h.created_at desc, h.id;
end
$$;

-- Only signed-in users call these; anon gets 42501 (401 over REST).
revoke all on function public.create_room(text, text, text), public.join_room(uuid), public.leave_room(uuid),
  public.invite_member(uuid, uuid), public.kick_member(uuid, uuid), public.ban_member(uuid, uuid, text),
  public.unban_member(uuid, uuid), public.set_member_role(uuid, uuid, text), public.open_direct(uuid),
  public.mark_read(uuid, uuid), public.search_messages(text, uuid, integer) from public, anon;
grant execute on function public.create_room(text, text, text), public.join_room(uuid), public.leave_room(uuid),
  public.invite_member(uuid, uuid), public.kick_member(uuid, uuid), public.ban_member(uuid, uuid, text),
  public.unban_member(uuid, uuid), public.set_member_role(uuid, uuid, text), public.open_direct(uuid),
  public.mark_read(uuid, uuid), public.search_messages(text, uuid, integer) to authenticated, service_role;
-- The helpers above are called from those SECURITY DEFINER functions (as the owner) only.
grant execute on function chat.html_escape(text) to authenticated, service_role;
