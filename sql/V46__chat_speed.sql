-- Chat: plans that stay fast under RLS at a million messages (bench/chat, docs/benchmarks.md).
--
-- Under RLS, Postgres evaluates a policy's condition before any of the query's own conditions
-- that are not "leakproof", and only leakproof conditions may become index conditions ahead of
-- it. Three fixes follow from that.

-- 1. Search within the caller's rooms in the index itself: a GIN index over (room_id, search)
-- (btree_gin supplies GIN's uuid equality) finds the matches of each of the caller's rooms
-- without visiting the other rooms' matches in the table.
create extension if not exists btree_gin with schema extensions;
drop index if exists public.messages_search;
create index if not exists messages_room_search on public.messages using gin (room_id, search);

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

-- 3. The latest message only of rooms the caller is in: for a public room they have not joined,
-- RLS hides every message, and looking for the newest visible one would walk the whole room.
-- The membership test depends only on the room, so it runs once per room, before the scan.
create or replace view public.rooms_with_latest_message with (security_invoker = true) as
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
