-- Realtime: the SQL side of /realtime/v1 (see docs/realtime.md).
--
-- Positions. Every event the gateway delivers from the database (a row change of a published
-- table, a realtime.send) gets a position: a bigint that increases in COMMIT order across the
-- whole database. Sequence values alone are not in commit order (a transaction can draw 5, a
-- later one 6 and commit first), so positions are drawn inside a serialized section at commit:
-- every capture trigger is a DEFERRABLE INITIALLY DEFERRED constraint trigger, so it runs while
-- the transaction commits, and it first takes one transaction-scoped advisory lock. That lock is
-- released only after the commit record is written and the transaction is visible, so the next
-- transaction that draws a position does so after every smaller position is committed and
-- visible: position order = commit order, and once the gateway has seen position P every
-- position <= P that will ever exist is committed. (Positions of transactions that abort after
-- drawing leave gaps, never reorderings.) The lock costs nothing extra: a committing transaction
-- that NOTIFYs already holds Postgres' global notify lock until its commit ends. A user who runs
-- SET CONSTRAINTS ALL IMMEDIATE only takes the lock earlier and holds it longer.
--
-- Retention. Each event is written to realtime.events (pruned by the gateway past its retention
-- window) and announced with pg_notify('parley_realtime', ...). The notification carries the
-- event itself when it fits comfortably under NOTIFY's 8000-byte limit and only a pointer
-- (position, "big": true) otherwise, so a row of any size never makes a user's statement fail:
-- the gateway reads the rest from realtime.events.

create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

create sequence if not exists realtime.position_seq as bigint;

create table if not exists realtime.events (
  position     bigint primary key,
  kind         text not null check (kind in ('change', 'broadcast')),
  -- change events
  schema_name  text,
  table_name   text,
  op           text,
  -- broadcast events
  topic        text,
  event        text,
  private      boolean,
  -- change: {"record": ..., "old_record": ...}; broadcast: the message payload
  payload      jsonb,
  committed_at timestamptz not null default clock_timestamp()
);
create index if not exists events_committed_at on realtime.events (committed_at);

-- Highest position removed by pruning: a resume from a position below it cannot be complete.
create table if not exists realtime.retention (
  id             int primary key default 1 check (id = 1),
  pruned_through bigint not null default 0
);
insert into realtime.retention (id) values (1) on conflict do nothing;

-- Supabase's messages table: the target of the RLS policies that authorize private topics
-- (select = may receive, insert = may send) and the store of realtime.send.
create table if not exists realtime.messages (
  id          uuid not null default gen_random_uuid(),
  topic       text not null,
  extension   text not null,
  payload     jsonb,
  event       text,
  private     boolean default false,
  updated_at  timestamp not null default now(),
  inserted_at timestamp not null default now(),
  primary key (id)
);
create index if not exists messages_inserted_at on realtime.messages (inserted_at);
alter table realtime.messages enable row level security;
grant select, insert on realtime.messages to anon, authenticated;
grant all on realtime.messages to service_role;

-- The topic being authorized (or sent to): what policies on realtime.messages compare against.
create or replace function realtime.topic() returns text
language sql stable as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- The commit-time serialized section: draws the next position (see the top of this file).
create or replace function realtime.next_position() returns bigint
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(7206021001);
  return nextval('realtime.position_seq');
end
$$;
revoke all on function realtime.next_position() from public;

