-- Embedding a user's profile: the original chat reads messages with
--   messages?select=*,user:user_profiles(*),reactions:message_reactions(*)
-- which needs a foreign key from the user columns to user_profiles (auth.users is not in an
-- exposed schema, so its keys do not make relationships). Every user has a profile (the
-- trigger of V43 creates it on sign-up), so these keys never refuse a legitimate row.
alter table public.room_members
  add constraint room_members_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
alter table public.messages
  add constraint messages_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
alter table public.message_reactions
  add constraint message_reactions_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
alter table public.read_receipts
  add constraint read_receipts_user_profile_fkey foreign key (user_id) references public.user_profiles (id) on delete cascade;
