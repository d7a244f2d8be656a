-- realtime.visible_to compared the row's key with `is not distinct from`, which Postgres cannot
-- answer from the primary key index: every check read the whole table and ran its policies on
-- each row (672 ms per subscriber group on 100,000 rows, so postgres_changes under RLS delivered
-- nothing in the benchmark). Primary key columns are never null, so `=` is exact and uses the
-- index (0.6 ms). Same function otherwise; V10 has landed and stays as it was.
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
  select string_agg(format('t.%1$I = k.%1$I', a.attname), ' and ')
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