-- Announces a stored event: inline when small, else a pointer the gateway resolves.
create or replace function realtime.announce(ev realtime.events) returns void
language plpgsql security definer set search_path = '' as $$
declare
  head jsonb := jsonb_build_object('p', ev.position::text, 'k', ev.kind,
      'ts', to_char(ev.committed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
  msg text;
begin
  if ev.kind = 'change' then
    head := head || jsonb_build_object('s', ev.schema_name, 't', ev.table_name, 'o', ev.op);
  else
    head := head || jsonb_build_object('tp', ev.topic, 'e', ev.event, 'pr', ev.private);
  end if;
  msg := (head || jsonb_build_object('d', ev.payload))::text;
  if octet_length(msg) > 7800 then
    msg := (head || jsonb_build_object('big', true))::text;
  end if;
  perform pg_notify('parley_realtime', msg);
end
$$;
revoke all on function realtime.announce(realtime.events) from public;

-- Capture trigger of published tables (attached by realtime.sync_publication).
create or replace function realtime.capture_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  ev realtime.events;
begin
  ev.position := realtime.next_position();
  ev.kind := 'change';
  ev.schema_name := tg_table_schema;
  ev.table_name := tg_table_name;
  ev.op := tg_op;
  ev.payload := jsonb_build_object(
      'record', case when tg_op <> 'DELETE' then to_jsonb(new) end,
      'old_record', case when tg_op <> 'INSERT' then to_jsonb(old) end);
  ev.committed_at := clock_timestamp();
  insert into realtime.events values (ev.*);
  perform realtime.announce(ev);
  return null;
end
$$;
revoke all on function realtime.capture_change() from public;

-- Capture trigger of realtime.messages: a committed broadcast message becomes an event.
create or replace function realtime.capture_message() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  ev realtime.events;
begin
  if new.extension <> 'broadcast' or new.event is null then
    return null;  -- authorization probes and foreign rows are not messages
  end if;
  ev.position := realtime.next_position();
  ev.kind := 'broadcast';
  ev.topic := new.topic;
  ev.event := new.event;
  ev.private := coalesce(new.private, false);
  ev.payload := new.payload;
  ev.committed_at := clock_timestamp();
  insert into realtime.events values (ev.*);
  perform realtime.announce(ev);
  return null;
end
$$;
revoke all on function realtime.capture_message() from public;

drop trigger if exists parley_realtime_messages on realtime.messages;
create constraint trigger parley_realtime_messages
  after insert on realtime.messages
  deferrable initially deferred
  for each row execute function realtime.capture_message();

-- Supabase's realtime.send: broadcasts payload as event to topic when the transaction commits.
-- Runs as the caller, so the INSERT policies on realtime.messages decide who may send where
-- (service_role and security-definer triggers bypass them). As in Supabase, a failure is a
-- WARNING, never an error of the caller's transaction.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void language plpgsql as $$
declare
  generated_id uuid := gen_random_uuid();
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id,
            case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(generated_id)) end,
            event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;
grant execute on function realtime.send(jsonb, text, text, boolean) to anon, authenticated, service_role;

-- Supabase's realtime.broadcast_changes, for row triggers: broadcasts the change to topic_name.
create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW')
returns void language plpgsql as $$
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'Unexpected operation type: %', operation;
  end if;
  perform realtime.send(
    jsonb_build_object('old_record', old, 'record', new, 'operation', operation,
                       'table', table_name, 'schema', table_schema),
    event_name, topic_name);
end
$$;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to anon, authenticated, service_role;

-- Publication: a table emits postgres_changes when it is in supabase_realtime.
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Attaches the capture trigger to every table of supabase_realtime and removes it from tables
-- that left; then tells gateways to reload their table cache.
create or replace function realtime.sync_publication() returns void
language plpgsql security definer set search_path = '' as $$
declare
  t record;
begin
  for t in
    select c.oid::regclass as rel
    from pg_publication_tables p
    join pg_namespace n on n.nspname = p.schemaname
    join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
    where p.pubname = 'supabase_realtime' and c.relkind = 'r' and n.nspname <> 'realtime'
      and not exists (select from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'parley_realtime_changes')
  loop
    execute format('create constraint trigger parley_realtime_changes after insert or update or delete on %s '
                   'deferrable initially deferred for each row execute function realtime.capture_change()', t.rel);
  end loop;
  for t in
    select g.tgrelid::regclass as rel
    from pg_trigger g
    join pg_class c on c.oid = g.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where g.tgname = 'parley_realtime_changes'
      and not exists (select from pg_publication_tables p
                      where p.pubname = 'supabase_realtime' and p.schemaname = n.nspname and p.tablename = c.relname)
  loop
    execute format('drop trigger parley_realtime_changes on %s', t.rel);
  end loop;
  perform pg_notify('parley_realtime_schema', 'reload');
end
$$;
revoke all on function realtime.sync_publication() from public;

-- psql users add tables with ALTER PUBLICATION; this keeps triggers in step without a restart.
create or replace function realtime.on_ddl() returns event_trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_tag in ('ALTER PUBLICATION', 'CREATE PUBLICATION', 'DROP PUBLICATION', 'CREATE TABLE', 'DROP TABLE') then
    perform realtime.sync_publication();
  else
    perform pg_notify('parley_realtime_schema', 'reload');
  end if;
end
$$;
revoke all on function realtime.on_ddl() from public;

drop event trigger if exists parley_realtime_ddl;
create event trigger parley_realtime_ddl on ddl_command_end
  when tag in ('ALTER PUBLICATION', 'CREATE PUBLICATION', 'DROP PUBLICATION', 'CREATE TABLE', 'DROP TABLE',
               'ALTER TABLE')
  execute function realtime.on_ddl();

-- Helpers: realtime.enable('public.messages') / realtime.disable(...).
create or replace function realtime.enable(tbl regclass) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select from pg_publication_rel r join pg_publication p on p.oid = r.prpubid
                 where p.pubname = 'supabase_realtime' and r.prrelid = tbl) then
    execute format('alter publication supabase_realtime add table %s', tbl);
  end if;
  perform realtime.sync_publication();
end
$$;

create or replace function realtime.disable(tbl regclass) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select from pg_publication_rel r join pg_publication p on p.oid = r.prpubid
             where p.pubname = 'supabase_realtime' and r.prrelid = tbl) then
    execute format('alter publication supabase_realtime drop table %s', tbl);
  end if;
  perform realtime.sync_publication();
