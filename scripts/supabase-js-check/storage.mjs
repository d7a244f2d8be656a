// Drives supabase-js's storage client, unmodified, against a running Parley gateway and fails
// loudly on the first difference from what a Supabase project would answer.
//
//   PARLEY_URL=http://127.0.0.1:54321 PARLEY_ANON_KEY=... PARLEY_SERVICE_KEY=... \
//   PARLEY_USER_TOKEN=<access token of a user> PARLEY_USER_ID=<its uuid> node check.mjs
//
// The user token may come from /auth/v1 (signInWithPassword) or any HS256 token with
// role=authenticated and sub=<uuid> signed with the gateway's secret.
import { createClient } from '@supabase/supabase-js'
import assert from 'node:assert/strict'

const url = process.env.PARLEY_URL ?? 'http://127.0.0.1:54321'
const service = createClient(url, process.env.PARLEY_SERVICE_KEY, { auth: { persistSession: false } })
const anon = createClient(url, process.env.PARLEY_ANON_KEY, { auth: { persistSession: false } })
const user = createClient(url, process.env.PARLEY_ANON_KEY, {
  auth: { persistSession: false },
  global: { headers: { Authorization: `Bearer ${process.env.PARLEY_USER_TOKEN}` } },
})
const uid = process.env.PARLEY_USER_ID
const bucket = `check-${Date.now()}`
const pub = `${bucket}-public`
let step = ''
const ok = (name) => { console.log(`ok - ${name}`); step = `after ${name}` }

function must({ data, error }) {
  if (error) throw new Error(`${step}: ${error.message} (${error.statusCode ?? error.status})`)
  return data
}

// buckets
must(await service.storage.createBucket(bucket, { public: false, fileSizeLimit: '1MB', allowedMimeTypes: ['text/*', 'image/png'] }))
must(await service.storage.createBucket(pub, { public: true }))
ok('createBucket')
const b = must(await service.storage.getBucket(bucket))
assert.equal(b.id, bucket); assert.equal(b.public, false); assert.equal(b.file_size_limit, 1024 * 1024)
ok('getBucket')
assert.ok(must(await service.storage.listBuckets()).some((x) => x.id === bucket))
ok('listBuckets')
must(await service.storage.updateBucket(bucket, { public: false, fileSizeLimit: 2048, allowedMimeTypes: ['text/*', 'image/png'] }))
assert.equal(must(await service.storage.getBucket(bucket)).file_size_limit, 2048)
ok('updateBucket')

// uploads: string, Blob (multipart), upsert, refusals
const files = service.storage.from(bucket)
const up = must(await files.upload('folder/hello.txt', 'hello from supabase-js', { contentType: 'text/plain', cacheControl: '120' }))
assert.equal(up.path, 'folder/hello.txt'); assert.equal(up.fullPath, `${bucket}/folder/hello.txt`); assert.ok(up.id)
ok('upload string')
must(await files.upload('folder/dot.png', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), { metadata: { alt: 'dot' } }))
ok('upload Blob (multipart)')
const dup = await files.upload('folder/hello.txt', 'again')
assert.equal(dup.error?.statusCode, '409'); assert.equal(dup.error?.message, 'The resource already exists')
ok('duplicate without upsert is 409')
must(await files.upload('folder/hello.txt', 'hello again', { contentType: 'text/plain', upsert: true }))
ok('upload with upsert')
must(await files.update('folder/hello.txt', 'hello updated', { contentType: 'text/plain' }))
ok('update')
const big = await files.upload('big.txt', 'x'.repeat(4096), { contentType: 'text/plain' })
assert.equal(big.error?.statusCode, '413')
ok('size limit is 413')
const pdf = await files.upload('doc.pdf', 'x', { contentType: 'application/pdf' })
assert.equal(pdf.error?.statusCode, '415')
ok('mime type is 415')

// downloads, info, exists, list
assert.equal(await must(await files.download('folder/hello.txt')).text(), 'hello updated')
ok('download')
const info = must(await files.info('folder/dot.png'))
assert.equal(info.name, 'folder/dot.png'); assert.equal(info.size, 4); assert.equal(info.contentType, 'image/png')
assert.deepEqual(info.metadata, { alt: 'dot' })
ok('info')
assert.equal(must(await files.exists('folder/hello.txt')), true)
assert.equal((await files.exists('folder/none.txt')).data, false)
ok('exists')
const listed = must(await files.list('folder', { limit: 10, offset: 0, sortBy: { column: 'name', order: 'asc' } }))
assert.deepEqual(listed.map((f) => f.name), ['dot.png', 'hello.txt'])
const top = must(await files.list())
assert.ok(top.some((f) => f.name === 'folder' && f.id === null))
ok('list (folders have id null)')
const v2 = must(await files.listV2({ prefix: '', with_delimiter: true }))
assert.deepEqual(v2.folders.map((f) => f.name), ['folder/']); assert.equal(v2.hasNext, false)
const page = must(await files.listV2({ prefix: 'folder/', limit: 1 }))
assert.equal(page.objects[0].name, 'folder/dot.png'); assert.equal(page.hasNext, true)
assert.equal(must(await files.listV2({ prefix: 'folder/', limit: 1, cursor: page.nextCursor })).objects[0].name, 'folder/hello.txt')
ok('listV2')

// move, copy, signed URLs, remove
must(await files.move('folder/hello.txt', 'folder/moved.txt'))
assert.equal(await must(await files.download('folder/moved.txt')).text(), 'hello updated')
ok('move')
const copied = must(await files.copy('folder/moved.txt', 'folder/copied.txt'))
assert.equal(copied.path, `${bucket}/folder/copied.txt`)
ok('copy')
const { signedUrl } = must(await files.createSignedUrl('folder/moved.txt', 60))
assert.equal(await (await fetch(signedUrl)).text(), 'hello updated')
ok('createSignedUrl')
const many = must(await files.createSignedUrls(['folder/moved.txt', 'folder/none.txt'], 60))
assert.ok(many[0].signedUrl); assert.equal(many[1].signedUrl, null); assert.ok(many[1].error)
ok('createSignedUrls')
const signedUp = must(await files.createSignedUploadUrl('folder/signed.txt'))
must(await anon.storage.from(bucket).uploadToSignedUrl('folder/signed.txt', signedUp.token, 'via signed url', { contentType: 'text/plain' }))
assert.equal(await must(await files.download('folder/signed.txt')).text(), 'via signed url')
ok('createSignedUploadUrl + uploadToSignedUrl')
const removed = must(await files.remove(['folder/copied.txt', 'folder/signed.txt']))
assert.equal(removed.length, 2)
ok('remove')

// public bucket and RLS for a user
must(await service.storage.from(pub).upload('logo.txt', 'public', { contentType: 'text/plain' }))
const { publicUrl } = anon.storage.from(pub).getPublicUrl('logo.txt').data
assert.equal(await (await fetch(publicUrl)).text(), 'public')
ok('getPublicUrl')
const denied = await user.storage.from(bucket).download('folder/moved.txt')
assert.ok(denied.error, 'a user without a policy cannot read a private object')
const refused = await user.storage.from(bucket).upload(`${uid}/mine.txt`, 'mine', { contentType: 'text/plain' })
assert.equal(refused.error?.statusCode, '403')
ok('RLS refuses a user without policies')

// cleanup
must(await service.storage.emptyBucket(bucket))
must(await service.storage.deleteBucket(bucket))
must(await service.storage.emptyBucket(pub))
must(await service.storage.deleteBucket(pub))
ok('emptyBucket + deleteBucket')
console.log('all storage checks passed')
