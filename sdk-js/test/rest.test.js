// The data API against the real gateway's /rest/v1: every query method, filter and modifier,
// writes, counts, errors (returned, never thrown), schemas, and RLS per signed-in user.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, PostgrestError } from '../src/index.js';
import { TestGateway, waitFor } from './support/gateway.js';

const T = { timeout: 30_000 };
let gw;
let db;

const ids = (r) => {
  assert.equal(r.error, null, JSON.stringify(r.error));
  return r.data.map((row) => row.id).sort((a, b) => a - b);
};

const test = (name, fn) => it(name, T, fn);

describe('rest', () => {
  before(async () => {
    gw = await TestGateway.start({ PARLEY_DB_SCHEMAS: 'public,other' });
    await gw.sql(`
      create table public.items (
        id int primary key, name text not null, qty int, tags text[] not null default '{}',
        meta jsonb not null default '{}', during int4range, body text);
      create table public.item_notes (id int primary key, item_id int not null references public.items(id), note text);
      create table public.notes (id serial primary key, owner uuid not null default auth.uid(), body text);
      alter table public.notes enable row level security;
      create policy own on public.notes using (owner = auth.uid()) with check (owner = auth.uid());
      create schema other;
      create table other.things (id int primary key, label text);
      grant usage on schema other to anon, authenticated, service_role;
      grant all on all tables in schema public, other to anon, authenticated, service_role;
      grant usage on all sequences in schema public to anon, authenticated, service_role;
      create function public.add(a int, b int) returns int language sql immutable as 'select a + b';
      create function public.items_named(prefix text) returns setof public.items language sql stable as
        $$ select * from public.items where name ilike prefix || '%' $$;
      insert into public.items values
        (1, 'apple', 5, '{red,fruit}', '{"color":"red","n":1}', '[1,5)', 'the quick brown fox'),
        (2, 'Banana', 10, '{yellow,fruit}', '{"color":"yellow"}', '[5,10)', 'lazy dogs sleep'),
        (3, 'cherry', null, '{red}', '{}', '[10,20)', 'quick cherries'),
        (4, 'date', 2, '{}', '{"n":2}', null, null);
      insert into public.item_notes values (1, 1, 'crisp'), (2, 1, 'green'), (3, 2, 'ripe');
      insert into other.things values (1, 'elsewhere');`);
    db = createClient(gw.url, gw.serviceKey, { auth: { persistSession: false, autoRefreshToken: false } });
    await waitFor(async () => (await db.from('items').select('id')).error === null, { timeoutMs: 15_000, message: 'schema cache reload' });
  });
  after(async () => { await gw?.close(); });

  test('select returns {data, error, count, status, statusText}', async () => {
    const r = await db.from('items').select('id, name').eq('id', 1);
    assert.deepEqual(r, { data: [{ id: 1, name: 'apple' }], error: null, count: null, status: 200, statusText: 'OK' });
    const renamed = await db.from('items').select('key:id, label:name').eq('id', 2);
    assert.deepEqual(renamed.data, [{ key: 2, label: 'Banana' }]);
  });

  test('comparison filters: eq neq gt gte lt lte is in', async () => {
    const q = () => db.from('items').select('id');
    assert.deepEqual(ids(await q().eq('name', 'apple')), [1]);
    assert.deepEqual(ids(await q().neq('id', 1)), [2, 3, 4]);
    assert.deepEqual(ids(await q().gt('qty', 2)), [1, 2]);
    assert.deepEqual(ids(await q().gte('qty', 5)), [1, 2]);
    assert.deepEqual(ids(await q().lt('qty', 5)), [4]);
    assert.deepEqual(ids(await q().lte('qty', 5)), [1, 4]);
    assert.deepEqual(ids(await q().is('qty', null)), [3]);
    assert.deepEqual(ids(await q().in('id', [1, 3])), [1, 3]);
    assert.deepEqual(ids(await q().in('name', ['apple', 'a,b', 'x(y)'])), [1]);
  });

  test('pattern and text search filters: like ilike textSearch', async () => {
    const q = () => db.from('items').select('id');
    assert.deepEqual(ids(await q().like('name', '%an%')), [2]);
    assert.deepEqual(ids(await q().ilike('name', 'b%')), [2]);
    assert.deepEqual(ids(await q().textSearch('body', 'quick')), [1, 3]);
    assert.deepEqual(ids(await q().textSearch('body', "'quick' & 'fox'")), [1]);
    assert.deepEqual(ids(await q().textSearch('body', 'quick -fox', { type: 'websearch' })), [3]);
    assert.deepEqual(ids(await q().textSearch('body', 'lazy dog', { type: 'plain', config: 'english' })), [2]);
    assert.deepEqual(ids(await q().textSearch('body', 'brown fox', { type: 'phrase' })), [1]);
  });

  test('array, json and range filters: contains containedBy overlaps range*', async () => {
    const q = () => db.from('items').select('id');
    assert.deepEqual(ids(await q().contains('tags', ['red'])), [1, 3]);
    assert.deepEqual(ids(await q().containedBy('tags', ['red', 'fruit'])), [1, 3, 4]);
    assert.deepEqual(ids(await q().overlaps('tags', ['yellow', 'x'])), [2]);
    assert.deepEqual(ids(await q().contains('meta', { color: 'red' })), [1]);
    assert.deepEqual(ids(await q().rangeGt('during', '[0,4)')), [2, 3]);
    assert.deepEqual(ids(await q().rangeGte('during', '[3,6)')), [2, 3]);
    assert.deepEqual(ids(await q().rangeLt('during', '[10,11)')), [1, 2]);
    assert.deepEqual(ids(await q().rangeLte('during', '[1,9)')), [1]);
    assert.deepEqual(ids(await q().rangeAdjacent('during', '[20,30)')), [3]);
  });

  test('combinators: match not or filter', async () => {
    const q = () => db.from('items').select('id');
    assert.deepEqual(ids(await q().match({ name: 'apple', qty: 5 })), [1]);
    assert.deepEqual(ids(await q().not('qty', 'is', null)), [1, 2, 4]);
    assert.deepEqual(ids(await q().not('id', 'in', '(1,2)')), [3, 4]);
    assert.deepEqual(ids(await q().or('id.eq.1,name.eq.date')), [1, 4]);
    assert.deepEqual(ids(await q().or('qty.gt.5,and(qty.lt.5,name.eq.date)')), [2, 4]);
    assert.deepEqual(ids(await q().filter('id', 'in', '(2,3)')), [2, 3]);
  });

  test('modifiers: order (nullsFirst, referencedTable), limit, range', async () => {
    const r = await db.from('items').select('id').order('qty', { ascending: false, nullsFirst: true });
    assert.deepEqual(r.data.map((x) => x.id), [3, 2, 1, 4]);
    const last = await db.from('items').select('id').order('qty', { ascending: true, nullsFirst: false });
    assert.deepEqual(last.data.map((x) => x.id), [4, 1, 2, 3]);
    assert.deepEqual((await db.from('items').select('id').order('id').limit(2)).data, [{ id: 1 }, { id: 2 }]);
    assert.deepEqual((await db.from('items').select('id').order('id').range(1, 2)).data, [{ id: 2 }, { id: 3 }]);
    const nested = await db.from('items').select('id, item_notes(id)').eq('id', 1)
      .order('id', { referencedTable: 'item_notes', ascending: false })
      .limit(1, { referencedTable: 'item_notes' });
    assert.deepEqual(nested.data, [{ id: 1, item_notes: [{ id: 2 }] }]);
  });

  test('single and maybeSingle', async () => {
    const one = await db.from('items').select('id, name').eq('id', 1).single();
    assert.deepEqual(one.data, { id: 1, name: 'apple' });
    const many = await db.from('items').select('id').single();
    assert.equal(many.data, null);
    assert.equal(many.error.code, 'PGRST116');
    assert.equal(many.status, 406);
    const none = await db.from('items').select('id').eq('id', 99).maybeSingle();
    assert.deepEqual([none.data, none.error, none.status], [null, null, 200]);
    const maybeOne = await db.from('items').select('id').eq('id', 2).maybeSingle();
    assert.deepEqual(maybeOne.data, { id: 2 });
    const maybeMany = await db.from('items').select('id').maybeSingle();
    assert.equal(maybeMany.error.code, 'PGRST116');
    assert.equal(maybeMany.status, 406);
  });

  test('csv, counts, head, abortSignal, returns', async () => {
    const csv = await db.from('items').select('id,name').order('id').limit(2).csv();
    assert.equal(csv.data.trim().split(/\r?\n/).join('|'), 'id,name|1,apple|2,Banana');
    const counted = await db.from('items').select('id', { count: 'exact' }).gt('id', 1);
    assert.equal(counted.count, 3);
    assert.equal(counted.data.length, 3);
    const head = await db.from('items').select('*', { count: 'exact', head: true });
    assert.deepEqual([head.data, head.count, head.error], [null, 4, null]);
    const controller = new AbortController();
    controller.abort();
    const aborted = await db.from('items').select().abortSignal(controller.signal);
    assert.equal(aborted.status, 0);
    assert.match(aborted.error.message, /Abort/);
    const typed = await db.from('items').select('id').eq('id', 1).returns();
    assert.deepEqual(typed.data, [{ id: 1 }]);
  });

  test('insert (one, bulk with missing keys), upsert (merge, ignore, onConflict), update, delete', async () => {
    const one = await db.from('items').insert({ id: 10, name: 'kiwi', qty: 1 }).select().single();
    assert.equal(one.status, 201);
    assert.equal(one.data.name, 'kiwi');
    const minimal = await db.from('items').insert({ id: 11, name: 'lime' });
    assert.deepEqual([minimal.data, minimal.error, minimal.status], [null, null, 201]);
    const bulk = await db.from('items').insert([{ id: 12, name: 'mango', qty: 3 }, { id: 13, name: 'nut', qty: null }]).select('id, qty');
    assert.deepEqual(bulk.data, [{ id: 12, qty: 3 }, { id: 13, qty: null }]);
    const merged = await db.from('items').upsert({ id: 10, name: 'kiwi', qty: 9 }).select('id, qty');
    assert.deepEqual(merged.data, [{ id: 10, qty: 9 }]);
    const ignored = await db.from('items').upsert({ id: 10, name: 'other', qty: 0 }, { ignoreDuplicates: true }).select('id');
    assert.deepEqual(ignored.data, []);
    assert.equal((await db.from('items').select('name').eq('id', 10).single()).data.name, 'kiwi');
    await db.from('item_notes').insert({ id: 50, item_id: 10, note: 'a' });
    const byConflict = await db.from('items').upsert({ id: 10, name: 'kiwi2' }, { onConflict: 'id' }).select('name');
    assert.deepEqual(byConflict.data, [{ name: 'kiwi2' }]);
    const updated = await db.from('items').update({ qty: 7 }, { count: 'exact' }).in('id', [12, 13]).select('id, qty');
    assert.deepEqual(updated.data.sort((a, b) => a.id - b.id), [{ id: 12, qty: 7 }, { id: 13, qty: 7 }]);
    assert.equal(updated.count, 2);
    await db.from('item_notes').delete().eq('id', 50);
    const deleted = await db.from('items').delete({ count: 'exact' }).gte('id', 10);
    assert.equal(deleted.error, null);
    assert.equal(deleted.count, 4);
    assert.deepEqual(ids(await db.from('items').select('id').gte('id', 10)), []);
  });

  // PostgREST accepts rows with different keys when ?columns= names them (supabase-js always
  // sends it for arrays); a missing key takes the column default.
  test('bulk insert of rows with different keys (columns=)', async () => {
    const bulk = await db.from('items').insert([{ id: 20, name: 'olive', qty: 3 }, { id: 21, name: 'pear' }]).select('id, qty');
    assert.equal(bulk.error, null, JSON.stringify(bulk.error));
    assert.deepEqual(bulk.data, [{ id: 20, qty: 3 }, { id: 21, qty: null }]);
    await db.from('items').delete().in('id', [20, 21]);
  });

  test('errors are returned, never thrown; throwOnError throws a PostgrestError', async () => {
    const dup = await db.from('items').insert({ id: 1, name: 'again' });
    assert.equal(dup.data, null);
    assert.equal(dup.status, 409);
    assert.equal(dup.error.code, '23505');
    assert.ok(dup.error.message);
    const missing = await db.from('no_such_table').select();
    assert.equal(missing.status, 404);
    assert.equal(missing.error.code, 'PGRST205');
    const badColumn = await db.from('items').select('nope');
    assert.equal(badColumn.status, 400);
    await assert.rejects(async () => { await db.from('items').insert({ id: 1, name: 'x' }).throwOnError(); }, (e) => e instanceof PostgrestError && e.code === '23505');
  });

  test('schema() reads and writes another exposed schema', async () => {
    const other = db.schema('other');
    assert.deepEqual((await other.from('things').select('id, label')).data, [{ id: 1, label: 'elsewhere' }]);
    const ins = await other.from('things').insert({ id: 2, label: 'two' }).select('label').single();
    assert.deepEqual(ins.data, { label: 'two' });
    const viaOption = createClient(gw.url, gw.serviceKey, { db: { schema: 'other' }, auth: { persistSession: false } });
    assert.equal((await viaOption.from('things').select('id')).data.length, 2);
  });

  test("RLS: two signed-in users each see and change only their own rows", async () => {
    const users = [];
    for (const name of ['ann', 'ben']) {
      const c = createClient(gw.url, gw.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
      const { error } = await c.auth.signUp({ email: `${name}${Date.now()}@example.com`, password: 'correct-horse-battery' });
      assert.equal(error, null);
      users.push(c);
    }
    const [ann, ben] = users;
    assert.equal((await ann.from('notes').insert({ body: 'ann 1' })).error, null);
    assert.equal((await ann.from('notes').insert({ body: 'ann 2' })).error, null);
    assert.equal((await ben.from('notes').insert({ body: 'ben 1' })).error, null);
    assert.deepEqual((await ann.from('notes').select('body').order('id')).data.map((r) => r.body), ['ann 1', 'ann 2']);
    assert.deepEqual((await ben.from('notes').select('body')).data.map((r) => r.body), ['ben 1']);
    const { data: annUser } = await ann.auth.getUser();
    const forged = await ben.from('notes').insert({ body: 'as ann', owner: annUser.user.id });
    assert.equal(forged.status, 403);
    assert.equal(forged.error.code, '42501');
    const sneaky = await ben.from('notes').update({ body: 'hacked' }).eq('body', 'ann 1').select();
    assert.deepEqual(sneaky.data, []);
    assert.equal((await ben.from('notes').delete().neq('id', 0).select()).data.length, 1);
    assert.equal((await ann.from('notes').select('id', { count: 'exact', head: true })).count, 2);
    const anon = createClient(gw.url, gw.anonKey, { auth: { persistSession: false } });
    assert.deepEqual((await anon.from('notes').select()).data, []);
  });

  test('rpc: POST, GET, HEAD, counts and set-returning functions with filters', async () => {
    assert.deepEqual(await db.rpc('add', { a: 2, b: 3 }), { data: 5, error: null, count: null, status: 200, statusText: 'OK' });
    assert.equal((await db.rpc('add', { a: 2, b: 3 }, { get: true })).data, 5);
    const set = await db.rpc('items_named', { prefix: 'b' }).select('id');
    assert.deepEqual(set.data, [{ id: 2 }]);
    const filtered = await db.rpc('items_named', { prefix: '' }).gt('id', 2).order('id');
    assert.deepEqual(filtered.data.map((r) => r.id), [3, 4]);
    const counted = await db.rpc('items_named', { prefix: '' }, { head: true, count: 'exact' });
    assert.deepEqual([counted.data, counted.count], [null, 4]);
    const missing = await db.rpc('nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.error.code, 'PGRST202');
  });
});
