// Drives supabase-js's REST client (postgrest-js), unmodified, against a running Parley gateway
// whose database holds rest.sql, and compares every answer with what a Supabase project gives.
//
//   PARLEY_URL=... PARLEY_ANON_KEY=... PARLEY_SERVICE_KEY=... node rest.mjs
//
// The gateway must expose the schemas public and extra (PARLEY_DB_SCHEMAS=public,extra).
import { createClient } from '@supabase/supabase-js'
import { check, exitWithResult } from './checks.mjs'
import assert from 'node:assert/strict'

const url = process.env.PARLEY_URL ?? 'http://127.0.0.1:54321'
const options = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } }
const anon = createClient(url, process.env.PARLEY_ANON_KEY, options)
const service = createClient(url, process.env.PARLEY_SERVICE_KEY, options)
function must({ data, error }) {
  if (error) throw new Error(`unexpected error ${error.code} ${error.message} (${error.details})`)
  return data
}
function refused(answer, status, code) {
  assert.ok(answer.error, `expected ${status} ${code}, got data ${JSON.stringify(answer.data)}`)
  assert.equal(answer.status, status, `${answer.error.code} ${answer.error.message}`)
  assert.equal(answer.error.code, code, answer.error.message)
  return answer.error
}
const ids = (rows) => rows.map((r) => r.id)

// The schema cache reloads shortly after rest.sql's DDL: wait until it serves the tables.
for (let i = 0; ; i++) {
  const { error } = await service.from('books').select('id').limit(1)
  const extra = await service.schema('extra').from('things').select('id').limit(1)
  if (!error && !extra.error) break
  if (i === 100) throw new Error(`rest.sql's tables never appeared: ${error?.message ?? extra.error.message}`)
  await new Promise((r) => setTimeout(r, 100))
}

async function signUp(name) {
  const client = createClient(url, process.env.PARLEY_ANON_KEY, options)
  const { data, error } = await client.auth.signUp({ email: `rest-${name}-${Date.now()}@example.com`, password: 'rest-password' })
  if (error) throw new Error(`signUp ${name}: ${error.message}`)
  return { client, id: data.user.id }
}
const ada = await signUp('ada')
const bob = await signUp('bob')

await check('select columns, renames, casts, json paths', async () => {
  const rows = must(await anon.from('authors').select('id, who:name, age:meta->>age::int, lang:meta->lang').order('id'))
  assert.deepEqual(rows, [
    { id: 1, who: 'Ann', age: 55, lang: 'en' }, { id: 2, who: 'Bob', age: null, lang: 'fr' },
    { id: 3, who: 'Cy', age: null, lang: null }])
})

await check('embeds: many-to-one alias with hint, one-to-many, ambiguity', async () => {
  const rows = must(await anon.from('books')
    .select('title, author:authors!author_id(name), editor:authors!books_editor_id_fkey(name)').order('id'))
  assert.deepEqual(rows, [
    { title: 'Alpha', author: { name: 'Ann' }, editor: { name: 'Bob' } },
    { title: 'Beta', author: { name: 'Ann' }, editor: null },
    { title: 'Gamma', author: { name: 'Bob' }, editor: { name: 'Ann' } },
    { title: 'Delta', author: null, editor: null }])
  const authors = must(await anon.from('authors').select('name, books!author_id(id)').order('id')
    .order('id', { referencedTable: 'books', ascending: false }))
  assert.deepEqual(authors, [
    { name: 'Ann', books: [{ id: 2 }, { id: 1 }] }, { name: 'Bob', books: [{ id: 3 }] }, { name: 'Cy', books: [] }])
  const ambiguous = refused(await anon.from('books').select('id, authors(name)'), 300, 'PGRST201')
  assert.match(ambiguous.message, /more than one relationship/)
  assert.ok(Array.isArray(ambiguous.details) && ambiguous.details.length === 2, JSON.stringify(ambiguous.details))
  assert.match(ambiguous.hint, /authors!/)
  refused(await anon.from('books').select('id, items(id)'), 400, 'PGRST200')
})

