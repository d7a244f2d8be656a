-- Chat: what happens by itself. Profiles on sign-up, timestamps, the message rules RLS cannot
-- express (threads, edits, soft deletion), reactions' room, and notifications.

-- Profiles on sign-up ---------------------------------------------------------------------
-- A username from the sign-up data ("username" in user_metadata) or else from the email's
-- local part, made valid (letters, digits, underscores; 2 to 32) and unique by a numeric
-- suffix. A taken or invalid wish never fails the sign-up: the user can rename later.
create or replace function chat.username_base(wish text, email text) returns text
language sql immutable set search_path = '' as $$
  select left(case when length(b) >= 2 then b else 'user' || b end, 24)
  from (select btrim(regexp_replace(coalesce(nullif(btrim(wish), ''), split_part(email, '@', 1), ''),
                                    '[^A-Za-z0-9_]+', '_', 'g'), '_') as b) s
$$;

create or replace function chat.ensure_profile(u auth.users) returns void
language plpgsql security definer set search_path = '' as $$
declare
  base text := chat.username_base(u.raw_user_meta_data ->> 'username', u.email);
  candidate text := base;
  n int := 1;
  meta jsonb := u.raw_user_meta_data;
begin
  loop
    begin
      insert into public.user_profiles (id, username, display_name, avatar_url)
      values (u.id, candidate,
              left(coalesce(meta ->> 'display_name', meta ->> 'full_name', meta ->> 'name'), 100),
              left(meta ->> 'avatar_url', 2000))
      on conflict (id) do nothing;
      return;
    exception when unique_violation then
      -- The username is taken (possibly by a concurrent sign-up): try the next suffix.
      n := n + 1;
      candidate := base || n::text;
      if n > 100 then
        candidate := base || '_' || substr(md5(random()::text), 1, 7);
      end if;
    end;
  end loop;
end
$$;

create or replace function chat.on_user_created() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform chat.ensure_profile(new);
  return null;
end
$$;
revoke all on function chat.username_base(text, text), chat.ensure_profile(auth.users), chat.on_user_created() from public;

create trigger chat_create_profile after insert on auth.users
  for each row execute function chat.on_user_created();

-- Users who signed up before this migration get theirs now.
select chat.ensure_profile(u) from auth.users u order by u.created_at;

-- Timestamps --------------------------------------------------------------------------------
create or replace function chat.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger user_profiles_touch before update on public.user_profiles
  for each row execute function chat.touch_updated_at();

-- Rooms: settings rules, and updated_at on each change. A direct room stays direct and no room
-- becomes one (open_direct makes them).
create or replace function chat.before_room_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.type is distinct from old.type and (old.type = 'direct' or new.type = 'direct') then
    raise exception 'a room cannot become or stop being a direct room' using errcode = '22023';
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger rooms_before_update before update on public.rooms
  for each row execute function chat.before_room_update();

