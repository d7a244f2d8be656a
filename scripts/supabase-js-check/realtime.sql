-- Tables and policies realtime.mjs uses. Applied by run.sh with psql as the superuser.
create table rt_notes (id serial primary key, owner uuid not null default auth.uid(), room int not null, body text);
alter table rt_notes enable row level security;
create policy own_rt_notes on rt_notes for all to authenticated using (owner = auth.uid()) with check (owner = auth.uid());
select realtime.enable('rt_notes');

-- private channels: members of a topic may receive and send on it
create table rt_members (topic text not null, user_id uuid not null, primary key (topic, user_id));
create policy rt_members_read on realtime.messages for select to authenticated
  using (exists (select 1 from public.rt_members m where m.topic = realtime.topic() and m.user_id = auth.uid()));
create policy rt_members_write on realtime.messages for insert to authenticated
  with check (exists (select 1 from public.rt_members m where m.topic = realtime.topic() and m.user_id = auth.uid()));