await check('embeds: !inner with a filter on the embed, filters/limit/or on referencedTable', async () => {
  const inner = must(await anon.from('books').select('id, author:authors!author_id!inner(name)').eq('author.name', 'Bob'))
  assert.deepEqual(inner, [{ id: 3, author: { name: 'Bob' } }])
  const outer = must(await anon.from('books').select('id, author:authors!author_id(name)').eq('author.name', 'Bob').order('id'))
  assert.deepEqual(outer.map((b) => b.author), [null, null, { name: 'Bob' }, null])
  const limited = must(await anon.from('authors').select('id, books!author_id(id, pages)').eq('id', 1)
    .gt('books.pages', 100).limit(1, { referencedTable: 'books' }).order('pages', { referencedTable: 'books' }))
  assert.deepEqual(limited, [{ id: 1, books: [{ id: 1, pages: 120 }] }])
  const ored = must(await anon.from('authors').select('id, books!author_id(id)').eq('id', 1)
    .or('id.eq.2,id.eq.3', { referencedTable: 'books' }))
  assert.deepEqual(ored, [{ id: 1, books: [{ id: 2 }] }])
})

const books = (build) => async () => must(await build(anon.from('books').select('id').order('id')))
const filters = [
  ['eq', (q) => q.eq('pages', 120), [1]],
  ['neq', (q) => q.neq('pages', 120), [2, 4]],
  ['gt', (q) => q.gt('pages', 120), [2]],
  ['gte', (q) => q.gte('released', '2005-06-01'), [2, 3]],
  ['lt', (q) => q.lt('price', 9.5), [3]],
  ['lte', (q) => q.lte('price', 9.5), [1, 3]],
  ['like', (q) => q.like('title', '%ta'), [2, 4]],
  ['ilike', (q) => q.ilike('title', 'a%'), [1]],
  ['likeAnyOf', (q) => q.likeAnyOf('title', ['A%', 'G%']), [1, 3]],
  ['likeAllOf', (q) => q.likeAllOf('title', ['%a', '%l%']), [1, 4]],
  ['ilikeAnyOf', (q) => q.ilikeAnyOf('title', ['b%', 'd%']), [2, 4]],
  ['ilikeAllOf', (q) => q.ilikeAllOf('title', ['%A', 'G%']), [3]],
  ['is null', (q) => q.is('pages', null), [3]],
  ['isDistinct', (q) => q.isDistinct('pages', 120), [2, 3, 4]],
  ['in', (q) => q.in('title', ['Alpha', 'Gamma', 'with, comma']), [1, 3]],
  ['notIn', (q) => q.notIn('id', [1, 2]), [3, 4]],
  ['regexMatch', (q) => q.regexMatch('title', '^[AB]'), [1, 2]],
  ['regexIMatch', (q) => q.regexIMatch('title', '^[ab]'), [1, 2]],
  ['contains array', (q) => q.contains('tags', ['y']), [1, 2]],
  ['containedBy array', (q) => q.containedBy('tags', ['y']), [2, 3]],
  ['overlaps array', (q) => q.overlaps('tags', ['x', 'z']), [1]],
  ['overlaps range', (q) => q.overlaps('during', '[4,6)'), [1, 2]],
  ['rangeGt', (q) => q.rangeGt('during', '[1,6)'), [3]],
  ['rangeGte', (q) => q.rangeGte('during', '[5,6)'), [2, 3]],
  ['rangeLt', (q) => q.rangeLt('during', '[5,6)'), [1]],
  ['rangeLte', (q) => q.rangeLte('during', '[1,10)'), [1, 2]],
  ['rangeAdjacent', (q) => q.rangeAdjacent('during', '[20,30)'), [3]],
  ['textSearch', (q) => q.textSearch('summary', 'dogs & night', { config: 'english' }), [3]],
  ['textSearch plain', (q) => q.textSearch('summary', 'dogs jump', { type: 'plain', config: 'english' }), [1]],
  ['textSearch phrase', (q) => q.textSearch('summary', 'lazy cat', { type: 'phrase' }), [2]],
  ['textSearch websearch', (q) => q.textSearch('summary', 'dogs -night', { type: 'websearch', config: 'english' }), [1]],
  ['match', (q) => q.match({ author_id: 1, pages: 300 }), [2]],
  ['not eq', (q) => q.not('pages', 'eq', 120), [2, 4]],
  ['not is null', (q) => q.not('pages', 'is', null), [1, 2, 4]],
  ['not in', (q) => q.not('id', 'in', '(1,4)'), [2, 3]],
  ['or with nested and', (q) => q.or('pages.gt.200,and(title.like.*ta,pages.lt.100)'), [2, 4]],
  ['filter()', (q) => q.filter('summary', 'is', null).filter('id', 'gt', 0), [4]],
]
for (const [name, build, expected] of filters) {
  await check(`filter ${name}`, async () => assert.deepEqual(ids(await books(build)()), expected))
}
await check('filter contains/containedBy jsonb', async () => {
  assert.deepEqual(ids(must(await anon.from('authors').select('id').contains('meta', { lang: 'en' }))), [1])
  assert.deepEqual(ids(must(await anon.from('authors').select('id').containedBy('meta', { lang: 'fr', x: 1 }))), [2])
})

