-- Chat: the tables, views and indexes of Parley's reference chat (see docs/chat.md).
-- Names and columns are those of the original chat design, completed: soft deletion and
-- edit times on messages, room bans, notifications, a search vector. Everything a client
-- may do goes through RLS (V41) or the functions of V42; nothing here trusts the caller.
--
-- Plain SQL: psql -v ON_ERROR_STOP=1 -f V40__chat_tables.sql ... applies it as it is.

-- Internal helpers (membership checks, triggers) live in schema chat, which the REST API does
-- not expose; the API roles may only execute what policies need.
create schema if not exists chat;
grant usage on schema chat to anon, authenticated, service_role;

-- Profiles --------------------------------------------------------------------------------
create table public.user_profiles (
  id              uuid primary key references auth.users (id) on delete cascade,
  -- Letters, digits and underscores, so that "@username" in a message is unambiguous.
  -- Unique regardless of case (index below).
  username        text not null check (username ~ '^[A-Za-z0-9_]{2,32}$'),
  display_name    text check (length(display_name) <= 100),
  avatar_url      text check (length(avatar_url) <= 2000),
  status          text not null default 'offline' check (status in ('online', 'away', 'busy', 'offline')),
  status_message  text check (length(status_message) <= 200),
  last_seen       timestamptz not null default now(),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create unique index user_profiles_username_key on public.user_profiles (lower(username));

-- Rooms -----------------------------------------------------------------------------------
create table public.rooms (
  id           uuid primary key default gen_random_uuid(),
  name         text not null check (length(btrim(name)) between 1 and 100),
  description  text check (length(description) <= 1000),
  type         text not null default 'public' check (type in ('public', 'private', 'direct')),
  -- Null once the creator's account is deleted (the room outlives its creator).
  created_by   uuid default auth.uid() references auth.users (id) on delete set null,
  -- Direct rooms only: the two users' ids, smaller first, so one pair has one room.
  direct_key   text unique,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  check ((type = 'direct') = (direct_key is not null))
);
create index rooms_type on public.rooms (type);

create table public.room_members (
  room_id    uuid not null references public.rooms (id) on delete cascade,
  user_id    uuid not null references auth.users (id) on delete cascade,
  role       text not null default 'member' check (role in ('admin', 'moderator', 'member')),
  joined_at  timestamptz not null default now(),
  primary key (room_id, user_id)
);
-- "My rooms": every membership check starts here.
create index room_members_user on public.room_members (user_id, room_id) include (role);

create table public.room_bans (
  room_id     uuid not null references public.rooms (id) on delete cascade,
  user_id     uuid not null references auth.users (id) on delete cascade,
  banned_by   uuid references auth.users (id) on delete set null,
  reason      text check (length(reason) <= 500),
  created_at  timestamptz not null default now(),
  primary key (room_id, user_id)
);

-- Messages --------------------------------------------------------------------------------
create table public.messages (
  id          uuid primary key default gen_random_uuid(),
  room_id     uuid not null references public.rooms (id) on delete cascade,
  user_id     uuid not null default auth.uid() references auth.users (id) on delete cascade,
  content     text not null check (length(content) <= 10000),
  type        text not null default 'text' check (type in ('text', 'image', 'file', 'system')),
  file_url    text check (length(file_url) <= 2000),
  file_name   text check (length(file_name) <= 255),
  file_size   integer check (file_size >= 0),
  edited      boolean not null default false,
  edited_at   timestamptz,
  -- Threads are one level deep: parent_id names a top-level message of the same room.
  parent_id   uuid references public.messages (id) on delete cascade,
  -- Soft deletion: the row stays as a tombstone (threads and read positions keep their
  -- anchor), its content and file are blanked.
  deleted_at  timestamptz,
  deleted_by  uuid references auth.users (id) on delete set null,
  -- clock_timestamp, not now(): two messages of one transaction keep their order.
  created_at  timestamptz not null default clock_timestamp(),
  updated_at  timestamptz not null default clock_timestamp(),
  search      tsvector generated always as (to_tsvector('english'::regconfig, content)) stored
);
-- History pages, unread counts, the latest message: keyset over (created_at, id) in a room.
-- user_id and deleted_at are included so unread counts are index-only scans.
create index messages_room_history on public.messages (room_id, created_at, id) include (user_id, deleted_at);
create index messages_thread on public.messages (parent_id, created_at, id) where parent_id is not null;
create index messages_search on public.messages using gin (search);
create index messages_user on public.messages (user_id);

create table public.message_reactions (
  message_id  uuid not null references public.messages (id) on delete cascade,
  user_id     uuid not null default auth.uid() references auth.users (id) on delete cascade,
  emoji       text not null check (length(emoji) between 1 and 32),
  -- Copied from the message by a trigger: RLS and realtime filters need the room.
  room_id     uuid not null references public.rooms (id) on delete cascade,
  created_at  timestamptz not null default now(),
  primary key (message_id, user_id, emoji)
);
create index message_reactions_user on public.message_reactions (user_id);

-- last_read_at is the read watermark: the created_at of last_read_message_id, so a message is
-- unread when (created_at, id) > (last_read_at, last_read_message_id).
create table public.read_receipts (
  room_id               uuid not null references public.rooms (id) on delete cascade,
  user_id               uuid not null references auth.users (id) on delete cascade,
  last_read_message_id  uuid references public.messages (id) on delete set null,
  last_read_at          timestamptz not null default '-infinity',
  primary key (room_id, user_id)
);

-- Notifications: one per user and message at most (a mention that is also a reply is one
-- notification, of the first kind that applies: mention, reply, direct_message).
create table public.notifications (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references auth.users (id) on delete cascade,
  type        text not null check (type in ('mention', 'reply', 'direct_message')),
  room_id     uuid not null references public.rooms (id) on delete cascade,
  message_id  uuid not null references public.messages (id) on delete cascade,
  actor_id    uuid references auth.users (id) on delete set null,
  created_at  timestamptz not null default now(),
  read_at     timestamptz,
  unique (user_id, message_id)
);
create index notifications_user on public.notifications (user_id, created_at desc);
create index notifications_unread on public.notifications (user_id) where read_at is null;
create index notifications_message on public.notifications (message_id);

-- Privileges. anon gets nothing (the default privileges of V1 granted it all): every chat
-- table needs a signed-in user. authenticated gets exactly the columns clients may write; the
-- rest changes only through the functions of V42 and the triggers of V43.
revoke all on public.user_profiles, public.rooms, public.room_members, public.room_bans, public.messages,
  public.message_reactions, public.read_receipts, public.notifications from anon, authenticated, public;
grant select on public.user_profiles, public.rooms, public.room_members, public.room_bans, public.messages,
  public.message_reactions, public.read_receipts, public.notifications to authenticated;
grant update (username, display_name, avatar_url, status, status_message, last_seen) on public.user_profiles to authenticated;
grant update (name, description, type) on public.rooms to authenticated;
grant delete on public.rooms to authenticated;
grant insert (id, room_id, user_id, content, type, file_url, file_name, file_size, parent_id) on public.messages to authenticated;
-- "edited" is accepted for the original app's update({content, edited: true}); a trigger sets it.
grant update (content, edited) on public.messages to authenticated;
grant delete on public.messages to authenticated;
grant insert (message_id, user_id, emoji) on public.message_reactions to authenticated;
grant delete on public.message_reactions to authenticated;
grant update (read_at) on public.notifications to authenticated;
grant delete on public.notifications to authenticated;
grant all on public.user_profiles, public.rooms, public.room_members, public.room_bans, public.messages,
  public.message_reactions, public.read_receipts, public.notifications to service_role;

alter table public.user_profiles enable row level security;
alter table public.rooms enable row level security;
alter table public.room_members enable row level security;
alter table public.room_bans enable row level security;
alter table public.messages enable row level security;
alter table public.message_reactions enable row level security;
alter table public.read_receipts enable row level security;
alter table public.notifications enable row level security;
