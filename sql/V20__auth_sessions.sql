-- Auth: the rest of a GoTrue user, sessions, rotating refresh tokens, sign-in rate limits.
-- Only the gateway's admin login touches these tables (the auth service is the identity
-- service); the API roles get no privilege on any of them.
--
-- Profiles on sign-up: auth.users is the one place identity lives. A schema that keeps
-- per-user rows (profiles, settings) creates them with an AFTER INSERT trigger on auth.users.
-- The row a trigger sees is complete: sign-up inserts it in one statement with
-- raw_user_meta_data holding the `data` object of the signUp call (plus email_verified), and
-- the insert runs in the same transaction as the sign-up, so a failing trigger refuses the
-- sign-up (500 unexpected_failure "Database error saving new user"). For example:
--
--   create function public.handle_new_user() returns trigger
--   language plpgsql security definer set search_path = '' as $$
--   begin
--     insert into public.profiles (id, username)
--     values (new.id, new.raw_user_meta_data ->> 'username');
--     return new;
--   end $$;
--   create trigger on_auth_user_created after insert on auth.users
--     for each row execute function public.handle_new_user();

alter table auth.users add column if not exists phone text;
alter table auth.users add column if not exists phone_confirmed_at timestamptz;
alter table auth.users add column if not exists is_anonymous boolean not null default false;
alter table auth.users add column if not exists deleted_at timestamptz;
-- As GoTrue: the earlier of the two confirmations.
alter table auth.users add column if not exists confirmed_at timestamptz
  generated always as (least(email_confirmed_at, phone_confirmed_at)) stored;

-- One row per signed-in device. Deleting it (logout, reuse detection, user deletion) ends
-- the session: its refresh tokens go with it, and /auth/v1/user refuses its access tokens.
create table if not exists auth.sessions (
  id            uuid primary key default gen_random_uuid(),
  user_id       uuid not null references auth.users (id) on delete cascade,
  aal           text not null default 'aal1',
  amr_method    text not null default 'password',
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  refreshed_at  timestamptz,
  user_agent    text,
  ip            text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

-- Refresh tokens, stored only as SHA-256 hashes. Each use revokes the token and records its
-- child (parent_hash = the used token's hash); see RefreshTokens.java for reuse detection.
create table if not exists auth.refresh_tokens (
  id           bigserial primary key,
  token_hash   bytea not null unique,
  parent_hash  bytea,
  user_id      uuid not null references auth.users (id) on delete cascade,
  session_id   uuid not null references auth.sessions (id) on delete cascade,
  revoked      boolean not null default false,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index if not exists refresh_tokens_parent_hash_idx on auth.refresh_tokens (parent_hash);

-- Sign-in attempts per key ('email:...' or 'addr:...') in fixed windows. Shared by every
-- gateway on the database, so limits hold behind a load balancer. Unlogged: losing the
-- counters in a crash only forgives a few attempts.
create unlogged table if not exists auth.sign_in_attempts (
  key           text primary key,
  window_start  timestamptz not null,
  attempts      integer not null
);

revoke all on auth.sessions, auth.refresh_tokens, auth.sign_in_attempts from public, anon, authenticated, service_role;
revoke all on sequence auth.refresh_tokens_id_seq from public, anon, authenticated, service_role;

-- As Supabase: the caller's email from the token.
create or replace function auth.email() returns text
language sql stable as $$
  select nullif(auth.jwt() ->> 'email', '')
$$;
grant execute on function auth.email() to anon, authenticated, service_role;
