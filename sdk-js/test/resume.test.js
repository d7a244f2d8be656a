// Parley's resume, end to end: the SDK remembers each channel's last position and rejoins from
// it, so a dropped socket or a gateway restart loses and duplicates nothing; past the retention
// window the channel emits 'resync'.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestGateway, waitFor, sleep } from './support/gateway.js';
import { realtimeClient, subscribed, sentFrames } from './support/realtime.js';
import { TcpProxy } from './support/proxy.js';
import { JOIN_SCHEMA, violations } from './support/schema.js';

const T = { timeout: 120_000 };
let gw;
const clients = [];

function client(options = {}, url = gw.url) {
  const c = realtimeClient(url, gw.serviceKey, options);
  clients.push(c);
  return c;
}

const test = (name, fn) => it(name, T, fn);

/** Commits rows first..last of stream `s`, one transaction each, until done or stopped. */
async function commitRows(s, first, last, { pauseMs = 5 } = {}) {
  for (let n = first; n <= last; n++) {
    await gw.sql(`insert into public.events (stream, n) values ('${s}', ${n})`);
    if (pauseMs) await sleep(pauseMs);
  }
}

function assertExactlyOnceInOrder(got, count) {
  const expected = Array.from({ length: count }, (_, i) => i + 1);
  const dups = got.filter((n, i) => got.indexOf(n) !== i);
  assert.deepEqual(dups, [], 'no duplicates');
  assert.deepEqual(got, expected, 'every row, in commit order');
}

