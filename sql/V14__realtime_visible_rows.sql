-- postgres_changes RLS, batched: which of many rows of one table each of many subscriber groups
-- may SELECT, in one call (one round trip for a whole batch of change events).
--
-- realtime.visible_to (V10, V13) checked one row per call, and per group planned a dynamic
-- query and opened a subtransaction: with 1,000 distinct users that was 1,000 plannings and
-- 1,000 subtransactions per event. Here, per call:
--   * the check is one statement per table, PREPAREd once per connection (prepared statements
--     outlive the caller's rolled-back transaction) and run with a generic plan, so no group
--     plans anything. RLS stays exact: a generic plan keeps the policies' quals and evaluates
--     them at execution, with the claims set for the group then (auth.uid(), current_setting
--     are never folded into a plan), and Postgres re-plans a statement whose plan was made
--     under RLS for another role. Groups come ordered by role so that happens rarely.
--   * each group's check is one execution that looks up all the group's keys at once and returns
--     the ordinals of the visible ones. For a single-column key that is one index scan
--     (t.key = any(keys)) whose keys are mapped back to the ordinals that asked for them (a row
--     that changed twice in a batch answers both); a group that asks about every key of the call
--     (no filter narrowed it: the usual case) runs a second statement that takes the keys as
--     they are. A composite key is joined row by row: Postgres does not use a row comparison
--     (a, b) = any(array of rows) as an index condition.
--   * one subtransaction for the whole loop; if anything raises (a policy that errors for one
--     user, a role without the SELECT privilege), the call is redone with one subtransaction
--     per group, so the error is reported for the failing groups only.
--
-- tbl: the table. keys: JSON array of the rows' primary keys as objects ({"id": 5}); a key's
-- ordinal is its position in the array, from 1. groups: JSON array of
-- {"role", "claims" (the claims JSON as text), "sub", "keys" (the ordinals to check, as an
-- int[] literal such as "{1,2,5}")}; role, claims and sub are set exactly as
-- db/RequestTransactions sets them for requests. Returns one row per group: grp (its index in
-- groups, from 0), and either visible (the ordinals it may see) or error (sqlstate: message).
-- Run it on a request connection (logged in as authenticator) inside a transaction that the
-- caller rolls back.
-- realtime.visible_to (V10, V13), the per-row check this replaces, is no longer called: dropped.
drop function if exists realtime.visible_to(regclass, jsonb, jsonb);

create or replace function realtime.visible_rows(tbl regclass, keys jsonb, groups jsonb)
returns table (grp int, visible int[], error text)
language plpgsql
-- without it the prepared statement would be planned anew for a group whenever the planner
-- guessed a custom plan cheaper (it does with few keys): planning per group is what this avoids
set plan_cache_mode = force_generic_plan
as $$
declare
  cols text[];
  types text[];
  stmt text;
  stmt_name text;
  stmt_all text;
  all_name text;
  all_ordinals text;
  run_all text;
  prepared boolean;
  key_args text := '';
  lit text;
  n int := jsonb_array_length(groups);
  shown text[] := array_fill(null::text, array[n]);
  errors text[] := array_fill(null::text, array[n]);
  g jsonb;
  v int[];
  i int;
  failed boolean := false;
begin
  select array_agg(a.attname::text order by k.o), array_agg(format_type(a.atttypid, a.atttypmod) order by k.o)
    into cols, types
  from pg_index x
  cross join lateral unnest(x.indkey) with ordinality k(attnum, o)
  join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
  where x.indrelid = tbl and x.indisprimary;
  if cols is null then
    raise exception 'table % has no primary key', tbl using errcode = '55000';
  end if;
  -- $1: the ordinals to check; $2..: one array per primary key column, indexed by ordinal
  if cardinality(cols) = 1 then
    -- one index scan for all the group's keys (t.key = any(keys)); each ordinal whose key came
    -- back is visible. The IN stays a hashed subplan (coalesce keeps it from becoming a join,
    -- which a generic plan could run as one index probe per key): the visible keys are hashed
    -- once, every ordinal is one probe, and an ordinal whose key is also another's (a row that
    -- changed twice in the batch) gets the same answer.
    stmt := format('select coalesce(array_agg(o order by o), ''{}'') from unnest($1::int[]) o '
                   'where coalesce(($2::%2$s[])[o] in (select t.%1$I from %3$s t '
                   'where t.%1$I = any (array(select ($2::%2$s[])[i] from unnest($1::int[]) i))), false)',
                   cols[1], types[1], tbl);
    -- the same for a group that asks about every key of the call (no filter narrowed it: the
    -- usual case), without the ordinals: its keys are $1 as they are
    stmt_all := format('select coalesce(array_agg(k.o::int order by k.o), ''{}'') '
                       'from unnest($1::%2$s[]) with ordinality k(pk, o) '
                       'where coalesce(k.pk in (select t.%1$I from %3$s t where t.%1$I = any ($1)), false)',
                       cols[1], types[1], tbl);
  else
    -- a composite key: each key joined to the table row by row (one index probe per key)
    stmt := format('select coalesce(array_agg(o order by o), ''{}'') from unnest($1::int[]) o join %s t on %s', tbl,
                   (select string_agg(format('t.%I = ($%s::%s[])[o]', cols[j], j + 1, types[j]), ' and ')
                    from generate_subscripts(cols, 1) j));
  end if;
  -- named after its text: a table whose key changed gets a new statement
  stmt_name := 'parley_rls_' || md5(stmt);
  all_name := 'parley_rls_' || md5(stmt_all);
  prepared := exists (select from pg_prepared_statements p where p.name = stmt_name)
              and (stmt_all is null or exists (select from pg_prepared_statements p where p.name = all_name));
  for j in 1 .. cardinality(cols) loop
    execute format('select array_agg((jsonb_populate_record(null::%s, k)).%I order by o)::text '
                   'from jsonb_array_elements($1) with ordinality e(k, o)', tbl, cols[j])
      into lit using keys;
    key_args := key_args || ', ' || quote_literal(lit);
  end loop;
  all_ordinals := (select array_agg(o)::text from generate_series(1, jsonb_array_length(keys)) o);
  if stmt_all is not null then
    run_all := format('execute %I(%s)', all_name, substr(key_args, 3));
  end if;

  begin
    for i in 0 .. n - 1 loop
      g := groups -> i;
      if current_user::text is distinct from g ->> 'role' then
        perform set_config('role', g ->> 'role', true);
      end if;
      perform set_config('request.jwt.claims', g ->> 'claims', true),
              set_config('request.jwt.claim.sub', coalesce(g ->> 'sub', ''), true),
              set_config('request.jwt.claim.role', g ->> 'role', true),
              set_config('app.user_id', coalesce(g ->> 'sub', ''), true);
      if not prepared then
        -- as the group's role: authenticator itself may lack USAGE on the table's schema
        if not exists (select from pg_prepared_statements p where p.name = stmt_name) then
          execute format('prepare %I as %s', stmt_name, stmt);
        end if;
        if stmt_all is not null and not exists (select from pg_prepared_statements p where p.name = all_name) then
          execute format('prepare %I as %s', all_name, stmt_all);
        end if;
        prepared := true;
      end if;
      if stmt_all is not null and g ->> 'keys' = all_ordinals then
        execute run_all into v;
      else
        execute format('execute %I(%L%s)', stmt_name, g ->> 'keys', key_args) into v;
      end if;
      shown[i + 1] := v::text;
    end loop;
  exception when others then
    failed := true;
  end;

  if failed then
    for i in 0 .. n - 1 loop
      g := groups -> i;
      shown[i + 1] := null;
      begin
        -- inside the subtransaction, whose end undoes these settings
        perform set_config('role', g ->> 'role', true),
                set_config('request.jwt.claims', g ->> 'claims', true),
                set_config('request.jwt.claim.sub', coalesce(g ->> 'sub', ''), true),
                set_config('request.jwt.claim.role', g ->> 'role', true),
                set_config('app.user_id', coalesce(g ->> 'sub', ''), true);
        if not prepared then
          if not exists (select from pg_prepared_statements p where p.name = stmt_name) then
            execute format('prepare %I as %s', stmt_name, stmt);
          end if;
          if stmt_all is not null and not exists (select from pg_prepared_statements p where p.name = all_name) then
            execute format('prepare %I as %s', all_name, stmt_all);
          end if;
          prepared := true;
        end if;
        if stmt_all is not null and g ->> 'keys' = all_ordinals then
          execute run_all into v;
        else
          execute format('execute %I(%L%s)', stmt_name, g ->> 'keys', key_args) into v;
        end if;
        shown[i + 1] := v::text;
      exception when others then
        errors[i + 1] := sqlstate || ': ' || sqlerrm;
      end;
    end loop;
  end if;
  perform set_config('role', 'none', true);
  return query select (u.o - 1)::int, u.s::int[], u.e from unnest(shown, errors) with ordinality u(s, e, o);
end
$$;
revoke all on function realtime.visible_rows(regclass, jsonb, jsonb) from public;
grant execute on function realtime.visible_rows(regclass, jsonb, jsonb) to authenticator;
