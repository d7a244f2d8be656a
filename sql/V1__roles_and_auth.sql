-- Parley's base: the request roles, the auth schema's core and its SQL helpers.
-- Plain SQL, idempotent where a role is concerned (roles are cluster-wide, and several
-- databases of one cluster may each run these migrations), appliable with psql as it is.

create schema if not exists parley;
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;

-- Roles -----------------------------------------------------------------------------------
-- anon: requests without a token. authenticated: signed-in users. service_role: trusted
-- servers, bypasses RLS. authenticator: the login of request connections; NOINHERIT, so it
-- has no privileges until a request switches to one of the three roles.
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

-- Tables made in public (also later with psql) are reachable by the API roles; RLS decides
-- which rows, as in Supabase.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant execute on functions to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role;

-- Sets the password request connections log in with (see docs/configuration.md). Run by the
-- gateway at start with its admin login; never exposed to the API roles.
create or replace function parley.set_authenticator_password(password text) returns void
language plpgsql as $$
begin
  execute format('alter role authenticator with login password %L', password);
end
$$;
revoke all on function parley.set_authenticator_password(text) from public;

-- auth: where identity lives -------------------------------------------------------------
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id                  uuid primary key default gen_random_uuid(),
  aud                 text not null default 'authenticated',
  role                text not null default 'authenticated',
  email               text,
  encrypted_password  text,
  email_confirmed_at  timestamptz,
  last_sign_in_at     timestamptz,
  raw_app_meta_data   jsonb not null default '{}'::jsonb,
  raw_user_meta_data  jsonb not null default '{}'::jsonb,
  banned_until        timestamptz,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
-- Emails are unique regardless of case.
create unique index if not exists users_email_lower_key on auth.users (lower(email));

-- The caller's identity inside SQL, from the settings the gateway makes per request.
create or replace function auth.uid() returns uuid
language sql stable as $$
  select nullif(
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
    ), '')::uuid
$$;

create or replace function auth.role() returns text
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
  )
$$;

create or replace function auth.jwt() returns jsonb
language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
