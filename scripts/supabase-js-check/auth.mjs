// Drives supabase-js's auth client, unmodified, against a running Parley gateway and fails
// loudly on the first difference from what a Supabase project would answer.
//
//   PARLEY_URL=http://127.0.0.1:54321 PARLEY_ANON_KEY=... PARLEY_SERVICE_KEY=... node auth.mjs
//
// Expects the gateway's defaults for auth (confirmation off, 10 s reuse interval, 10 sign-ins
// per email per window).
import { createClient } from '@supabase/supabase-js'
import assert from 'node:assert/strict'

const url = process.env.PARLEY_URL ?? 'http://127.0.0.1:54321'
const options = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } }
const client = () => createClient(url, process.env.PARLEY_ANON_KEY, options)
const service = createClient(url, process.env.PARLEY_SERVICE_KEY, options)
const run = Date.now()
const email = `check-${run}@example.com`
let step = ''
const ok = (name) => { console.log(`ok - ${name}`); step = `after ${name}` }

function must({ data, error }) {
  if (error) throw new Error(`${step}: ${error.name} ${error.code} ${error.message} (${error.status})`)
  return data
}
function refused({ error }, status, code, name = 'AuthApiError') {
  assert.ok(error, `${step}: expected a refusal ${status} ${code}`)
  assert.equal(error.name, name, `${step}: ${error.name} ${error.message}`)
  assert.equal(error.status, status, `${step}: ${error.message}`)
  assert.equal(error.code, code, `${step}: ${error.message}`)
  return error
}
function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
}

// sign-up: a session straight away (confirmation is off), the data as user_metadata
const a = client()
const up = must(await a.auth.signUp({ email: email.toUpperCase(), password: 'first-password', options: { data: { name: 'Ada' } } }))
assert.ok(up.session?.access_token); assert.equal(up.user.email, email); assert.equal(up.user.user_metadata.name, 'Ada')
assert.equal(up.user.aud, 'authenticated'); assert.equal(up.user.role, 'authenticated'); assert.ok(up.user.email_confirmed_at)
const c0 = claims(up.session.access_token)
for (const k of ['sub', 'role', 'aud', 'email', 'exp', 'iat', 'session_id', 'user_metadata', 'app_metadata']) assert.ok(k in c0, k)
assert.equal(c0.role, 'authenticated'); assert.equal(c0.aud, 'authenticated'); assert.equal(c0.exp - c0.iat, 3600)
assert.equal(up.session.expires_in, 3600); assert.equal(up.session.expires_at, c0.exp); assert.equal(up.session.token_type, 'bearer')
ok('signUp (session, claims, metadata)')
refused(await client().auth.signUp({ email, password: 'other-password' }), 422, 'user_already_exists')
const weak = refused(await client().auth.signUp({ email: `short-${run}@example.com`, password: '12345' }), 422, 'weak_password',
  'AuthWeakPasswordError')
assert.deepEqual(weak.reasons, ['length'])
ok('signUp refusals (duplicate, weak password)')

// sign-in, wrong password, user, update
refused(await client().auth.signInWithPassword({ email, password: 'wrong-password' }), 400, 'invalid_credentials')
refused(await client().auth.signInWithPassword({ email: `nobody-${run}@example.com`, password: 'wrong-password' }), 400, 'invalid_credentials')
ok('signInWithPassword refusals (wrong password, unknown email)')
const b = client()
const signedIn = must(await b.auth.signInWithPassword({ email, password: 'first-password' }))
assert.equal(signedIn.user.id, up.user.id); assert.notEqual(claims(signedIn.session.access_token).session_id, c0.session_id)
ok('signInWithPassword')
assert.equal(must(await b.auth.getUser()).user.id, up.user.id)
assert.equal(must(await b.auth.getSession()).session.user.id, up.user.id)
ok('getUser / getSession')
const updated = must(await b.auth.updateUser({ data: { name: 'Ada L.', city: 'London' } }))
assert.deepEqual([updated.user.user_metadata.name, updated.user.user_metadata.city], ['Ada L.', 'London'])
must(await b.auth.updateUser({ password: 'second-password' }))
refused(await client().auth.signInWithPassword({ email, password: 'first-password' }), 400, 'invalid_credentials')
must(await client().auth.signInWithPassword({ email, password: 'second-password' }))
ok('updateUser (data, password)')
// a password change ended the other sessions: a's refresh token no longer works
refused(await a.auth.refreshSession(), 400, 'refresh_token_not_found')
ok('password change ends other sessions')