end
$$;
revoke all on function realtime.enable(regclass), realtime.disable(regclass) from public;

-- Removes events and messages older than the retention window; returns pruned_through.
create or replace function realtime.prune(keep interval) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  gone bigint;
  through bigint;
begin
  with d as (delete from realtime.events where committed_at < clock_timestamp() - keep returning position)
  select max(position) into gone from d;
  delete from realtime.messages where inserted_at < (clock_timestamp() - keep)::timestamp;
  update realtime.retention set pruned_through = greatest(pruned_through, coalesce(gone, 0))
  returning pruned_through into through;
  return through;
end
$$;
revoke all on function realtime.prune(interval) from public;

-- Private topics. Runs on a request connection as service_role, inserts one probe message per
-- extension (bypassing RLS), then becomes the caller and reports which probes the caller's
-- SELECT policies show and whether the caller's INSERT policies admit a message. The gateway
-- rolls the transaction back, so probes never persist.
create or replace function realtime.authorize(topic text, caller_role text, claims text, sub text)
returns table (broadcast_read boolean, presence_read boolean, broadcast_write boolean, presence_write boolean)
language plpgsql as $$
declare
  b_id uuid := gen_random_uuid();
  p_id uuid := gen_random_uuid();
begin
  perform set_config('realtime.topic', topic, true);
  insert into realtime.messages (id, topic, extension, private) values
    (b_id, topic, 'broadcast', true), (p_id, topic, 'presence', true);
  perform set_config('role', caller_role, true),
          set_config('request.jwt.claims', claims, true),
          set_config('request.jwt.claim.sub', sub, true),
          set_config('request.jwt.claim.role', caller_role, true),
          set_config('app.user_id', sub, true);
  broadcast_read := exists (select from realtime.messages m where m.id = b_id);
  presence_read := exists (select from realtime.messages m where m.id = p_id);
  begin
    insert into realtime.messages (topic, extension, private) values (topic, 'broadcast', true);
    broadcast_write := true;
  exception when insufficient_privilege then
    broadcast_write := false;
  end;
  begin
    insert into realtime.messages (topic, extension, private) values (topic, 'presence', true);
    presence_write := true;
  exception when insufficient_privilege then
    presence_write := false;
  end;
  return next;
end
$$;
revoke all on function realtime.authorize(text, text, text, text) from public;
grant execute on function realtime.authorize(text, text, text, text) to service_role;

-- postgres_changes RLS: which subscriber groups may SELECT one row, in one round trip.
-- groups: [{"role": ..., "claims": "<claims json text>", "sub": ...}, ...]; key: the row's
-- primary key as a JSON object. Each group's check runs in its own subtransaction, so one
-- group's error (a policy that raises) is reported for that group only.
create or replace function realtime.visible_to(tbl regclass, key jsonb, groups jsonb)
returns table (idx int, visible boolean, error text)
language plpgsql as $$
declare
  g record;
  q text;
  cond text;
begin
  select string_agg(format('t.%1$I is not distinct from k.%1$I', a.attname), ' and ')
    into cond
  from pg_index i
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
  where i.indrelid = tbl and i.indisprimary;
  if cond is null then
    raise exception 'table % has no primary key', tbl using errcode = '55000';
  end if;
  q := format('select exists (select from %s t, jsonb_populate_record(null::%s, $1) k where %s)', tbl, tbl, cond);
  for g in select (e.ordinality - 1)::int as i, e.value as v from jsonb_array_elements(groups) with ordinality e loop
    idx := g.i;
    error := null;
    visible := false;
    begin
      perform set_config('role', g.v->>'role', true),
              set_config('request.jwt.claims', g.v->>'claims', true),
              set_config('request.jwt.claim.sub', coalesce(g.v->>'sub', ''), true),
              set_config('request.jwt.claim.role', g.v->>'role', true),
              set_config('app.user_id', coalesce(g.v->>'sub', ''), true);
      execute q into visible using key;
    exception when others then
      error := sqlstate || ': ' || sqlerrm;
    end;
    return next;
  end loop;
  perform set_config('role', 'none', true);
end
$$;
revoke all on function realtime.visible_to(regclass, jsonb, jsonb) from public;
grant execute on function realtime.visible_to(regclass, jsonb, jsonb) to authenticator;

-- Presence across nodes: every tracked presence, by node; a node's rows vanish with it.
create table if not exists realtime.nodes (
  node    text primary key,
  seen_at timestamptz not null default now()
);
create table if not exists realtime.presences (
  node  text not null,
  topic text not null,
  key   text not null,
  ref   text not null,
  meta  jsonb not null,
  primary key (node, ref)
);
create index if not exists presences_topic on realtime.presences (topic);
