-- Chat: plans that stay fast under RLS at a million messages (bench/chat, docs/benchmarks.md).
--
-- Under RLS, Postgres evaluates a policy's condition before any of the query's own conditions
-- that are not "leakproof", and only leakproof conditions may become index conditions ahead of
-- it. Two fixes follow from that (a third, the latest message only of rooms the caller is in,
-- is in rooms_with_latest_message itself, V41).

-- 1. Search within the caller's rooms in the index itself: a GIN index over (room_id, search)
-- (btree_gin supplies GIN's uuid equality) finds the matches of each of the caller's rooms
-- without visiting the other rooms' matches in the table. search_messages (V42) gives the
-- caller's rooms to it as "room_id = any (rooms)".
create extension if not exists btree_gin with schema extensions;
drop index if exists public.messages_search;
create index if not exists messages_room_search on public.messages using gin (room_id, search);

-- 2. Unread counts: the watermark comparison must be an index condition. COALESCE is not
-- leakproof (it would run after the policy, on every message of the room); CASE and IS NULL are.
create or replace view public.unread_counts with (security_invoker = true) as
select rm.room_id,
       rm.user_id,
       (select count(*)
          from public.messages m
         where m.room_id = rm.room_id
           and (m.created_at, m.id) >
               (case when rr.last_read_at is null then '-infinity'::timestamptz else rr.last_read_at end,
                case when rr.last_read_message_id is null then '00000000-0000-0000-0000-000000000000'::uuid
                     else rr.last_read_message_id end)
           and m.user_id <> rm.user_id
           and m.deleted_at is null) as unread_count
from public.room_members rm
left join public.read_receipts rr on rr.room_id = rm.room_id and rr.user_id = rm.user_id
where rm.user_id = (select auth.uid());