// refresh: rotation, the grace for a concurrent refresh, reuse detection
const s0 = must(await b.auth.getSession()).session
const r1 = must(await b.auth.refreshSession()).session
assert.notEqual(r1.refresh_token, s0.refresh_token); assert.equal(claims(r1.access_token).session_id, claims(s0.access_token).session_id)
ok('refreshSession rotates')
const twin = must(await client().auth.refreshSession({ refresh_token: s0.refresh_token })).session
assert.equal(twin.refresh_token, r1.refresh_token, 'a reuse within the interval gets the same child')
ok('concurrent reuse within the interval')
const r2 = must(await b.auth.refreshSession()).session
refused(await client().auth.refreshSession({ refresh_token: s0.refresh_token }), 400, 'refresh_token_already_used')
refused(await client().auth.refreshSession({ refresh_token: r2.refresh_token }), 400, 'refresh_token_not_found')
ok('reuse of a twice-rotated token revokes the session')

// sign-out scopes
const [d1, d2, d3] = [client(), client(), client()]
for (const d of [d1, d2, d3]) must(await d.auth.signInWithPassword({ email, password: 'second-password' }))
const d2session = must(await d2.auth.getSession()).session
must(await d1.auth.signOut({ scope: 'local' }))
assert.equal(must(await d1.auth.getSession()).session, null)
must(await d2.auth.getUser())
must(await d2.auth.signOut({ scope: 'others' }))
// 403 session_not_found, which auth-js turns into AuthSessionMissingError (the device is signed out)
const gone = await d3.auth.getUser()
assert.equal(gone.error?.name, 'AuthSessionMissingError', `${step}: ${gone.error?.name} ${gone.error?.message}`)
must(await d2.auth.getUser())
must(await d2.auth.signOut())
refused(await client().auth.refreshSession({ refresh_token: d2session.refresh_token }), 400, 'refresh_token_not_found')
ok('signOut (local, others, global)')

// admin API: service_role only
refused(await client().auth.admin.listUsers(), 403, 'not_admin')
refused(await b.auth.admin.createUser({ email: `x-${run}@example.com` }), 403, 'not_admin')
ok('admin API refuses non-admins')
const made = must(await service.auth.admin.createUser({
  email: `admin-made-${run}@example.com`, password: 'admin-password', email_confirm: true,
  user_metadata: { name: 'Made' }, app_metadata: { plan: 'pro' },
})).user
assert.equal(made.user_metadata.name, 'Made'); assert.equal(made.app_metadata.plan, 'pro'); assert.ok(made.email_confirmed_at)
const viaAdmin = client()
const madeSession = must(await viaAdmin.auth.signInWithPassword({ email: made.email, password: 'admin-password' })).session
assert.equal(claims(madeSession.access_token).app_metadata.plan, 'pro')
ok('admin.createUser (email_confirm, user_metadata, app_metadata)')
assert.equal(must(await service.auth.admin.getUserById(made.id)).user.email, made.email)
ok('admin.getUserById')
const changed = must(await service.auth.admin.updateUserById(made.id, { user_metadata: { name: 'Changed' }, app_metadata: { plan: 'free' } })).user
assert.equal(changed.user_metadata.name, 'Changed'); assert.equal(changed.app_metadata.plan, 'free')
must(await service.auth.admin.updateUserById(made.id, { ban_duration: '1h' }))
refused(await client().auth.signInWithPassword({ email: made.email, password: 'admin-password' }), 400, 'user_banned')
refused(await viaAdmin.auth.refreshSession(), 400, 'user_banned')
must(await service.auth.admin.updateUserById(made.id, { ban_duration: 'none' }))
must(await client().auth.signInWithPassword({ email: made.email, password: 'admin-password' }))
ok('admin.updateUserById (metadata, ban_duration)')
for (let i = 0; i < 3; i++) must(await service.auth.admin.createUser({ email: `page-${run}-${i}@example.com`, password: 'page-password' }))
const page1 = must(await service.auth.admin.listUsers({ page: 1, perPage: 2 }))
assert.equal(page1.users.length, 2); assert.equal(page1.nextPage, 2); assert.ok(page1.total >= 5)
assert.equal(page1.lastPage, Math.ceil(page1.total / 2))
const page2 = must(await service.auth.admin.listUsers({ page: 2, perPage: 2 }))
assert.equal(page2.users.length, 2)
assert.equal(new Set([...page1.users, ...page2.users].map((u) => u.id)).size, 4)
ok('admin.listUsers (paging: nextPage, lastPage, total)')
must(await service.auth.admin.deleteUser(made.id))
refused(await service.auth.admin.getUserById(made.id), 404, 'user_not_found')
refused(await client().auth.signInWithPassword({ email: made.email, password: 'admin-password' }), 400, 'invalid_credentials')
ok('admin.deleteUser')

// rate limit: the 11th attempt within the window is a 429, even with the right password
const limitedEmail = `limited-${run}@example.com`
must(await client().auth.signUp({ email: limitedEmail, password: 'limit-password' }))
for (let i = 0; i < 10; i++) await client().auth.signInWithPassword({ email: limitedEmail, password: 'wrong-password' })
refused(await client().auth.signInWithPassword({ email: limitedEmail, password: 'limit-password' }), 429, 'over_request_rate_limit')
ok('sign-in rate limit (429)')
console.log('all auth checks passed')