-- Messages ------------------------------------------------------------------------------------
-- Replies: the parent is a top-level, undeleted message of the same room. Checked only for a
-- member (a non-member's insert is refused by RLS right after, without learning anything).
create or replace function chat.before_message_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  parent record;
begin
  if new.parent_id is not null and chat.is_member(new.room_id) then
    select p.room_id, p.parent_id, p.deleted_at into parent from public.messages p where p.id = new.parent_id;
    if not found or parent.room_id <> new.room_id then
      raise exception 'the replied-to message is not in this room' using errcode = '22023';
    end if;
    if parent.parent_id is not null then
      raise exception 'reply to the first message of the thread (threads are one level deep)' using errcode = '22023';
    end if;
    if parent.deleted_at is not null then
      raise exception 'cannot reply to a deleted message' using errcode = '22023';
    end if;
  end if;
  return new;
end
$$;

create trigger messages_before_insert before insert on public.messages
  for each row execute function chat.before_message_insert();

-- Edits: a changed content marks the message edited (clients cannot set edited or its time).
create or replace function chat.before_message_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.deleted_at is not null and old.deleted_at is null then
    new.edited := old.edited;  -- the soft deletion below, not an edit
  elsif new.content is distinct from old.content then
    new.edited := true;
    new.edited_at := clock_timestamp();
  else
    new.edited := old.edited;
  end if;
  new.updated_at := clock_timestamp();
  return new;
end
$$;

create trigger messages_before_update before update on public.messages
  for each row execute function chat.before_message_update();

-- Deletion is soft: a DELETE through the API (allowed by the delete policy: the author, or a
-- moderator or admin of the room) blanks the message and keeps its row, and removes its
-- reactions and notifications. Deletions cascading from a room or a user's account
-- (pg_trigger_depth() > 1: run by the foreign key's trigger) remove rows for real.
create or replace function chat.before_message_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if pg_trigger_depth() > 1 then
    return old;
  end if;
  if old.deleted_at is null then
    update public.messages
       set deleted_at = clock_timestamp(), deleted_by = auth.uid(),
           content = '', file_url = null, file_name = null, file_size = null
     where id = old.id;
    delete from public.message_reactions where message_id = old.id;
    delete from public.notifications where message_id = old.id;
  end if;
  return null;
end
$$;

create trigger messages_before_delete before delete on public.messages
  for each row execute function chat.before_message_delete();

-- Notifications: @username mentions of members, replies to the thread's author, direct
-- messages to the other member. At most one per user and message (mention first). Edits can
-- add mentions; a mention already notified is not notified again.
create or replace function chat.notify_for_message(m public.messages, edit boolean) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if m.type = 'system' or m.deleted_at is not null then
    return;
  end if;
  if position('@' in m.content) > 0 then
    insert into public.notifications (user_id, type, room_id, message_id, actor_id)
    select p.id, 'mention', m.room_id, m.id, m.user_id
    from public.user_profiles p
    join public.room_members rm on rm.room_id = m.room_id and rm.user_id = p.id
    where lower(p.username) in (select lower(x[1])
                                from regexp_matches(m.content, '(?:^|[^A-Za-z0-9_])@([A-Za-z0-9_]{2,32})', 'g') x)
      and p.id <> m.user_id
    on conflict (user_id, message_id) do nothing;
  end if;
  if edit then
    return;
  end if;
  if m.parent_id is not null then
    insert into public.notifications (user_id, type, room_id, message_id, actor_id)
    select p.user_id, 'reply', m.room_id, m.id, m.user_id
    from public.messages p
    join public.room_members rm on rm.room_id = m.room_id and rm.user_id = p.user_id
    where p.id = m.parent_id and p.user_id <> m.user_id
    on conflict (user_id, message_id) do nothing;
  end if;
  insert into public.notifications (user_id, type, room_id, message_id, actor_id)
  select rm.user_id, 'direct_message', m.room_id, m.id, m.user_id
  from public.rooms r
  join public.room_members rm on rm.room_id = r.id
  where r.id = m.room_id and r.type = 'direct' and rm.user_id <> m.user_id
  on conflict (user_id, message_id) do nothing;
end
$$;

-- After a new message: the room's updated_at (the original design's room ordering), and
-- notifications.
create or replace function chat.after_message_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.rooms set updated_at = now() where id = new.room_id;
  perform chat.notify_for_message(new, false);
  return null;
end
$$;

create trigger messages_after_insert after insert on public.messages
  for each row execute function chat.after_message_insert();

create or replace function chat.after_message_edit() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform chat.notify_for_message(new, true);
  return null;
end
$$;

create trigger messages_after_edit after update of content on public.messages
  for each row when (new.deleted_at is null and new.content is distinct from old.content)
  execute function chat.after_message_edit();

-- Reactions: the room comes from the message (so RLS and realtime filters can use it); no
-- reactions to deleted messages.
create or replace function chat.before_reaction_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  msg record;
begin
  select m.room_id, m.deleted_at into msg from public.messages m where m.id = new.message_id;
  if not found then
    raise exception 'message not found' using errcode = 'PT404';
  end if;
  new.room_id := msg.room_id;
  if msg.deleted_at is not null and chat.is_member(msg.room_id) then
    raise exception 'cannot react to a deleted message' using errcode = '22023';
  end if;
  return new;
end
$$;

create trigger message_reactions_before_insert before insert on public.message_reactions
  for each row execute function chat.before_reaction_insert();

revoke all on function chat.touch_updated_at(), chat.before_room_update(), chat.before_message_insert(),
  chat.before_message_update(), chat.before_message_delete(), chat.notify_for_message(public.messages, boolean),
  chat.after_message_insert(), chat.after_message_edit(), chat.before_reaction_insert() from public;
