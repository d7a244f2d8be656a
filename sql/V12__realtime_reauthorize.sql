-- Realtime, part 3 (see docs/realtime.md, "Revoking access"): re-checking private channels that
-- are already joined.
--
-- A private topic is authorized at join and on each new access_token. When the data its policies
-- read changes (a member is removed from a room), realtime.reauthorize(topic) tells every
-- gateway node to check again, at once, every private channel joined to that topic, and to close
-- those the policies no longer admit.

-- Signals every node (the cross-node bus of V11, so a node receives it in commit order with the
-- events around it). Nothing is sent unless the caller's transaction commits, and Postgres folds
-- identical notifications of one transaction into one (a room deleted with its 500 members
-- signals once). Callable by any role: a re-check can only close channels that the policies no
-- longer admit, and a node runs at most one check per topic at a time (later signals coalesce),
-- so a caller gains nothing and costs little. Topics longer than a join accepts cannot be joined,
-- so they need no signal.
create or replace function realtime.reauthorize(topic text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if topic is null or octet_length('realtime:' || topic) > 255 then
    return;
  end if;
  perform realtime.bus_send(json_build_object('k', 'r', 't', topic)::text);
end
$$;
revoke all on function realtime.reauthorize(text) from public;
grant execute on function realtime.reauthorize(text) to anon, authenticated, service_role;

-- The re-check: realtime.authorize (the very function a join runs) for each claims group of the
-- channels joined to topic, in one round trip. groups: [{"role", "claims", "sub"}, ...]. Each
-- group runs in its own subtransaction, starting as service_role (which realtime.authorize needs
-- to insert its probes; the session user, authenticator, may become it), so one group's error (a
-- policy that raises) is that group's only. The gateway rolls the transaction back.
create or replace function realtime.authorize_groups(topic text, groups jsonb)
returns table (idx int, broadcast_read boolean, presence_read boolean, broadcast_write boolean,
               presence_write boolean, error text)
language plpgsql as $$
declare
  g record;
  a record;
begin
  for g in select (e.ordinality - 1)::int as i, e.value as v from jsonb_array_elements(groups) with ordinality e loop
    idx := g.i;
    error := null;
    broadcast_read := false;
    presence_read := false;
    broadcast_write := false;
    presence_write := false;
    begin
      perform set_config('role', 'service_role', true);
      select * into a from realtime.authorize(topic, g.v->>'role', g.v->>'claims', coalesce(g.v->>'sub', ''));
      broadcast_read := a.broadcast_read;
      presence_read := a.presence_read;
      broadcast_write := a.broadcast_write;
      presence_write := a.presence_write;
    exception when others then
      error := sqlstate || ': ' || sqlerrm;
    end;
    return next;
  end loop;
  perform set_config('role', 'none', true);
end
$$;
revoke all on function realtime.authorize_groups(text, jsonb) from public;
grant execute on function realtime.authorize_groups(text, jsonb) to service_role;
