-- Tables and functions rest.mjs reads and writes. Applied by run.sh with psql as the superuser;
-- the gateway's schema cache reloads after this DDL without a restart.
create table authors (id int primary key, name text not null, meta jsonb);
create table books (
  id int primary key, title text not null, pages int, price numeric, released date,
  author_id int references authors, editor_id int references authors,
  tags text[], during int4range, summary text);
create table items (id serial primary key, code text unique not null, name text, qty int default 7);
create table notes (id serial primary key, owner uuid not null default auth.uid(), body text not null);
alter table notes enable row level security;
create policy own_notes on notes for all to authenticated using (owner = auth.uid()) with check (owner = auth.uid());

insert into authors values (1, 'Ann', '{"lang": "en", "age": 55}'), (2, 'Bob', '{"lang": "fr"}'), (3, 'Cy', null);
insert into books values
  (1, 'Alpha', 120, 9.5, '2001-01-01', 1, 2, '{x,y}', '[1,5)', 'quick brown dogs jump'),
  (2, 'Beta', 300, 20, '2005-06-01', 1, null, '{y}', '[5,10)', 'a lazy cat sleeps'),
  (3, 'Gamma', null, 5, '2010-01-01', 2, 1, '{}', '[10,20)', 'the dogs bark at night'),
  (4, 'Delta', 80, null, null, null, null, null, null, null);

create function add_them(a int, b int) returns int language sql immutable as $$ select a + b $$;
create function long_books(min_pages int) returns setof books language sql stable as
  $$ select * from books where pages >= min_pages $$;
create function my_notes() returns setof notes language sql stable as $$ select * from notes $$;
create function add_note(body text) returns notes language sql as
  $$ insert into notes (body) values (body) returning * $$;
create function refuse(why text) returns void language plpgsql as $$
begin
  raise exception 'refused: %', why using detail = 'the detail', hint = 'the hint';
end $$;

create schema extra;
grant usage on schema extra to anon, authenticated, service_role;
create table extra.things (id int primary key, label text not null);
grant all on extra.things to anon, authenticated, service_role;
insert into extra.things values (1, 'one'), (2, 'two');
create function extra.thing_count() returns int language sql stable as $$ select count(*)::int from extra.things $$;
grant execute on function extra.thing_count() to anon, authenticated, service_role;
