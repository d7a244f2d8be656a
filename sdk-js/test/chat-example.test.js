// The original chat example's data and realtime calls (../shared/reference/chat-example.md,
// written for the Fluxbase SDK), run unchanged against Parley: message history with embedded
// profile and reactions, sending/editing/deleting, presence tracked before subscribe with a
// sync handler reading presenceState(), and typing broadcasts sent from a fresh channel() call.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createClient } from '../src/index.js';
import { TestGateway, waitFor } from './support/gateway.js';

const T = { timeout: 60_000 };
let gw;
const people = {};
let roomId;

const test = (name, fn) => it(name, T, fn);

async function person(name) {
  const fluxbase = createClient(gw.url, gw.anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket } });
  const { data, error } = await fluxbase.auth.signUp({ email: `${name}${Date.now()}@example.com`, password: 'correct-horse-battery' });
  assert.equal(error, null);
  return { fluxbase, user: data.user };
}

describe('the original chat example', () => {
  before(async () => {
    gw = await TestGateway.start();
    // The chat schema of the migrations (sql/V40..V58: the example's tables, with its policies
    // fixed); profiles are made on sign-up. A room with both users in it:
    for (const name of ['ann', 'ben']) people[name] = await person(name);
    const [{ id }] = await gw.sql(`insert into public.rooms (name, created_by) values ('general', '${people.ann.user.id}') returning id`);
    roomId = id;
    await gw.sql(`insert into public.room_members (room_id, user_id, role) values
      ('${roomId}', '${people.ann.user.id}', 'admin'), ('${roomId}', '${people.ben.user.id}', 'member');`);
    await waitFor(async () => (await people.ann.fluxbase.from('messages').select('id')).error === null, { timeoutMs: 15_000, message: 'schema cache' });
  });
  after(async () => {
    for (const p of Object.values(people)) p.fluxbase.realtime.disconnect();
    await gw?.close();
  });

  test('useChat: send, fetch history with user and reactions, edit, delete', async () => {
    const { fluxbase, user } = people.ann;
    // sendMessage
    const sent = await fluxbase
      .from('messages')
      .insert({ room_id: roomId, user_id: user.id, content: 'hello room', type: 'text' })
      .select()
      .single();
    assert.equal(sent.error, null);
    const message = sent.data;
    assert.equal(message.content, 'hello room');
    await people.ben.fluxbase.from('message_reactions').insert({ message_id: message.id, user_id: people.ben.user.id, emoji: '👍' });
    // fetch messages
    const { data, error } = await people.ben.fluxbase
      .from('messages')
      .select('*, user:user_profiles(*), reactions:message_reactions(*)')
      .eq('room_id', roomId)
      .order('created_at', { ascending: true })
      .limit(100);
    assert.equal(error, null);
    assert.equal(data.length, 1);
    assert.equal(data[0].user.id, user.id);
    assert.ok(data[0].user.username);
    assert.deepEqual(data[0].reactions.map((r) => r.emoji), ['👍']);
    // editMessage
    const edited = await fluxbase.from('messages').update({ content: 'hello, room', edited: true }).eq('id', message.id).select().single();
    assert.equal(edited.error, null);
    assert.equal(edited.data.edited, true);
    // someone else's message cannot be edited: no row matches under RLS
    const notMine = await people.ben.fluxbase.from('messages').update({ content: 'x' }).eq('id', message.id).select().single();
    assert.equal(notMine.error.code, 'PGRST116');
    // deleteMessage
    const removed = await fluxbase.from('messages').delete().eq('id', message.id);
    assert.equal(removed.error, null);
    // the chat schema keeps a deleted message as a blanked tombstone (a thread anchor)
    const left = (await fluxbase.from('messages').select('id, content, deleted_at').eq('room_id', roomId)).data;
    assert.ok(left.length === 0 || (left[0].deleted_at && left[0].content === ''), JSON.stringify(left));
  });

  test('usePresence and useTyping: track before subscribe, sync reads presenceState, typing broadcasts', async () => {
    const seen = {};
    const typing = [];
    for (const name of ['ann', 'ben']) {
      const { fluxbase, user } = people[name];
      // usePresence, as written in the example
      const channel = fluxbase.channel(`room:${roomId}`);
      channel.track({ user_id: user.id, username: user.email, status: 'online' });
      channel.on('presence', { event: 'sync' }, () => {
        const state = channel.presenceState();
        seen[name] = new Set(Object.keys(state).map((key) => state[key][0].user_id));
      });
      channel.subscribe();
      // useTyping's listener
      const typingChannel = fluxbase.channel(`room:${roomId}:typing`);
      typingChannel.on('broadcast', { event: 'typing' }, (payload) => {
        const { user_id, is_typing } = payload.payload;
        typing.push({ to: name, user_id, is_typing });
      });
      typingChannel.subscribe();
    }
    const both = new Set([people.ann.user.id, people.ben.user.id]);
    await waitFor(() => seen.ann?.size === 2 && seen.ben?.size === 2, { timeoutMs: 20_000, message: 'both online for both' });
    assert.deepEqual(seen.ann, both);
    await waitFor(() => people.ann.fluxbase.channel(`room:${roomId}:typing`).state === 'joined', { message: 'typing channel joined' });
    // notifyTyping: a fresh channel() call returns the subscribed channel and sends on it
    const { fluxbase, user } = people.ann;
    const channel = fluxbase.channel(`room:${roomId}:typing`);
    channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: user.id, is_typing: true } });
    await waitFor(() => typing.some((t) => t.to === 'ben' && t.user_id === user.id && t.is_typing), { message: 'ben sees ann typing' });
    assert.equal(typing.some((t) => t.to === 'ann'), false, 'no echo to the sender (self: false)');
  });
});