await check('order (nullsFirst, descending, several columns), limit, range', async () => {
  assert.deepEqual(ids(must(await anon.from('books').select('id').order('pages', { ascending: false, nullsFirst: false }))), [2, 1, 4, 3])
  assert.deepEqual(ids(must(await anon.from('books').select('id').order('pages', { nullsFirst: true }))), [3, 4, 1, 2])
  assert.deepEqual(ids(must(await anon.from('books').select('id').order('author_id').order('id', { ascending: false }))), [2, 1, 3, 4])
  assert.deepEqual(ids(must(await anon.from('books').select('id').order('id').limit(2))), [1, 2])
  assert.deepEqual(ids(must(await anon.from('books').select('id').order('id').range(1, 2))), [2, 3])
  // past the end: an empty page, or 416 when the total is counted
  assert.deepEqual(must(await anon.from('books').select('id').order('id').range(10, 12)), [])
  const past = refused(await anon.from('books').select('id', { count: 'exact' }).order('id').range(10, 12), 416, 'PGRST103')
  assert.equal(past.message, 'Requested range not satisfiable')
  assert.equal(past.details, 'An offset of 10 was requested, but there are only 4 rows.')
})

await check('count exact/planned, head, 206', async () => {
  const page = await anon.from('books').select('id', { count: 'exact' }).order('id').range(0, 1)
  assert.equal(page.status, 206); assert.equal(page.count, 4); assert.deepEqual(ids(page.data), [1, 2])
  const head = await anon.from('books').select('*', { count: 'exact', head: true }).gt('pages', 100)
  assert.equal(head.error, null); assert.equal(head.count, 2); assert.equal(head.data, null)
  const planned = await anon.from('books').select('*', { count: 'planned', head: true })
  assert.equal(planned.error, null); assert.ok(Number.isInteger(planned.count) && planned.count >= 0, String(planned.count))
})

await check('single, maybeSingle and their errors', async () => {
  assert.deepEqual(must(await anon.from('books').select('id, title').eq('id', 2).single()), { id: 2, title: 'Beta' })
  const none = refused(await anon.from('books').select('id').eq('id', 99).single(), 406, 'PGRST116')
  assert.equal(none.message, 'Cannot coerce the result to a single JSON object')
  assert.equal(none.details, 'The result contains 0 rows')
  const many = refused(await anon.from('books').select('id').single(), 406, 'PGRST116')
  assert.equal(many.details, 'The result contains 4 rows')
  const maybe = await anon.from('books').select('id').eq('id', 99).maybeSingle()
  assert.equal(maybe.error, null); assert.equal(maybe.data, null); assert.equal(maybe.status, 200)
  assert.deepEqual(must(await anon.from('books').select('id').eq('id', 3).maybeSingle()), { id: 3 })
  // on GET, supabase-js asks for an array and reports more than one row itself
  refused(await anon.from('books').select('id').maybeSingle(), 406, 'PGRST116')
})

await check('csv', async () => {
  const csv = must(await anon.from('books').select('id, title, tags').lte('id', 2).order('id').csv())
  assert.equal(csv, 'id,title,tags\n1,Alpha,"{x,y}"\n2,Beta,{y}')
})

await check('insert: one, many with columns, defaultToNull false, representation and count', async () => {
  const one = await service.from('items').insert({ code: 'a', name: 'first' }).select().single()
  assert.equal(one.status, 201); assert.equal(one.error, null)
  assert.deepEqual({ ...one.data, id: 0 }, { id: 0, code: 'a', name: 'first', qty: 7 })
  // an array: supabase-js sends ?columns= with every key; absent keys are null ...
  const many = must(await service.from('items').insert([{ code: 'b', qty: 1 }, { code: 'c', name: 'third' }]).select('code, name, qty').order('code'))
  assert.deepEqual(many, [{ code: 'b', name: null, qty: 1 }, { code: 'c', name: 'third', qty: null }])
  // ... unless defaultToNull is false (Prefer: missing=default)
  const defaults = must(await service.from('items').insert([{ code: 'd', qty: 2 }, { code: 'e', name: 'fifth' }], { defaultToNull: false }).select('code, qty'))
  assert.deepEqual(defaults, [{ code: 'd', qty: 2 }, { code: 'e', qty: 7 }])
  const minimal = await service.from('items').insert({ code: 'f' }, { count: 'exact' })
  assert.equal(minimal.status, 201); assert.equal(minimal.data, null); assert.equal(minimal.count, 1)
  const duplicate = refused(await service.from('items').insert({ code: 'a' }), 409, '23505')
  assert.match(duplicate.message, /duplicate key value violates unique constraint "items_code_key"/)
  assert.equal(duplicate.details, 'Key (code)=(a) already exists.')
  refused(await service.from('items').insert({ code: 'g', nope: 1 }), 400, 'PGRST204')
  refused(await service.from('items').insert({ name: 'no code' }), 400, '23502')
})

