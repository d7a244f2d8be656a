// Drives supabase-js's realtime client (realtime-js), unmodified, against a running Parley
// gateway whose database holds realtime.sql: postgres_changes under RLS, broadcast, presence,
// private channels, setAuth and removeChannel, each with two signed-in users.
//
//   PARLEY_URL=... PARLEY_ANON_KEY=... PARLEY_SERVICE_KEY=... node --experimental-websocket realtime.mjs
import { createClient } from '@supabase/supabase-js'
import { check, exitWithResult } from './checks.mjs'
import assert from 'node:assert/strict'

const url = process.env.PARLEY_URL ?? 'http://127.0.0.1:54321'
// Node 20 has a WebSocket only with --experimental-websocket (run.sh passes it); hand it to
// realtime-js explicitly so the transport under test is never a guess.
if (typeof WebSocket === 'undefined') throw new Error('no global WebSocket: run with node --experimental-websocket (Node 20)')
const options = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: WebSocket },
}
const service = createClient(url, process.env.PARLEY_SERVICE_KEY, options)
const TIMEOUT = 5000
function must({ data, error }) {
  if (error) throw new Error(`unexpected error ${error.code} ${error.message}`)
  return data
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** Waits until probe() returns something truthy, or fails after TIMEOUT naming what it waited for. */
async function until(what, probe) {
  const deadline = Date.now() + TIMEOUT
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
/** Subscribes and resolves with the final status: SUBSCRIBED, or CHANNEL_ERROR with its message. */
function subscribe(channel) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to the join of ${channel.topic}`)), TIMEOUT)
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        clearTimeout(timer)
        resolve({ status, message: err?.message })
      }
    })
  })
}
async function joined(channel) {
  const { status, message } = await subscribe(channel)
  assert.equal(status, 'SUBSCRIBED', `${channel.topic}: ${message}`)
  return channel
}
async function signUp(name) {
  const client = createClient(url, process.env.PARLEY_ANON_KEY, options)
  const { data, error } = await client.auth.signUp({ email: `rt-${name}-${Date.now()}@example.com`, password: 'realtime-password' })
  if (error) throw new Error(`signUp ${name}: ${error.message}`)
  return { client, id: data.user.id, session: data.session }
}
const ada = await signUp('ada')
const bob = await signUp('bob')
const anon = createClient(url, process.env.PARLEY_ANON_KEY, options)
const run = Date.now()

// Each user listens to the changes of rt_notes; RLS lets each see only their own rows.
function listen(user, name) {
  const events = []
  const channel = user.client.channel(`${name}-${run}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_notes', filter: 'room=eq.1' }, (p) => events.push(p))
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'rt_notes' }, (p) => events.push(p))
    .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'rt_notes' }, (p) => events.push(p))
  return { channel, events }
}
const adaFeed = listen(ada, 'ada-changes')
const bobFeed = listen(bob, 'bob-changes')
let adaNote

await check('postgres_changes INSERT: filter and RLS per user', async () => {
  await joined(adaFeed.channel); await joined(bobFeed.channel)
  adaNote = must(await ada.client.from('rt_notes').insert({ room: 1, body: 'ada in 1' }).select().single())
  must(await ada.client.from('rt_notes').insert({ room: 2, body: 'ada in 2' }))
  const bobNote = must(await bob.client.from('rt_notes').insert({ room: 1, body: 'bob in 1' }).select().single())
  await until('ada\'s insert', () => adaFeed.events.length >= 1)
  await until('bob\'s insert', () => bobFeed.events.length >= 1)
  await sleep(300)
  assert.equal(adaFeed.events.length, 1, JSON.stringify(adaFeed.events))
  assert.equal(bobFeed.events.length, 1, JSON.stringify(bobFeed.events))
  const [a] = adaFeed.events
  assert.equal(a.eventType, 'INSERT'); assert.equal(a.schema, 'public'); assert.equal(a.table, 'rt_notes')
  assert.deepEqual(a.new, adaNote); assert.deepEqual(a.old, {}); assert.ok(a.commit_timestamp)
  assert.deepEqual(bobFeed.events[0].new, bobNote)
})

