-- Chat benchmark data: 2,000 users, 1,000 rooms (900 public, 100 private), each user a member
-- of 50 rooms (100 members per room), 1,000,000 messages (1,000 per room, interleaved in time
-- across rooms as a live chat writes them), 8 words each from a 4,000-word vocabulary with a
-- skewed (Zipf-like) frequency. Loaded with triggers off (session_replication_role = replica):
-- this measures reads, not the insert path. Deterministic ids: user i is
-- 00000000-0000-0000-0000-<i in hex, 12 digits>, room r is 00000000-0000-0000-0001-<r in hex>.
\set ON_ERROR_STOP 1
set session_replication_role = replica;
set maintenance_work_mem = '256MB';

-- Word number n (0..3999, small n frequent) spelled from three syllables: 4,000 distinct words.
create function pg_temp.word(n int) returns text language sql immutable as $$
  select (array['ba','ko','ri','tu','me','sa','ni','lo','de','ga','pi','fu','ze','ha','mo','vi','ku','re','ta','no'])[n % 20 + 1]
      || (array['ran','mel','tos','dix','pur','gan','lev','sor','kin','bal','ter','mon','vas','lut','nem','cor','fin','dal','rop','sen'])[(n / 20) % 20 + 1]
      || (array['a','o','e','i','u','ax','or','en','is','um'])[n / 400 + 1]
$$;

insert into auth.users (id, email)
select ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, 'user' || i || '@bench.example.com'
from generate_series(1, 2000) i;
insert into public.user_profiles (id, username)
select ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, 'user' || i
from generate_series(1, 2000) i;

insert into public.rooms (id, name, type, created_by, created_at, updated_at)
select ('00000000-0000-0000-0001-' || lpad(to_hex(r), 12, '0'))::uuid, 'room ' || r,
       case when r % 10 = 0 then 'private' else 'public' end,
       '00000000-0000-0000-0000-000000000001', timestamptz '2025-12-01', timestamptz '2025-12-01'
from generate_series(1, 1000) r;

-- user i is in rooms ((i * 7 + k * 20) mod 1000) + 1 for k = 0..49: 50 distinct rooms each.
insert into public.room_members (room_id, user_id, role, joined_at)
select ('00000000-0000-0000-0001-' || lpad(to_hex(((i * 7 + k * 20) % 1000) + 1), 12, '0'))::uuid,
       ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid,
       case when k = 0 then 'admin' else 'member' end, timestamptz '2025-12-01'
from generate_series(1, 2000) i, generate_series(0, 49) k;

insert into public.messages (room_id, user_id, content, created_at, updated_at)
select ('00000000-0000-0000-0001-' || lpad(to_hex((g % 1000) + 1), 12, '0'))::uuid,
       ('00000000-0000-0000-0000-' || lpad(to_hex((g::bigint * 7919) % 2000 + 1), 12, '0'))::uuid,
       (select string_agg(pg_temp.word(floor(power(random(), 2) * 4000)::int), ' ')
          from generate_series(1, 8) w where g > 0),
       timestamptz '2026-01-01' + g * interval '30 seconds',
       timestamptz '2026-01-01' + g * interval '30 seconds'
from generate_series(1, 1000000) g;

reset session_replication_role;
vacuum analyze;