await check('upsert: onConflict merge, ignoreDuplicates', async () => {
  const merged = await service.from('items').upsert({ code: 'a', name: 'merged', qty: 3 }, { onConflict: 'code' }).select('code, name, qty')
  assert.equal(merged.status, 200, JSON.stringify(merged.error)); assert.deepEqual(merged.data, [{ code: 'a', name: 'merged', qty: 3 }])
  const mixed = await service.from('items').upsert([{ code: 'a', name: 'again', qty: 4 }, { code: 'z', name: 'new', qty: 5 }], { onConflict: 'code' }).select('code, name')
  assert.equal(mixed.status, 201); assert.deepEqual(mixed.data.sort((x, y) => x.code.localeCompare(y.code)), [{ code: 'a', name: 'again' }, { code: 'z', name: 'new' }])
  const ignored = must(await service.from('items').upsert([{ code: 'a', name: 'ignored' }, { code: 'y', name: 'fresh' }], { onConflict: 'code', ignoreDuplicates: true }).select('code, name'))
  assert.deepEqual(ignored, [{ code: 'y', name: 'fresh' }])
  assert.equal(must(await service.from('items').select('name').eq('code', 'a').single()).name, 'again')
  refused(await service.from('items').upsert({ code: 'a', name: 'x' }, { onConflict: 'name' }), 400, '42P10')
})

await check('update and delete with filters, count, maxAffected', async () => {
  const updated = await service.from('items').update({ qty: 100 }, { count: 'exact' }).in('code', ['b', 'c']).select('code, qty').order('code')
  assert.equal(updated.status, 200); assert.equal(updated.count, 2)
  assert.deepEqual(updated.data, [{ code: 'b', qty: 100 }, { code: 'c', qty: 100 }])
  const none = await service.from('items').update({ qty: 1 }).eq('code', 'nope')
  assert.equal(none.status, 204); assert.equal(none.error, null)
  refused(await service.from('items').update({ qty: 1 }).gte('qty', 0).maxAffected(1), 400, 'PGRST124')
  assert.equal(must(await service.from('items').select('qty').eq('code', 'b').single()).qty, 100)
  const deleted = must(await service.from('items').delete().eq('qty', 100).select('code').order('code'))
  assert.deepEqual(deleted, [{ code: 'b' }, { code: 'c' }])
  const gone = await service.from('items').delete({ count: 'exact' }).like('code', '_')
  assert.equal(gone.status, 204); assert.equal(gone.count, 6)
  assert.equal((await service.from('items').select('*', { count: 'exact', head: true })).count, 0)
})

await check('rpc: POST, get:true, head/count, set results with filters, errors', async () => {
  assert.equal(must(await anon.rpc('add_them', { a: 1, b: 2 })), 3)
  assert.equal(must(await anon.rpc('add_them', { a: 4, b: 5 }, { get: true })), 9)
  const set = must(await anon.rpc('long_books', { min_pages: 100 }).select('id, title').lt('pages', 1000).order('id', { ascending: false }))
  assert.deepEqual(set, [{ id: 2, title: 'Beta' }, { id: 1, title: 'Alpha' }])
  const viaGet = must(await anon.rpc('long_books', { min_pages: 100 }, { get: true }).select('id').eq('id', 1).single())
  assert.deepEqual(viaGet, { id: 1 })
  const head = await anon.rpc('long_books', { min_pages: 0 }, { head: true, count: 'exact' })
  assert.equal(head.error, null); assert.equal(head.count, 3); assert.equal(head.data, null)
  const embedded = must(await anon.rpc('long_books', { min_pages: 250 }).select('id, author:authors!author_id(name)'))
  assert.deepEqual(embedded, [{ id: 2, author: { name: 'Ann' } }])
  const missing = refused(await anon.rpc('add_them', { a: 1, c: 2 }), 404, 'PGRST202')
  assert.equal(missing.hint, 'Perhaps you meant to call the function public.add_them(a, b)')
  const raised = refused(await anon.rpc('refuse', { why: 'because' }), 400, 'P0001')
  assert.equal(raised.message, 'refused: because'); assert.equal(raised.details, 'the detail'); assert.equal(raised.hint, 'the hint')
  refused(await anon.rpc('add_note', { body: 'x' }, { get: true }), 405, '25006')
})

