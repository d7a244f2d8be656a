// Realtime against the real gateway: subscribe statuses, postgres_changes with filters and RLS,
// broadcast (socket and HTTP), presence, channel management, one multiplexed socket, heartbeats,
// and tokens refreshed on a live socket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestGateway, waitFor, sleep } from './support/gateway.js';
import { realtimeClient, subscribed, sentFrames } from './support/realtime.js';
import { TcpProxy } from './support/proxy.js';
import { JOIN_SCHEMA, violations } from './support/schema.js';

const T = { timeout: 60_000 };
let gw;
const clients = [];
const users = {};

function client(key = gw.anonKey, options = {}, url = gw.url) {
  const c = realtimeClient(url, key, options);
  clients.push(c);
  return c;
}

const test = (name, fn) => it(name, T, fn);

async function signIn(name) {
  const c = client();
  const { data, error } = await c.auth.signUp({ email: `${name}${Date.now()}@example.com`, password: 'correct-horse-battery' });
  assert.equal(error, null);
  return { client: c, user: data.user, session: data.session };
}

describe('realtime', () => {
  before(async () => {
    gw = await TestGateway.start();
    await gw.sql(`
      create table public.rt_rooms (id int primary key, name text);
      create table public.rt_members (room_id int references public.rt_rooms(id), user_id uuid, primary key (room_id, user_id));
      create table public.rt_messages (id bigserial primary key, room_id int not null references public.rt_rooms(id),
        user_id uuid, content text not null, created_at timestamptz not null default now());
      alter table public.rt_messages enable row level security;
      create policy "members read" on public.rt_messages for select to authenticated
        using (room_id in (select room_id from public.rt_members where user_id = auth.uid()));
      grant select, insert, update, delete on all tables in schema public to anon, authenticated, service_role;
      grant usage on all sequences in schema public to anon, authenticated, service_role;
      insert into public.rt_rooms values (1, 'one'), (2, 'two');
      alter table public.rt_messages replica identity full;
      alter publication supabase_realtime add table public.rt_messages;`);
    users.ann = await signIn('ann');
    users.ben = await signIn('ben');
    await gw.sql(`insert into public.rt_members values (1, '${users.ann.user.id}'), (2, '${users.ben.user.id}')`);
  });
  after(async () => {
    for (const c of clients) c.realtime.disconnect();
    await gw?.close();
  });

  test('subscribe reports SUBSCRIBED, then CLOSED on unsubscribe; a refused join is CHANNEL_ERROR; no answer is TIMED_OUT', async () => {
    const c = client(gw.serviceKey);
    const statuses = [];
    const ch = c.channel('statuses');
    await new Promise((resolve) => ch.subscribe((s) => { statuses.push(s); if (s === 'SUBSCRIBED') resolve(); }));
    assert.equal(await ch.unsubscribe(), 'ok');
    await waitFor(() => statuses.includes('CLOSED'), { message: 'CLOSED' });
    assert.deepEqual(statuses, ['SUBSCRIBED', 'CLOSED']);
    assert.equal(c.getChannels().includes(ch), false);

    const anon = client();
    const refused = await new Promise((resolve) => anon.channel('secret', { config: { private: true } }).subscribe((s, err) => { if (s !== 'CLOSED') resolve([s, err]); }));
    assert.equal(refused[0], 'CHANNEL_ERROR');
    assert.ok(refused[1] instanceof Error);

    const slow = client(gw.serviceKey);
    const timedOut = await new Promise((resolve) => slow.channel('too-fast').subscribe((s) => resolve(s), 1));
    assert.equal(timedOut, 'TIMED_OUT');
  });

  test('postgres_changes: INSERT, UPDATE, DELETE with filters, in the realtime-js payload shape', async () => {
    const c = client(gw.serviceKey);
    const room1 = [];
    const inserts = [];
    const deletes = [];
    const ch = c.channel('changes')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_messages', filter: 'room_id=eq.1' }, (p) => room1.push(p))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_messages' }, (p) => inserts.push(p))
      .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'rt_messages' }, (p) => deletes.push(p));
    await subscribed(ch);
    await gw.sql(`insert into public.rt_messages (room_id, content) values (1, 'hello'), (2, 'other room')`);
    await gw.sql(`update public.rt_messages set content = 'edited' where content = 'hello'`);
    await gw.sql(`delete from public.rt_messages where content = 'edited'`);
    await waitFor(() => room1.length === 2 && inserts.length === 2 && deletes.length === 1, { message: 'changes' })
      .catch((e) => { throw new Error(`${e.message}: ${JSON.stringify({ room1, inserts, deletes })}`); });
    const [ins, upd] = room1;
    const [del] = deletes;
    assert.deepEqual(Object.keys(ins).sort(), ['commit_timestamp', 'errors', 'eventType', 'new', 'old', 'position', 'schema', 'table']);
    assert.equal(ins.eventType, 'INSERT');
    assert.equal(ins.schema, 'public');
    assert.equal(ins.table, 'rt_messages');
    assert.equal(ins.new.content, 'hello');
    assert.equal(ins.new.room_id, 1);
    assert.deepEqual(ins.old, {});
    assert.ok(!Number.isNaN(Date.parse(ins.commit_timestamp)));
    assert.equal(upd.eventType, 'UPDATE');
    assert.equal(upd.new.content, 'edited');
    assert.equal(upd.old.id, ins.new.id);
    // A deleted row of a table under RLS reveals only its primary key (as Supabase), so a
    // filter on another column cannot match it: the room_id binding gets no DELETE.
    assert.equal(del.eventType, 'DELETE');
    assert.deepEqual(del.old, { id: ins.new.id });
    assert.deepEqual(del.new, {});
    assert.ok(BigInt(ins.position) < BigInt(upd.position) && BigInt(upd.position) < BigInt(del.position));
    assert.deepEqual(inserts.map((p) => p.new.content), ['hello', 'other room']);
  });

  test('RLS: two users subscribed to the same table each receive only the rows they may read', async () => {
    const got = { ann: [], ben: [] };
    for (const name of ['ann', 'ben']) {
      const ch = users[name].client.channel(`rls-${name}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_messages' }, (p) => got[name].push(p.new.content));
      await subscribed(ch);
    }
    await gw.sql(`insert into public.rt_messages (room_id, content) values (1, 'for room 1'), (2, 'for room 2'), (1, 'again room 1')`);
    await waitFor(() => got.ann.length === 2 && got.ben.length === 1, { message: 'RLS-filtered deliveries' });
    await sleep(300);
    assert.deepEqual(got.ann, ['for room 1', 'again room 1']);
    assert.deepEqual(got.ben, ['for room 2']);
  });

  test('broadcast: self, ack, events by name, and HTTP when not joined', async () => {
    const a = client(gw.serviceKey);
    const b = client(gw.serviceKey);
    const atA = [];
    const atB = [];
    const chA = a.channel('room-bc', { config: { broadcast: { self: true, ack: true } } }).on('broadcast', { event: 'typing' }, (m) => atA.push(m));
    const chB = b.channel('room-bc').on('broadcast', { event: 'typing' }, (m) => atB.push(m)).on('broadcast', { event: '*' }, () => {});
    await subscribed(chA);
    await subscribed(chB);
    assert.equal(await chA.send({ type: 'broadcast', event: 'typing', payload: { who: 'a' } }), 'ok');
    await chA.send({ type: 'broadcast', event: 'other', payload: { who: 'a' } });
    await waitFor(() => atA.length === 1 && atB.length === 1, { message: 'broadcast to self and other' });
    assert.deepEqual(atB[0].payload, { who: 'a' });
    assert.equal(atB[0].event, 'typing');
    assert.equal(atB[0].type, 'broadcast');

    const http = client(gw.serviceKey);
    const notJoined = http.channel('room-bc');
    assert.equal(await notJoined.send({ type: 'broadcast', event: 'typing', payload: { who: 'http' } }), 'ok');
    await waitFor(() => atB.some((m) => m.payload.who === 'http'), { message: 'HTTP broadcast' });
    assert.equal(http.record.sockets.length, 0, 'the HTTP path opens no socket');
  });

  test('presence: track, sync/join/leave events, presenceState, untrack, a closed socket leaves', async () => {
    const a = client(gw.serviceKey);
    const b = client(gw.serviceKey);
    const events = [];
    const chA = a.channel('lobby', { config: { presence: { key: 'ann' } } })
      .on('presence', { event: 'sync' }, () => events.push('sync'))
      .on('presence', { event: 'join' }, ({ key, newPresences }) => events.push(`join:${key}:${newPresences.length}`))
      .on('presence', { event: 'leave' }, ({ key }) => events.push(`leave:${key}`));
    await subscribed(chA);
    assert.equal(await chA.track({ status: 'online' }), 'ok');
    const chB = b.channel('lobby', { config: { presence: { key: 'ben' } } }).on('presence', { event: 'sync' }, () => {});
    await subscribed(chB);
    await chB.track({ status: 'away' });
    await waitFor(() => Object.keys(chA.presenceState()).length === 2, { message: 'two presences' });
    const state = chA.presenceState();
    assert.equal(state.ann[0].status, 'online');
    assert.equal(state.ben[0].status, 'away');
    assert.ok(state.ben[0].presence_ref);
    assert.ok(events.includes('sync') && events.includes('join:ann:1') && events.includes('join:ben:1'));
    assert.equal(await chB.untrack(), 'ok');
    await waitFor(() => events.includes('leave:ben') && !chA.presenceState().ben, { message: 'untrack leaves' });
    await chB.track({ status: 'back' });
    await waitFor(() => chA.presenceState().ben?.[0]?.status === 'back', { message: 'tracked again' });
    b.realtime.disconnect();
    await waitFor(() => !chA.presenceState().ben, { timeoutMs: 20_000, message: 'presence gone with the socket' });
  });

  test('one socket for every channel; getChannels, removeChannel, removeAllChannels', async () => {
    const c = client(gw.serviceKey);
    const one = c.channel('m1');
    const two = c.channel('m2');
    assert.equal(c.channel('m1'), one, 'same name, same channel');
    await subscribed(one);
    await subscribed(two);
    assert.equal(c.record.sockets.length, 1);
    assert.deepEqual(c.getChannels().map((ch) => ch.topic), ['realtime:m1', 'realtime:m2']);
    assert.equal(await c.removeChannel(one), 'ok');
    assert.deepEqual(c.getChannels().map((ch) => ch.topic), ['realtime:m2']);
    assert.equal(c.realtime.isConnected(), true);
    assert.deepEqual(await c.removeAllChannels(), ['ok']);
    assert.deepEqual(c.getChannels(), []);
    assert.equal(c.realtime.isConnected(), false);
  });

  test('heartbeats keep the socket; a frozen connection is noticed by the heartbeat and replaced', async () => {
    const proxy = await TcpProxy.start(gw.port);
    try {
      const c = client(gw.serviceKey, { realtime: { heartbeatIntervalMs: 300, timeout: 2000 } }, proxy.url);
      const got = [];
      const statuses = [];
      const ch = c.channel('hb').on('broadcast', { event: 'x' }, (m) => got.push(m.payload.n));
      ch.subscribe((s) => statuses.push(s));
      await waitFor(() => statuses.includes('SUBSCRIBED'), { message: 'SUBSCRIBED' });
      await sleep(1000);
      assert.ok(sentFrames(c.record, 'heartbeat').length >= 2);
      assert.equal(c.record.sockets.length, 1, 'answered heartbeats keep the socket');
      proxy.freeze();
      await waitFor(() => statuses.includes('CHANNEL_ERROR'), { message: 'heartbeat timeout noticed' });
      proxy.thaw();
      await waitFor(() => statuses.filter((s) => s === 'SUBSCRIBED').length === 2, { timeoutMs: 20_000, message: 'rejoined on a new socket' });
      assert.ok(c.record.sockets.length >= 2);
      const sender = client(gw.serviceKey);
      await sender.channel('hb').send({ type: 'broadcast', event: 'x', payload: { n: 1 } });
      await waitFor(() => got.includes(1), { message: 'broadcast after the new socket' });
    } finally {
      await proxy.close();
    }
  });

  test('a refreshed token is pushed to the live socket and keeps the channel open past the old expiry', async () => {
    const { user } = users.ann;
    let token = gw.userToken(user.id, { expiresIn: 6 });
    const c = client(gw.anonKey, { accessToken: async () => token });
    const got = [];
    const statuses = [];
    const ch = c.channel('refresh').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_messages' }, (p) => got.push(p.new.content));
    ch.subscribe((s) => statuses.push(s));
    await waitFor(() => statuses.includes('SUBSCRIBED'), { message: 'SUBSCRIBED' });
    const joined = sentFrames(c.record, 'phx_join')[0];
    assert.equal(joined[4].access_token, token);

    // the same user without a refresh: the server ends its channel at expiry
    const stale = gw.userToken(user.id, { expiresIn: 6 });
    const control = client(gw.anonKey, { accessToken: async () => stale });
    const controlStatuses = [];
    const controlSystem = [];
    const cch = control.channel('refresh-control').on('system', {}, (p) => controlSystem.push(p));
    cch.subscribe((s) => controlStatuses.push(s));
    await waitFor(() => controlStatuses.includes('SUBSCRIBED'), { message: 'control SUBSCRIBED' });

    token = gw.userToken(user.id, { expiresIn: 3600 });
    await c.realtime.setAuth();
    const pushed = sentFrames(c.record, 'access_token');
    assert.equal(pushed.at(-1)[4].access_token, token);
    assert.equal(pushed.at(-1)[2], 'realtime:refresh');
    await sleep(8000);
    await gw.sql(`insert into public.rt_messages (room_id, content) values (1, 'after expiry'), (2, 'not ann')`);
    await waitFor(() => got.includes('after expiry'), { message: 'delivery after the old token expired' });
    assert.equal(c.record.sockets.length, 1, 'same socket');
    assert.deepEqual(statuses, ['SUBSCRIBED']);
    await waitFor(() => controlStatuses.some((s) => s === 'CHANNEL_ERROR' || s === 'CLOSED') || controlSystem.length > 0, { message: 'control channel closed at expiry' });
  });

  test('signing in, refreshing and signing out update the socket token (supabase-js behaviour)', async () => {
    const c = client();
    const statuses = [];
    const ch = c.channel('auth-follow');
    ch.subscribe((s) => statuses.push(s));
    await waitFor(() => statuses.includes('SUBSCRIBED'), { message: 'SUBSCRIBED' });
    const carried = (token) => [...sentFrames(c.record, 'access_token'), ...sentFrames(c.record, 'phx_join')]
      .some((m) => m[4].access_token === token);
    // another identity: the channel rejoins with the user's token (the server refuses a takeover)
    const { data } = await c.auth.signUp({ email: `follow${Date.now()}@example.com`, password: 'correct-horse-battery' });
    await waitFor(() => carried(data.session.access_token) && statuses.filter((s) => s === 'SUBSCRIBED').length === 2, { message: 'rejoined as the user' });
    // the same identity, refreshed: pushed as access_token on the joined channel (a second
    // later, so that the new token differs: tokens carry their issue time in seconds)
    await sleep(1100);
    const { data: refreshed } = await c.auth.refreshSession();
    await waitFor(() => sentFrames(c.record, 'access_token').some((m) => m[4].access_token === refreshed.session.access_token), { message: 'TOKEN_REFRESHED token pushed' })
      .catch((e) => { throw new Error(`${e.message}: ${ch.state} ${refreshed?.session?.access_token?.slice(-6)} ${c.record.sent.filter((f) => !f.includes('heartbeat')).map((f) => f.slice(0, 50) + f.slice(-8)).join(' | ')}`); });
    await c.auth.signOut();
    await waitFor(() => sentFrames(c.record, 'phx_join').at(-1)[4].access_token === gw.anonKey && statuses.filter((s) => s === 'SUBSCRIBED').length === 3, { message: 'back to the key after SIGNED_OUT' });
    await sleep(300);
    assert.equal(ch.state, 'joined');
    assert.equal(c.record.sockets.length, 1);
  });

  test('the JSON object serializer (vsn 1.0.0) works too', async () => {
    const c = client(gw.serviceKey, { realtime: { vsn: '1.0.0' } });
    const got = [];
    const ch = c.channel('v1', { config: { broadcast: { self: true, ack: true } } }).on('broadcast', { event: 'e' }, (m) => got.push(m.payload));
    await subscribed(ch);
    assert.match(c.record.sockets[0].url, /vsn=1\.0\.0/);
    assert.equal(typeof JSON.parse(c.record.sent[0]).topic, 'string', 'frames are objects');
    assert.equal(await ch.send({ type: 'broadcast', event: 'e', payload: { v: 1 } }), 'ok');
    await waitFor(() => got.length === 1, { message: 'own broadcast over vsn 1.0.0' });
    assert.deepEqual(got, [{ v: 1 }]);
  });

  test('every join the SDK sent matches docs/realtime-join.schema.json (the server tests use the same file)', async () => {
    const joins = clients.flatMap((c) => sentFrames(c.record, 'phx_join'));
    assert.ok(joins.length >= 10, `${joins.length} joins`);
    assert.ok(joins.some((j) => j[4].config.postgres_changes.length > 0 && j[4].access_token));
    for (const join of joins) assert.deepEqual(violations(JOIN_SCHEMA, join[4]), [], JSON.stringify(join[4]));
    assert.ok(violations(JOIN_SCHEMA, { config: { resume: { position: 12 } } }).length > 0, 'the checker catches a bad payload');
  });
});
