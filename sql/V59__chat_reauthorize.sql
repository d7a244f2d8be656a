-- Chat: a member removed from a room loses the room's realtime channel at once (see docs/chat.md,
-- "Realtime").
--
-- Who may receive on room:<id> is decided by the policies of V44 (members of the room), which the
-- realtime server checks when a channel joins and on each new access token. These triggers call
-- realtime.reauthorize (V12) whenever a membership ends, so every gateway node checks again, at
-- once, the channels joined to room:<id> and closes those of users who are no longer members. A
-- kicked, banned or departing member stops receiving the room's events with the commit that
-- removed them, whether or not their client acts on membership_removed (on user:<id>).

create or replace function chat.reauthorize_room() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.reauthorize('room:' || old.room_id);
  return null;
end
$$;

-- leave_room, kick_member, ban_member, a room deleted with its members, an account deleted with
-- its memberships. (Postgres sends one notification per transaction for identical signals, so a
-- room deleted with 500 members is re-checked once.)
create trigger room_members_reauthorize after delete on public.room_members
  for each row execute function chat.reauthorize_room();

-- A membership moved to another room or user (only service_role can, over REST or psql) ends
-- the old one as far as the old room is concerned.
create trigger room_members_reauthorize_move after update of room_id, user_id on public.room_members
  for each row when (old.room_id is distinct from new.room_id or old.user_id is distinct from new.user_id)
  execute function chat.reauthorize_room();

-- A ban ends the membership, however the ban is written: ban_member removes the membership
-- itself; a ban inserted directly (service_role over REST, psql) removes it here, which
-- broadcasts member_left and re-checks the room's channels exactly as a kick does. The room is
-- re-checked in any case, so a ban never depends on the membership trigger alone.
create or replace function chat.enforce_ban() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  delete from public.room_members m where m.room_id = new.room_id and m.user_id = new.user_id;
  perform realtime.reauthorize('room:' || new.room_id);
  return null;
end
$$;

create trigger room_bans_enforce after insert on public.room_bans
  for each row execute function chat.enforce_ban();

revoke all on function chat.reauthorize_room(), chat.enforce_ban() from public;