await check('postgres_changes UPDATE and DELETE: the owner sees the update, a delete reveals the key', async () => {
  adaFeed.events.length = 0; bobFeed.events.length = 0
  must(await ada.client.from('rt_notes').update({ body: 'ada edited' }).eq('id', adaNote.id))
  const update = await until('ada\'s update', () => adaFeed.events.find((e) => e.eventType === 'UPDATE'))
  assert.deepEqual(update.new, { ...adaNote, body: 'ada edited' }); assert.deepEqual(update.old, { id: adaNote.id })
  must(await ada.client.from('rt_notes').delete().eq('id', adaNote.id))
  const deleted = await until('ada\'s delete', () => adaFeed.events.find((e) => e.eventType === 'DELETE'))
  assert.deepEqual(deleted.old, { id: adaNote.id }); assert.deepEqual(deleted.new, {})
  // like Supabase: a delete cannot be checked against RLS, so every subscriber who may SELECT
  // the table gets its primary key, and nothing more
  const bobDeleted = await until('the delete at bob', () => bobFeed.events.find((e) => e.eventType === 'DELETE'))
  assert.deepEqual(bobDeleted.old, { id: adaNote.id })
  assert.equal(bobFeed.events.filter((e) => e.eventType === 'UPDATE').length, 0, 'bob got ada\'s update')
})

await check('broadcast: self, ack, other clients, httpSend', async () => {
  const topic = `bc-${run}`
  const adaGot = []; const bobGot = []
  const adaRoom = await joined(ada.client.channel(topic, { config: { broadcast: { self: true, ack: true } } })
    .on('broadcast', { event: 'typing' }, (m) => adaGot.push(m)))
  const bobRoom = await joined(bob.client.channel(topic).on('broadcast', { event: 'typing' }, (m) => bobGot.push(m)))
  assert.equal(await adaRoom.send({ type: 'broadcast', event: 'typing', payload: { who: 'ada' } }), 'ok')
  await until('ada\'s own broadcast (self)', () => adaGot.length === 1)
  await until('ada\'s broadcast at bob', () => bobGot.length === 1)
  assert.deepEqual(bobGot[0].payload, { who: 'ada' }); assert.equal(bobGot[0].event, 'typing'); assert.equal(bobGot[0].type, 'broadcast')
  assert.equal(await bobRoom.send({ type: 'broadcast', event: 'typing', payload: { who: 'bob' } }), 'ok')
  await until('bob\'s broadcast at ada', () => adaGot.length === 2)
  await sleep(200)
  assert.equal(bobGot.length, 1, 'bob got his own broadcast without self')
  assert.deepEqual(adaGot.map((m) => m.payload.who), ['ada', 'bob'])
  if (typeof adaRoom.httpSend === 'function') {
    assert.deepEqual(await adaRoom.httpSend('typing', { who: 'http' }), { success: true })
    await until('the httpSend broadcast at bob', () => bobGot.some((m) => m.payload.who === 'http'))
  }
  await ada.client.removeChannel(adaRoom); await bob.client.removeChannel(bobRoom)
})

await check('presence: track, sync, join, leave between two clients', async () => {
  const topic = `lobby-${run}`
  const adaJoins = []; const adaLeaves = []; const bobLeaves = []; let bobSyncs = 0
  const adaRoom = ada.client.channel(topic, { config: { presence: { key: 'ada' } } })
    .on('presence', { event: 'join' }, (e) => adaJoins.push(e)).on('presence', { event: 'leave' }, (e) => adaLeaves.push(e))
  const bobRoom = bob.client.channel(topic, { config: { presence: { key: 'bob' } } })
    .on('presence', { event: 'sync' }, () => bobSyncs++).on('presence', { event: 'leave' }, (e) => bobLeaves.push(e))
  await joined(adaRoom)
  assert.equal(await adaRoom.track({ name: 'Ada' }), 'ok')
  await joined(bobRoom)
  assert.equal(await bobRoom.track({ name: 'Bob' }), 'ok')
  const state = await until('both presences at bob', () => {
    const s = bobRoom.presenceState(); return s.ada && s.bob ? s : null
  })
  assert.ok(bobSyncs > 0, 'no sync event at bob')
  assert.equal(state.ada.length, 1); assert.equal(state.ada[0].name, 'Ada'); assert.ok(state.ada[0].presence_ref)
  await until('ada in her own state', () => adaRoom.presenceState().ada)
  const join = await until('bob\'s join at ada', () => adaJoins.find((e) => e.key === 'bob'))
  assert.equal(join.newPresences[0].name, 'Bob')
  assert.equal(await adaRoom.untrack(), 'ok')
  const leave = await until('ada\'s leave at bob', () => bobLeaves.find((e) => e.key === 'ada'))
  assert.equal(leave.leftPresences[0].name, 'Ada')
  await until('ada gone from bob\'s state', () => !bobRoom.presenceState().ada)
  // leaving the channel drops the presence too
  assert.equal(await bob.client.removeChannel(bobRoom), 'ok')
  await until('bob\'s leave at ada', () => adaLeaves.find((e) => e.key === 'bob'))
  await ada.client.removeChannel(adaRoom)
})

