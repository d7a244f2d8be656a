-- Realtime, part 2 (see docs/realtime.md): what the Java side of /realtime/v1 needs beyond V10.
--
-- Request connections log in as authenticator, which runs realtime.visible_to (the batched RLS
-- check of postgres_changes) before it becomes each subscriber's role.
grant usage on schema realtime to authenticator;

-- The cross-node bus of client broadcasts and presence diffs: every gateway LISTENs on
-- parley_bus (its own messages included, so every node delivers in the same order). A message
-- too large for NOTIFY's 8000-byte limit is stored here and announced by id; gateways prune
-- rows older than a minute.
create unlogged table if not exists realtime.bus_messages (
  id         bigserial primary key,
  body       text not null,
  created_at timestamptz not null default now()
);

create or replace function realtime.bus_send(body text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  stored bigint;
begin
  if octet_length(body) <= 7800 then
    perform pg_notify('parley_bus', body);
  else
    insert into realtime.bus_messages (body) values (body) returning id into stored;
    perform pg_notify('parley_bus', json_build_object('big', stored::text)::text);
  end if;
end
$$;
revoke all on function realtime.bus_send(text) from public;

-- Presence rows say whether their topic is private: a private and a public channel of the same
-- name are different topics.
alter table realtime.presences add column if not exists private boolean not null default false;
