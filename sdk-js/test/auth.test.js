// Auth against the real gateway: sign-up, sign-in, session storage and events, refresh (by
// hand, automatic, on getSession), setSession, updateUser, sign-out, errors, and auth.admin.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, memoryStorage, AuthApiError, AuthSessionMissingError, AuthWeakPasswordError, isAuthError } from '../src/index.js';
import { readFileSync } from 'node:fs';
import { TestGateway, signJwt, waitFor } from './support/gateway.js';

const T = { timeout: 30_000 };
let gw;
let n = 0;
const email = () => `user${Date.now()}-${n++}@example.com`;
const PASSWORD = 'correct-horse-battery';

function client(options = {}) {
  return createClient(gw.url, gw.anonKey, { auth: { autoRefreshToken: false, ...options } });
}

function recordEvents(c) {
  const events = [];
  const { data } = c.auth.onAuthStateChange((event, session) => events.push({ event, session }));
  return { events, subscription: data.subscription };
}

describe('auth', () => {
  before(async () => { gw = await TestGateway.start(); });
  after(async () => { await gw?.close(); });

  it('signUp returns the user and a session, stores it, and emits SIGNED_IN', T, async () => {
    const storage = memoryStorage();
    const c = client({ storage, storageKey: 'k1' });
    const { events } = recordEvents(c);
    const address = email();
    const { data, error } = await c.auth.signUp({ email: address, password: PASSWORD, options: { data: { name: 'Ada' } } });
    assert.equal(error, null);
    assert.equal(data.user.email, address);
    assert.equal(data.user.user_metadata.name, 'Ada');
    assert.ok(data.session.access_token);
    assert.ok(data.session.refresh_token);
    assert.ok(data.session.expires_at > Date.now() / 1000);
    assert.deepEqual(JSON.parse(storage.getItem('k1')).access_token, data.session.access_token);
    await waitFor(() => events.some((e) => e.event === 'SIGNED_IN'), { message: 'SIGNED_IN' });
    assert.equal(events[0].event, 'INITIAL_SESSION');
    assert.equal(events[0].session, null);
  });

  it('signUp with a taken email or a short password returns an error, never throws', T, async () => {
    const c = client();
    const address = email();
    await c.auth.signUp({ email: address, password: PASSWORD });
    const taken = await client().auth.signUp({ email: address, password: PASSWORD });
    assert.ok(taken.error instanceof AuthApiError);
    assert.equal(taken.error.status, 422);
    assert.equal(taken.error.code, 'user_already_exists');
    assert.deepEqual(taken.data, { user: null, session: null });
    const weak = await client().auth.signUp({ email: email(), password: 'abc' });
    assert.ok(weak.error instanceof AuthWeakPasswordError, weak.error?.name);
    assert.equal(weak.error.code, 'weak_password');
    assert.equal(weak.error.status, 422);
  });

  it('signInWithPassword: wrong password is invalid_credentials; right one signs in', T, async () => {
    const address = email();
    await client().auth.signUp({ email: address, password: PASSWORD });
    const c = client();
    const bad = await c.auth.signInWithPassword({ email: address, password: 'wrong-password' });
    assert.ok(isAuthError(bad.error));
    assert.equal(bad.error.code, 'invalid_credentials');
    assert.equal(bad.error.status, 400);
    assert.deepEqual(bad.data, { user: null, session: null });
    const { events } = recordEvents(c);
    const { data, error } = await c.auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.equal(error, null);
    assert.equal(data.user.email, address);
    const { data: current } = await c.auth.getSession();
    assert.equal(current.session.access_token, data.session.access_token);
    const { data: fromServer } = await c.auth.getUser();
    assert.equal(fromServer.user.id, data.user.id);
    await waitFor(() => events.some((e) => e.event === 'SIGNED_IN' && e.session.user.id === data.user.id), { message: 'SIGNED_IN' });
  });

  it('getUser and updateUser without a session return AuthSessionMissingError', T, async () => {
    const c = client();
    const u = await c.auth.getUser();
    assert.ok(u.error instanceof AuthSessionMissingError);
    assert.equal(u.data.user, null);
    const up = await c.auth.updateUser({ data: { a: 1 } });
    assert.ok(up.error instanceof AuthSessionMissingError);
    const r = await c.auth.refreshSession();
    assert.ok(r.error instanceof AuthSessionMissingError);
  });

  it('updateUser changes the user on the server and emits USER_UPDATED', T, async () => {
    const c = client();
    await c.auth.signUp({ email: email(), password: PASSWORD });
    const { events } = recordEvents(c);
    const { data, error } = await c.auth.updateUser({ data: { status: 'busy' } });
    assert.equal(error, null);
    assert.equal(data.user.user_metadata.status, 'busy');
    const { data: again } = await c.auth.getUser();
    assert.equal(again.user.user_metadata.status, 'busy');
    await waitFor(() => events.some((e) => e.event === 'USER_UPDATED' && e.session.user.user_metadata.status === 'busy'), { message: 'USER_UPDATED' });
    const { data: s } = await c.auth.getSession();
    assert.equal(s.session.user.user_metadata.status, 'busy');
  });

  it('refreshSession trades the refresh token for a new session (TOKEN_REFRESHED); concurrent refreshes share one', T, async () => {
    const c = client();
    const { data: first } = await c.auth.signUp({ email: email(), password: PASSWORD });
    const { events } = recordEvents(c);
    const [a, b] = await Promise.all([c.auth.refreshSession(), c.auth.refreshSession()]);
    assert.equal(a.error, null);
    assert.equal(b.error, null);
    assert.equal(a.data.session.refresh_token, b.data.session.refresh_token, 'one refresh, shared');
    assert.notEqual(a.data.session.refresh_token, first.session.refresh_token);
    assert.equal(a.data.user.id, first.user.id);
    await waitFor(() => events.filter((e) => e.event === 'TOKEN_REFRESHED').length === 1, { message: 'one TOKEN_REFRESHED' });
    const { data } = await c.auth.getUser();
    assert.equal(data.user.id, first.user.id);
  });

  it('getSession refreshes a session about to expire, and the automatic refresh does too', T, async () => {
    const c = client();
    const { data: signed } = await c.auth.signUp({ email: email(), password: PASSWORD });
    // A session whose access token expires in 60 s: inside the 90 s margin.
    const now = Math.floor(Date.now() / 1000);
    const shortToken = signJwt(gw.secret, { sub: signed.user.id, role: 'authenticated', aud: 'authenticated', iss: 'parley', iat: now, exp: now + 60, session_id: 'x' });
    await c.auth._saveSession({ ...signed.session, access_token: shortToken, expires_at: now + 60, expires_in: 60 });
    const { data } = await c.auth.getSession();
    assert.notEqual(data.session.access_token, shortToken);
    assert.ok(data.session.expires_at > now + 600);

    const auto = client({ autoRefreshToken: true });
    const { data: s2 } = await auto.auth.signUp({ email: email(), password: PASSWORD });
    const { events } = recordEvents(auto);
    await auto.auth._saveSession({ ...s2.session, access_token: shortToken, expires_at: now + 60 });
    auto.auth.startAutoRefresh();
    try {
      const refreshed = await waitFor(() => events.find((e) => e.event === 'TOKEN_REFRESHED'), { message: 'automatic TOKEN_REFRESHED' });
      assert.notEqual(refreshed.session.access_token, shortToken);
      assert.equal(refreshed.session.user.id, s2.user.id);
    } finally {
      auto.auth.stopAutoRefresh();
    }
  });

  it('a persisted session is recovered by a new client (INITIAL_SESSION) sharing the storage', T, async () => {
    const storage = memoryStorage();
    const c = client({ storage, storageKey: 'shared' });
    const { data } = await c.auth.signUp({ email: email(), password: PASSWORD });
    const d = client({ storage, storageKey: 'shared' });
    const initial = await new Promise((resolve) => d.auth.onAuthStateChange((event, session) => { if (event === 'INITIAL_SESSION') resolve(session); }));
    assert.equal(initial.user.id, data.user.id);
    const notPersisted = createClient(gw.url, gw.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const { data: none } = await notPersisted.auth.getSession();
    assert.equal(none.session, null);
  });

  it('setSession adopts tokens from elsewhere; an expired access token is refreshed first', T, async () => {
    const a = client();
    const { data } = await a.auth.signUp({ email: email(), password: PASSWORD });
    const b = client();
    const { events } = recordEvents(b);
    const set = await b.auth.setSession({ access_token: data.session.access_token, refresh_token: data.session.refresh_token });
    assert.equal(set.error, null);
    assert.equal(set.data.user.id, data.user.id);
    await waitFor(() => events.some((e) => e.event === 'SIGNED_IN'), { message: 'SIGNED_IN' });

    const { data: fresh } = await client().auth.signInWithPassword({ email: data.user.email, password: PASSWORD });
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(gw.secret, { sub: data.user.id, role: 'authenticated', iat: now - 100, exp: now - 10 });
    const c = client();
    const r = await c.auth.setSession({ access_token: expired, refresh_token: fresh.session.refresh_token });
    assert.equal(r.error, null);
    assert.notEqual(r.data.session.access_token, expired);
    assert.equal(r.data.user.id, data.user.id);
    const missing = await c.auth.setSession({ access_token: '', refresh_token: '' });
    assert.ok(missing.error instanceof AuthSessionMissingError);
  });

  it('signOut ends the session on the server and locally (SIGNED_OUT); its refresh token is dead', T, async () => {
    const c = client();
    const { data } = await c.auth.signUp({ email: email(), password: PASSWORD });
    const { events } = recordEvents(c);
    const { error } = await c.auth.signOut();
    assert.equal(error, null);
    const { data: after } = await c.auth.getSession();
    assert.equal(after.session, null);
    await waitFor(() => events.some((e) => e.event === 'SIGNED_OUT'), { message: 'SIGNED_OUT' });
    const other = client();
    const { events: otherEvents } = recordEvents(other);
    const r = await other.auth.refreshSession({ refresh_token: data.session.refresh_token });
    assert.ok(r.error instanceof AuthApiError);
    assert.equal(r.data.session, null);
    await waitFor(() => otherEvents.some((e) => e.event === 'SIGNED_OUT'), { message: 'SIGNED_OUT after a refused refresh' });
    // signing out with no session is fine
    assert.equal((await client().auth.signOut()).error, null);
  });

  it('signOut({scope: "others"}) keeps this session and ends the others', T, async () => {
    const address = email();
    await client().auth.signUp({ email: address, password: PASSWORD });
    const one = client();
    const two = client();
    await one.auth.signInWithPassword({ email: address, password: PASSWORD });
    const { data: twoSession } = await two.auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.equal((await one.auth.signOut({ scope: 'others' })).error, null);
    assert.ok((await one.auth.getSession()).data.session);
    assert.equal((await one.auth.getUser()).error, null);
    const r = await two.auth.refreshSession({ refresh_token: twoSession.session.refresh_token });
    assert.ok(r.error);
  });

  it('auth.admin with the service key: create, list with paging, get, update, delete, sign out a user', T, async () => {
    const admin = createClient(gw.url, gw.serviceKey, { auth: { persistSession: false, autoRefreshToken: false } }).auth.admin;
    const address = email();
    const created = await admin.createUser({ email: address, password: PASSWORD, email_confirm: true, user_metadata: { role: 'tester' } });
    assert.equal(created.error, null);
    assert.equal(created.data.user.email, address);
    const id = created.data.user.id;
    await admin.createUser({ email: email(), password: PASSWORD, email_confirm: true });
    const page = await admin.listUsers({ page: 1, perPage: 1 });
    assert.equal(page.error, null);
    assert.equal(page.data.users.length, 1);
    assert.ok(page.data.total >= 2);
    assert.equal(page.data.nextPage, 2);
    assert.ok(page.data.lastPage >= 2);
    const got = await admin.getUserById(id);
    assert.equal(got.data.user.user_metadata.role, 'tester');
    const updated = await admin.updateUserById(id, { user_metadata: { role: 'lead' } });
    assert.equal(updated.data.user.user_metadata.role, 'lead');
    const user = client();
    const { data: s } = await user.auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.equal((await admin.signOut(s.session.access_token)).error, null);
    assert.ok((await user.auth.refreshSession()).error, 'refresh token ended by admin sign-out');
    const deleted = await admin.deleteUser(id);
    assert.equal(deleted.error, null);
    const gone = await admin.getUserById(id);
    assert.equal(gone.error.status, 404);
    assert.equal(gone.data.user, null);

    const anonAdmin = client().auth.admin;
    const refused = await anonAdmin.listUsers();
    assert.ok(refused.error instanceof AuthApiError);
    assert.equal(refused.error.status, 403);
  });

  it('the accessToken option replaces the auth client', T, async () => {
    const c = createClient(gw.url, gw.anonKey, { accessToken: async () => gw.anonKey });
    assert.throws(() => c.auth.getSession(), /accessToken option/);
  });

  it('the gateway serves the SDK at /sdk/: every module index.js imports, as in src/, as JavaScript', T, async () => {
    const pending = ['index.js'];
    const seen = new Set();
    while (pending.length > 0) {
      const file = pending.pop();
      if (seen.has(file)) continue;
      seen.add(file);
      const res = await fetch(`${gw.url}/sdk/${file}`);
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('content-type') ?? '', /javascript/, file);
      const text = await res.text();
      assert.equal(text, readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8'), `${file} as in src/`);
      for (const [, spec] of text.matchAll(/(?:from|import)\s+'(\.[^']+)'/g)) {
        pending.push(new URL(spec, `http://x/${file}`).pathname.slice(1));
      }
    }
    assert.ok(seen.size > 20, `${seen.size} modules`);
  });
});