const vault = `vault-${run}`
let adaVault
const vaultGot = []
await check('private channel: allowed and refused by a realtime.messages policy', async () => {
  must(await service.from('rt_members').insert({ topic: vault, user_id: ada.id }))
  adaVault = await joined(ada.client.channel(vault, { config: { private: true, broadcast: { self: true, ack: true } } })
    .on('broadcast', { event: 'secret' }, (m) => vaultGot.push(m)))
  assert.equal(await adaVault.send({ type: 'broadcast', event: 'secret', payload: { n: 1 } }), 'ok')
  await until('ada\'s private broadcast', () => vaultGot.length === 1)
  for (const [who, client] of [['bob', bob.client], ['anon', anon]]) {
    const refused = client.channel(vault, { config: { private: true } })
    const { status, message } = await subscribe(refused)
    assert.equal(status, 'CHANNEL_ERROR', `${who} joined the private channel`)
    assert.match(message ?? '', /Unauthorized/, `${who}: ${message}`)
    await client.removeChannel(refused)
  }
  // the public channel of the same name is another topic: it does not hear the private one
  const outsideGot = []
  const outside = await joined(bob.client.channel(vault).on('broadcast', { event: 'secret' }, (m) => outsideGot.push(m)))
  assert.equal(await adaVault.send({ type: 'broadcast', event: 'secret', payload: { n: 2 } }), 'ok')
  await until('the second private broadcast', () => vaultGot.length === 2)
  await sleep(200)
  assert.equal(outsideGot.length, 0, 'the public channel heard the private one')
  await bob.client.removeChannel(outside)
})

await check('setAuth with a refreshed token keeps channels working; losing the policy closes the private one', async () => {
  const refreshed = must(await ada.client.auth.refreshSession())
  assert.notEqual(refreshed.session.access_token, ada.session.access_token)
  await ada.client.realtime.setAuth(refreshed.session.access_token)
  await sleep(200)
  assert.equal(adaFeed.channel.state, 'joined'); assert.equal(adaVault.state, 'joined')
  adaFeed.events.length = 0
  const note = must(await ada.client.from('rt_notes').insert({ room: 1, body: 'after refresh' }).select().single())
  await until('a change after the refresh', () => adaFeed.events.find((e) => e.new?.id === note.id))
  // membership revoked: the next token the client sends no longer passes the SELECT policy
  must(await service.from('rt_members').delete().eq('topic', vault))
  // tokens carry whole seconds: a refresh within the same second would give the same token,
  // which realtime-js does not resend
  await sleep(1100)
  const again = must(await ada.client.auth.refreshSession())
  assert.notEqual(again.session.access_token, refreshed.session.access_token)
  await ada.client.realtime.setAuth(again.session.access_token)
  await until('the private channel to close', () => adaVault.state === 'closed' || adaVault.state === 'errored')
  assert.equal(adaFeed.channel.state, 'joined')
})

await check('removeChannel: no more events, channel forgotten', async () => {
  assert.equal(await ada.client.removeChannel(adaFeed.channel), 'ok')
  assert.ok(!ada.client.getChannels().includes(adaFeed.channel))
  adaFeed.events.length = 0; bobFeed.events.length = 0
  must(await ada.client.from('rt_notes').insert({ room: 1, body: 'unheard' }))
  const bobNote = must(await bob.client.from('rt_notes').insert({ room: 1, body: 'heard' }).select().single())
  await until('bob\'s insert', () => bobFeed.events.find((e) => e.new?.id === bobNote.id))
  assert.equal(adaFeed.events.length, 0, JSON.stringify(adaFeed.events))
  await ada.client.removeAllChannels(); await bob.client.removeAllChannels()
})

await Promise.all([ada.client.realtime.disconnect(), bob.client.realtime.disconnect(), anon.realtime.disconnect()])
exitWithResult()