await check('schema(): a second exposed schema, tables and rpc', async () => {
  const extra = anon.schema('extra')
  assert.deepEqual(must(await extra.from('things').select('label').order('id')), [{ label: 'one' }, { label: 'two' }])
  const inserted = await extra.from('things').insert({ id: 3, label: 'three' }).select().single()
  assert.equal(inserted.status, 201); assert.deepEqual(inserted.data, { id: 3, label: 'three' })
  assert.equal(must(await extra.rpc('thing_count')), 3)
  assert.equal(must(await extra.from('things').delete().eq('id', 3).select('id')).length, 1)
  refused(await anon.from('things').select('id'), 404, 'PGRST205')
  const hidden = refused(await anon.schema('auth').from('users').select('id'), 406, 'PGRST106')
  assert.equal(hidden.message, 'Invalid schema: auth')
  assert.equal(hidden.hint, 'Only the following schemas are exposed: public, extra')
  const clientSchema = createClient(url, process.env.PARLEY_ANON_KEY, { ...options, db: { schema: 'extra' } })
  assert.equal(must(await clientSchema.from('things').select('id')).length, 2)
})

await check('RLS: two users see and change only their own rows, anon none', async () => {
  const a = must(await ada.client.from('notes').insert([{ body: 'ada 1' }, { body: 'ada 2' }], { defaultToNull: false }).select('id, owner, body'))
  assert.deepEqual(a.map((n) => n.owner), [ada.id, ada.id])
  const b = must(await bob.client.from('notes').insert({ body: 'bob 1' }).select('id, owner').single())
  assert.equal(b.owner, bob.id)
  assert.deepEqual(must(await ada.client.from('notes').select('body').order('id')), [{ body: 'ada 1' }, { body: 'ada 2' }])
  assert.deepEqual(must(await bob.client.rpc('my_notes').select('body')), [{ body: 'bob 1' }])
  assert.deepEqual(must(await anon.from('notes').select('id')), [])
  // a hidden row is not there: updating or deleting it touches nothing
  const stolen = await bob.client.from('notes').update({ body: 'bob was here' }, { count: 'exact' }).eq('id', a[0].id)
  assert.equal(stolen.error, null); assert.equal(stolen.count, 0)
  assert.equal(must(await bob.client.from('notes').delete().eq('id', a[1].id).select()).length, 0)
  assert.equal((await service.from('notes').select('*', { count: 'exact', head: true })).count, 3)
  // a write the policy refuses: 403 for a user, 401 for anon, with Postgres' message
  const forged = refused(await bob.client.from('notes').insert({ owner: ada.id, body: 'forged' }), 403, '42501')
  assert.equal(forged.message, 'new row violates row-level security policy for table "notes"')
  assert.equal(forged.details, null)
  const moved = refused(await ada.client.from('notes').update({ owner: bob.id }).eq('id', a[0].id), 403, '42501')
  assert.match(moved.message, /row-level security/)
  refused(await anon.from('notes').insert({ owner: ada.id, body: 'anon' }), 401, '42501')
  // a function runs as its caller, so it writes only what the caller may write
  assert.equal(must(await ada.client.rpc('add_note', { body: 'via rpc' })).owner, ada.id)
  refused(await anon.rpc('add_note', { body: 'anon via rpc' }), 401, '42501')
  assert.equal((await service.from('notes').select('*', { count: 'exact', head: true })).count, 4)
})

await check('errors: code, message, details, hint, status', async () => {
  const column = refused(await anon.from('books').select('nope'), 400, '42703')
  assert.equal(column.message, 'column books.nope does not exist')
  const table = refused(await anon.from('nope').select('*'), 404, 'PGRST205')
  assert.match(table.message, /Could not find the table 'public.nope' in the schema cache/)
  const input = refused(await anon.from('books').select('id').eq('pages', 'many'), 400, '22P02')
  assert.equal(input.message, 'invalid input syntax for type integer: "many"')
  const fk = refused(await service.from('books').insert({ id: 9, title: 'x', author_id: 99 }), 409, '23503')
  assert.equal(fk.details, 'Key (author_id)=(99) is not present in table "authors".')
  const bad = await createClient(url, 'not-a-token', options).from('books').select('id')
  assert.equal(bad.status, 401); assert.ok(bad.error)
})

exitWithResult()
