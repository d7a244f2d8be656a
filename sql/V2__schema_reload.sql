-- The REST API's schema cache reloads without a restart: any DDL (made by a migration, by psql,
-- by anything) sends NOTIFY pgrst, 'reload schema', the same message PostgREST listens for, so
-- `NOTIFY pgrst, 'reload schema'` by hand works too.
-- Event triggers need a superuser. With an external database whose migration login is not one,
-- the triggers are skipped with a notice and a deployment reloads by sending the NOTIFY itself
-- (docs/rest.md).

create or replace function parley.notify_schema_reload() returns event_trigger
language plpgsql as $$
begin
  perform pg_notify('pgrst', 'reload schema');
end
$$;

do $$
begin
  drop event trigger if exists parley_schema_reload_on_ddl;
  create event trigger parley_schema_reload_on_ddl on ddl_command_end
    execute function parley.notify_schema_reload();
  drop event trigger if exists parley_schema_reload_on_drop;
  create event trigger parley_schema_reload_on_drop on sql_drop
    execute function parley.notify_schema_reload();
exception when insufficient_privilege then
  raise notice 'event triggers not created (needs a superuser): send NOTIFY pgrst, ''reload schema'' after DDL';
end
$$;