describe('resume', () => {
  before(async () => {
    gw = await TestGateway.start();
    await gw.sql(`
      create table public.events (id bigserial primary key, stream text not null, n int not null);
      grant all on public.events to service_role;
      alter publication supabase_realtime add table public.events;`);
  });
  after(async () => {
    for (const c of clients) c.realtime.disconnect();
    await gw?.close();
  });

  test('the socket is killed twice while changes keep committing: nothing lost, nothing duplicated', async () => {
    const proxy = await TcpProxy.start(gw.port);
    try {
      const c = client({}, proxy.url);
      const got = [];
      const statuses = [];
      const ch = c.channel('kill')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'events', filter: 'stream=eq.kill' }, (p) => got.push(p.new.n));
      ch.subscribe((s) => statuses.push(s));
      await waitFor(() => statuses.includes('SUBSCRIBED'), { message: 'SUBSCRIBED' });
      const writing = commitRows('kill', 1, 300);
      await waitFor(() => got.length >= 40, { timeoutMs: 30_000, message: '40 rows before the first cut' });
      proxy.cut();
      await waitFor(() => statuses.filter((s) => s === 'SUBSCRIBED').length === 2, { timeoutMs: 30_000, message: 'rejoined after the first cut' });
      await waitFor(() => got.at(-1) > 120, { timeoutMs: 30_000, message: 'rows after the first cut' });
      proxy.cut();
      await writing;
      await waitFor(() => got.length >= 300, { timeoutMs: 30_000, message: 'all 300 rows' });
      await sleep(300);
      assertExactlyOnceInOrder(got, 300);
      const resumes = sentFrames(c.record, 'phx_join').map((m) => m[4].config.resume?.position);
      assert.equal(resumes[0], undefined, 'the first join starts live');
      assert.ok(resumes.slice(1).every((p) => /^\d+$/.test(p)), `rejoins carry a position: ${resumes}`);
      for (const join of sentFrames(c.record, 'phx_join')) assert.deepEqual(violations(JOIN_SCHEMA, join[4]), []);
      assert.ok(c.record.sockets.length >= 3);
    } finally {
      await proxy.close();
    }
  });

  test('a channel that has seen no event yet resumes from its join position', async () => {
    const proxy = await TcpProxy.start(gw.port);
    try {
      const c = client({ realtime: { reconnectAfterMs: () => 1500 } }, proxy.url);
      const got = [];
      const ch = c.channel('quiet')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'events', filter: 'stream=eq.quiet' }, (p) => got.push(p.new.n));
      await subscribed(ch);
      proxy.cut();
      await commitRows('quiet', 1, 5, { pauseMs: 0 });
      await waitFor(() => got.length === 5, { timeoutMs: 30_000, message: 'rows committed while cut off' });
      assertExactlyOnceInOrder(got, 5);
    } finally {
      await proxy.close();
    }
  });

  test('a gateway restart: the SDK reconnects with backoff, rejoins and receives what it missed once', async () => {
    const c = client();
    const got = [];
    const bc = [];
    const statuses = [];
    const ch = c.channel('restart')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'events', filter: 'stream=eq.restart' }, (p) => got.push(p.new.n))
      .on('broadcast', { event: 'db' }, (m) => bc.push(m.payload.n));
    ch.subscribe((s) => statuses.push(s));
    await waitFor(() => statuses.includes('SUBSCRIBED'), { message: 'SUBSCRIBED' });
    await commitRows('restart', 1, 50, { pauseMs: 0 });
    await gw.sql(`select realtime.send('{"n": 1}'::jsonb, 'db', 'restart', false)`);
    await waitFor(() => got.length === 50 && bc.length === 1, { message: 'rows before the restart' });
    await gw.stop();
    await waitFor(() => statuses.includes('CHANNEL_ERROR'), { message: 'the channel noticed' });
    await gw.restart();
    // committed after the restart, before the SDK is back (its backoff is still running)
    await commitRows('restart', 51, 80, { pauseMs: 0 });
    await gw.sql(`select realtime.send('{"n": 2}'::jsonb, 'db', 'restart', false)`);
    await waitFor(() => got.length >= 80 && bc.length >= 2, { timeoutMs: 60_000, message: 'rows after the restart' });
    await commitRows('restart', 81, 90, { pauseMs: 0 });
    await waitFor(() => got.length >= 90, { message: 'live rows after the restart' });
    await sleep(300);
    assertExactlyOnceInOrder(got, 90);
    assert.deepEqual(bc, [1, 2]);
  });

  test("past the retention window the channel emits 'resync' (and keeps receiving live events)", async () => {
    const proxy = await TcpProxy.start(gw.port);
    try {
      const c = client({ realtime: { reconnectAfterMs: () => 3000 } }, proxy.url);
      const got = [];
      const resyncs = [];
      const ch = c.channel('old')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'events', filter: 'stream=eq.old' }, (p) => got.push(p.new.n))
        .on('resync', {}, (info) => resyncs.push(info));
      await subscribed(ch);
      await commitRows('old', 1, 3, { pauseMs: 0 });
      await waitFor(() => got.length === 3, { message: 'first rows' });
      proxy.cut();
      await commitRows('old', 4, 6, { pauseMs: 0 });
      await gw.sql(`select realtime.prune('0 seconds')`);
      await waitFor(() => resyncs.length === 1, { timeoutMs: 30_000, message: 'resync' });
      assert.match(resyncs[0].reason, /retained|refetch/i);
      assert.deepEqual(got, [1, 2, 3], 'no partial replay');
      await commitRows('old', 7, 7, { pauseMs: 0 });
      await waitFor(() => got.includes(7), { message: 'live after resync' });
    } finally {
      await proxy.close();
    }
  });

  test("Supabase's broadcast replay: older database broadcasts arrive (meta.replayed) and do not disturb resume", async () => {
    for (let n = 1; n <= 3; n++) await gw.sql(`select realtime.send('{"n": ${n}}'::jsonb, 'db', 'replay', true)`);
    const c = client();
    const got = [];
    const ch = c.channel('replay', { config: { private: true, broadcast: { replay: { since: Date.now() - 60_000, limit: 10 } } } })
      .on('broadcast', { event: 'db' }, (m) => got.push([m.payload.n, Boolean(m.meta?.replayed)]));
    await subscribed(ch);
    await waitFor(() => got.length === 3, { message: 'three replayed broadcasts' });
    await gw.sql(`select realtime.send('{"n": 4}'::jsonb, 'db', 'replay', true)`);
    await waitFor(() => got.length === 4, { message: 'the live broadcast' });
    assert.deepEqual(got, [[1, true], [2, true], [3, true], [4, false]]);
  });
});
