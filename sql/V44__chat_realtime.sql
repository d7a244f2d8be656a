-- Chat: realtime. Every change a room's members care about is broadcast from the database to
-- the private topic room:<room_id>; a user's own events (notifications, being added to or
-- removed from a room) to user:<user_id>. Topics use the canonical uuid text (lowercase).
--
-- Payloads have realtime.broadcast_changes' shape ({operation, table, schema, record,
-- old_record}) with the search vector left out. They are sent by realtime.send from SECURITY
-- DEFINER triggers: the sender is the schema owner, so the INSERT policies on
-- realtime.messages (which decide what clients may send) do not stop the database's own events.

create or replace function chat.row_json(r anyelement) returns jsonb
language sql immutable set search_path = '' as $$
  select to_jsonb(r) - 'search'
$$;

create or replace function chat.send_change(topic text, event text, op text, tbl text, rec jsonb, old_rec jsonb)
returns void
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(
    jsonb_build_object('operation', op, 'table', tbl, 'schema', 'public', 'record', rec, 'old_record', old_rec),
    event, topic, true);
end
$$;

-- messages: message_created, message_updated (an edit), message_deleted (a soft deletion: the
-- old content is not sent again).
create or replace function chat.broadcast_message() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform chat.send_change('room:' || new.room_id, 'message_created', tg_op, tg_table_name, chat.row_json(new), null);
  elsif tg_op = 'UPDATE' and new.deleted_at is not null and old.deleted_at is null then
    perform chat.send_change('room:' || new.room_id, 'message_deleted', tg_op, tg_table_name, chat.row_json(new), null);
  elsif tg_op = 'UPDATE' and new.deleted_at is null then
    perform chat.send_change('room:' || new.room_id, 'message_updated', tg_op, tg_table_name,
                             chat.row_json(new), chat.row_json(old));
  end if;
  return null;
end
$$;

create trigger messages_broadcast after insert or update on public.messages
  for each row execute function chat.broadcast_message();

-- message_reactions: reaction_added, reaction_removed.
create or replace function chat.broadcast_reaction() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform chat.send_change('room:' || new.room_id, 'reaction_added', tg_op, tg_table_name, to_jsonb(new), null);
  else
    perform chat.send_change('room:' || old.room_id, 'reaction_removed', tg_op, tg_table_name, null, to_jsonb(old));
  end if;
  return null;
end
$$;

create trigger message_reactions_broadcast after insert or delete on public.message_reactions
  for each row execute function chat.broadcast_reaction();

-- read_receipts: read_receipt, each time a member's watermark moves.
create or replace function chat.broadcast_receipt() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform chat.send_change('room:' || new.room_id, 'read_receipt', tg_op, tg_table_name, to_jsonb(new),
                           case when tg_op = 'UPDATE' then to_jsonb(old) end);
  return null;
end
$$;

create trigger read_receipts_broadcast after insert or update on public.read_receipts
  for each row execute function chat.broadcast_receipt();

-- room_members: member_joined, member_updated (a role change), member_left (left, kicked,
-- banned) to the room; membership_added and membership_removed to the user concerned, whose
-- client can then open or close the room's channel (a removed member's open channel is the
-- realtime server's to close: see docs/chat.md).
create or replace function chat.broadcast_membership() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform chat.send_change('room:' || new.room_id, 'member_joined', tg_op, tg_table_name, to_jsonb(new), null);
    perform chat.send_change('user:' || new.user_id, 'membership_added', tg_op, tg_table_name, to_jsonb(new), null);
  elsif tg_op = 'UPDATE' then
    perform chat.send_change('room:' || new.room_id, 'member_updated', tg_op, tg_table_name, to_jsonb(new), to_jsonb(old));
    perform chat.send_change('user:' || new.user_id, 'membership_updated', tg_op, tg_table_name, to_jsonb(new), to_jsonb(old));
  else
    perform chat.send_change('room:' || old.room_id, 'member_left', tg_op, tg_table_name, null, to_jsonb(old));
    perform chat.send_change('user:' || old.user_id, 'membership_removed', tg_op, tg_table_name, null, to_jsonb(old));
  end if;
  return null;
end
$$;

create trigger room_members_broadcast after insert or update or delete on public.room_members
  for each row execute function chat.broadcast_membership();

-- rooms: room_updated when settings change (not the updated_at bump of each new message),
-- room_deleted.
create or replace function chat.broadcast_room() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    perform chat.send_change('room:' || new.id, 'room_updated', tg_op, tg_table_name, to_jsonb(new), to_jsonb(old));
  else
    perform chat.send_change('room:' || old.id, 'room_deleted', tg_op, tg_table_name, null, to_jsonb(old));
  end if;
  return null;
end
$$;

create trigger rooms_broadcast_update after update of name, description, type on public.rooms
  for each row when ((new.name, new.description, new.type) is distinct from (old.name, old.description, old.type))
  execute function chat.broadcast_room();
create trigger rooms_broadcast_delete after delete on public.rooms
  for each row execute function chat.broadcast_room();

-- notifications: notification_created, notification_updated (read), notification_deleted, to
-- the user's own topic (all of their devices stay in step).
create or replace function chat.broadcast_notification() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform chat.send_change('user:' || new.user_id, 'notification_created', tg_op, tg_table_name, to_jsonb(new), null);
  elsif tg_op = 'UPDATE' then
    perform chat.send_change('user:' || new.user_id, 'notification_updated', tg_op, tg_table_name, to_jsonb(new), to_jsonb(old));
  else
    perform chat.send_change('user:' || old.user_id, 'notification_deleted', tg_op, tg_table_name, null, to_jsonb(old));
  end if;
  return null;
end
$$;

create trigger notifications_broadcast after insert or update or delete on public.notifications
  for each row execute function chat.broadcast_notification();

revoke all on function chat.row_json(anyelement), chat.send_change(text, text, text, text, jsonb, jsonb),
  chat.broadcast_message(), chat.broadcast_reaction(), chat.broadcast_receipt(), chat.broadcast_membership(),
  chat.broadcast_room(), chat.broadcast_notification() from public;

-- Topic authorization ----------------------------------------------------------------------
-- room:<id>: members receive and send (broadcast: typing indicators; presence: who is online).
-- user:<id>: only that user receives; nobody but the database sends there.
create or replace function chat.topic_room(topic text) returns uuid
language sql immutable set search_path = '' as $$
  select case when topic like 'room:%' then chat.canonical_uuid(substr(topic, 6)) end
$$;
revoke all on function chat.topic_room(text) from public;
grant execute on function chat.topic_room(text) to authenticated, service_role;

create policy chat_room_receive on realtime.messages for select to authenticated
  using (extension in ('broadcast', 'presence') and chat.is_member(chat.topic_room(realtime.topic())));
create policy chat_room_send on realtime.messages for insert to authenticated
  with check (extension in ('broadcast', 'presence') and chat.is_member(chat.topic_room(realtime.topic())));
create policy chat_user_receive on realtime.messages for select to authenticated
  using (extension = 'broadcast' and realtime.topic() = 'user:' || (select auth.uid())::text);

-- postgres_changes: the tables are published too; RLS decides which subscribers see a change.
select realtime.enable('public.rooms');
select realtime.enable('public.room_members');
select realtime.enable('public.messages');
select realtime.enable('public.message_reactions');
select realtime.enable('public.read_receipts');
select realtime.enable('public.notifications');
select realtime.enable('public.user_profiles');
