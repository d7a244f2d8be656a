-- Embedding a user's profile: the original chat reads messages with
--   messages?select=*,user:user_profiles(*),reactions:message_reactions(*)
-- which needs a foreign key from the user columns to user_profiles (auth.users is not in an
-- exposed schema, so its keys do not make relationships). Every user has a profile (the
-- trigger of V43 creates it on sign-up), so these keys never refuse a legitimate row.
-- message_reactions and read_receipts keep referencing auth.users only: their primary keys
-- hold the user, so a key to user_profiles would make them many-to-many junctions and the
-- embed above ambiguous (PGRST201), exactly as PostgREST would decide.
alter table public.room_members
  add constraint room_members_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
alter table public.messages
  add constraint messages_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
