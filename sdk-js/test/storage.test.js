// Storage against the real gateway: buckets, every object method, signed and public URLs,
// upload progress, errors, and per-user policies applied through the session's token.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, StorageApiError, isStorageError } from '../src/index.js';
import { TestGateway } from './support/gateway.js';

const T = { timeout: 30_000 };
let gw;
let service;

function userClient() {
  return createClient(gw.url, gw.anonKey, { auth: { autoRefreshToken: false, persistSession: false } });
}

async function signedUp() {
  const c = userClient();
  const { data, error } = await c.auth.signUp({ email: `s${Date.now()}${Math.random()}@example.com`, password: 'correct-horse-battery' });
  assert.equal(error, null);
  return { client: c, user: data.user };
}

describe('storage', () => {
  before(async () => {
    gw = await TestGateway.start();
    service = createClient(gw.url, gw.serviceKey, { auth: { autoRefreshToken: false, persistSession: false } });
    await gw.sql(`
      create policy "own folder insert" on storage.objects for insert to authenticated
        with check (bucket_id = 'private' and (storage.foldername(name))[1] = auth.uid()::text);
      create policy "own files read" on storage.objects for select to authenticated
        using (bucket_id = 'private' and owner = auth.uid());
      create policy "own files update" on storage.objects for update to authenticated
        using (bucket_id = 'private' and owner = auth.uid());
      create policy "own files delete" on storage.objects for delete to authenticated
        using (bucket_id = 'private' and owner = auth.uid());`);
  });
  after(async () => { await gw?.close(); });

  it('bucket management: create, get, list, update, empty, delete', T, async () => {
    const s = service.storage;
    const created = await s.createBucket('docs', { public: false, fileSizeLimit: 1024 * 1024, allowedMimeTypes: ['text/plain', 'application/octet-stream'] });
    assert.equal(created.error, null);
    assert.equal(created.data.name, 'docs');
    const got = await s.getBucket('docs');
    assert.equal(got.data.id, 'docs');
    assert.equal(got.data.public, false);
    assert.equal(got.data.file_size_limit, 1024 * 1024);
    const list = await s.listBuckets();
    assert.ok(list.data.some((b) => b.id === 'docs'));
    const updated = await s.updateBucket('docs', { public: true });
    assert.equal(updated.error, null);
    assert.equal((await s.getBucket('docs')).data.public, true);
    await s.from('docs').upload('a.txt', 'a');
    const notEmpty = await s.deleteBucket('docs');
    assert.ok(notEmpty.error instanceof StorageApiError);
    assert.equal((await s.emptyBucket('docs')).error, null);
    assert.equal((await s.deleteBucket('docs')).error, null);
    const missing = await s.getBucket('docs');
    assert.ok(isStorageError(missing.error));
    assert.equal(missing.error.status, 404);
    assert.equal(missing.data, null);
    const dup = await s.createBucket('private');
    assert.equal(dup.error, null);
    const again = await s.createBucket('private');
    assert.ok(again.error instanceof StorageApiError);
    assert.equal(again.error.status, 409);
  });

  it('upload, download, update, upsert, info, exists, list, listV2, move, copy, remove', T, async () => {
    await service.storage.createBucket('files');
    const files = service.storage.from('files');
    const up = await files.upload('/dir//hello.txt/', 'hello world', { contentType: 'text/plain', metadata: { by: 'test' } });
    assert.equal(up.error, null);
    assert.equal(up.data.path, 'dir/hello.txt');
    assert.equal(up.data.fullPath, 'files/dir/hello.txt');
    assert.ok(up.data.id);
    const conflict = await files.upload('dir/hello.txt', 'again');
    assert.ok(conflict.error instanceof StorageApiError);
    assert.equal(conflict.error.status, 409);
    const dl = await files.download('dir/hello.txt');
    assert.equal(await dl.data.text(), 'hello world');
    assert.equal((await files.upload('dir/hello.txt', 'replaced', { upsert: true })).error, null);
    assert.equal(await (await files.download('dir/hello.txt')).data.text(), 'replaced');
    assert.equal((await files.update('dir/hello.txt', new Uint8Array([104, 105]))).error, null);
    assert.equal(await (await files.download('dir/hello.txt')).data.text(), 'hi');
    const blobUp = await files.upload('dir/blob.bin', new Blob([new Uint8Array([1, 2, 3])], { type: 'application/octet-stream' }));
    assert.equal(blobUp.error, null);
    assert.deepEqual([...new Uint8Array(await (await files.download('dir/blob.bin')).data.arrayBuffer())], [1, 2, 3]);

    const info = await files.info('dir/hello.txt');
    assert.equal(info.error, null);
    assert.equal(info.data.size, 2);
    assert.ok(info.data.contentType);
    assert.ok(info.data.lastModified || info.data.createdAt);
    assert.deepEqual((await files.exists('dir/hello.txt')), { data: true, error: null });
    const no = await files.exists('dir/nope.txt');
    assert.equal(no.data, false);
    assert.ok(no.error);

    const listed = await files.list('dir', { limit: 10, sortBy: { column: 'name', order: 'desc' } });
    assert.deepEqual(listed.data.map((o) => o.name), ['hello.txt', 'blob.bin']);
    const root = await files.list();
    assert.deepEqual(root.data.map((o) => o.name), ['dir']);
    const searched = await files.list('dir', { search: 'blob' });
    assert.deepEqual(searched.data.map((o) => o.name), ['blob.bin']);
    const v2 = await files.listV2({ prefix: 'dir/', limit: 1 });
    assert.equal(v2.error, null);
    assert.equal(v2.data.objects.length, 1);
    assert.equal(v2.data.hasNext, true);

    assert.equal((await files.copy('dir/hello.txt', 'copy/hello.txt')).data.path, 'files/copy/hello.txt');
    assert.equal((await files.move('dir/hello.txt', 'moved/hello.txt')).error, null);
    assert.equal((await files.exists('dir/hello.txt')).data, false);
    assert.equal(await (await files.download('moved/hello.txt')).data.text(), 'hi');
    const removed = await files.remove(['moved/hello.txt', 'copy/hello.txt']);
    assert.deepEqual(removed.data.map((o) => o.name).sort(), ['copy/hello.txt', 'moved/hello.txt']);
    assert.equal((await files.exists('moved/hello.txt')).data, false);
    const missing = await files.download('moved/hello.txt');
    assert.equal(missing.data, null);
    assert.equal(missing.error.status, 400 <= missing.error.status && missing.error.status < 500 ? missing.error.status : -1);
  });

  it('signed download URLs, signed upload URLs, and public URLs work without credentials', T, async () => {
    await service.storage.createBucket('signed');
    const files = service.storage.from('signed');
    await files.upload('a.txt', 'A');
    await files.upload('b.txt', 'B');
    const one = await files.createSignedUrl('a.txt', 60);
    assert.equal(one.error, null);
    assert.equal(await (await fetch(one.data.signedUrl)).text(), 'A');
    const asFile = await files.createSignedUrl('a.txt', 60, { download: 'name.txt' });
    const res = await fetch(asFile.data.signedUrl);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    await res.body?.cancel();
    const many = await files.createSignedUrls(['a.txt', 'b.txt', 'missing.txt'], 60);
    assert.equal(many.error, null);
    assert.equal(await (await fetch(many.data[1].signedUrl)).text(), 'B');
    assert.equal(many.data[2].signedUrl, null);
    assert.ok(many.data[2].error);

    const upload = await files.createSignedUploadUrl('up/new.txt');
    assert.equal(upload.error, null);
    assert.ok(upload.data.token);
    const anon = createClient(gw.url, gw.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const done = await anon.storage.from('signed').uploadToSignedUrl('up/new.txt', upload.data.token, 'via token');
    assert.equal(done.error, null);
    assert.equal(done.data.path, 'up/new.txt');
    assert.equal(await (await files.download('up/new.txt')).data.text(), 'via token');

    await service.storage.createBucket('public', { public: true });
    await service.storage.from('public').upload('p.txt', 'public bytes');
    const { data } = anon.storage.from('public').getPublicUrl('p.txt');
    assert.equal(data.publicUrl, `${gw.url}/storage/v1/object/public/public/p.txt`);
    assert.equal(await (await fetch(data.publicUrl)).text(), 'public bytes');
    const dl = anon.storage.from('public').getPublicUrl('p.txt', { download: true });
    assert.match(dl.data.publicUrl, /\?download=$/);
  });

  it('upload progress is reported up to the whole size', T, async () => {
    await service.storage.createBucket('big');
    const bytes = new Uint8Array(1024 * 1024 + 123).map((_, i) => i % 251);
    const events = [];
    const up = await service.storage.from('big').upload('one.bin', bytes, {
      contentType: 'application/octet-stream',
      onUploadProgress: (e) => events.push(e),
    });
    assert.equal(up.error, null);
    assert.ok(events.length > 2, `${events.length} progress events`);
    assert.deepEqual(events.at(-1), { loaded: bytes.length, total: bytes.length });
    for (let i = 1; i < events.length; i++) assert.ok(events[i].loaded >= events[i - 1].loaded);
    const back = new Uint8Array(await (await service.storage.from('big').download('one.bin')).data.arrayBuffer());
    assert.deepEqual(back, bytes);
  });

  it("policies apply through the signed-in user's token: each user only in their own folder", T, async () => {
    const alice = await signedUp();
    const bob = await signedUp();
    const a = alice.client.storage.from('private');
    assert.equal((await a.upload(`${alice.user.id}/note.txt`, 'alice')).error, null);
    const intoBob = await a.upload(`${bob.user.id}/note.txt`, 'sneaky');
    assert.ok(intoBob.error instanceof StorageApiError);
    assert.ok([400, 403].includes(intoBob.error.status), `${intoBob.error.status}`);
    assert.equal(await (await a.download(`${alice.user.id}/note.txt`)).data.text(), 'alice');
    const b = bob.client.storage.from('private');
    const read = await b.download(`${alice.user.id}/note.txt`);
    assert.equal(read.data, null);
    assert.ok(read.error);
    assert.deepEqual((await b.list(alice.user.id)).data, []);
    assert.equal((await b.exists(`${alice.user.id}/note.txt`)).data, false);
    assert.deepEqual((await b.remove([`${alice.user.id}/note.txt`])).data, []);
    assert.equal(await (await a.download(`${alice.user.id}/note.txt`)).data.text(), 'alice');
  });

  it("upload progress in a browser (XMLHttpRequest) sends the user's apikey and token", T, async () => {
    const alice = await signedUp();
    const { data: { session } } = await alice.client.auth.getSession();
    const sent = [];
    // Stands in for the browser's XMLHttpRequest: records the headers set on it and performs the
    // request with fetch, so the gateway (and its RLS policies) decides the outcome.
    class RecordingXhr {
      constructor() {
        this.headers = {};
        this.upload = {};
        sent.push(this);
      }
      open(method, url) { this.method = method; this.url = url; }
      setRequestHeader(name, value) { this.headers[name.toLowerCase()] = value; }
      send(body) {
        fetch(this.url, { method: this.method, headers: this.headers, body }).then(async (res) => {
          this.upload.onprogress?.({ loaded: body.length, total: body.length, lengthComputable: true });
          this.status = res.status;
          this.statusText = res.statusText;
          this.responseText = await res.text();
          this.onload();
        }, (e) => this.onerror(e));
      }
    }
    const saved = globalThis.XMLHttpRequest;
    globalThis.XMLHttpRequest = RecordingXhr;
    const events = [];
    let up;
    try {
      up = await alice.client.storage.from('private').upload(`${alice.user.id}/progress.txt`, 'with progress', {
        contentType: 'text/plain',
        onUploadProgress: (e) => events.push(e),
      });
    } finally {
      globalThis.XMLHttpRequest = saved;
    }
    assert.equal(sent.length, 1);
    assert.equal(sent[0].headers.apikey, gw.anonKey);
    assert.equal(sent[0].headers.authorization, `Bearer ${session.access_token}`);
    assert.equal(up.error, null);
    assert.deepEqual(events.at(-1), { loaded: 13, total: 13 });
    const back = await alice.client.storage.from('private').download(`${alice.user.id}/progress.txt`);
    assert.equal(await back.data.text(), 'with progress');
  });
});
