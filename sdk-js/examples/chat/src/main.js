// Bootstrap: read the gateway's anon key, create the SDK client, and switch between the
// signed-out and signed-in screens as the session changes (the SDK keeps the session in
// localStorage, so a reload stays signed in).
import { createClient } from '/sdk/index.js';
import { createApi } from './api.js';
import { $, toast } from './dom.js';
import { state } from './state.js';
import { forgetAllChannels } from './connection.js';
import * as rooms from './rooms.js';
import * as room from './room.js';
import * as panels from './panels.js';
import * as notifications from './notifications.js';
import { loadMyProfile } from './profile.js';

const config = await fetch('/config.json', { cache: 'no-store' }).then((r) => r.json());
const db = createClient(location.origin, config.anonKey);
state.db = db;
state.api = createApi(db, () => state.user?.id);

let shownUserId = null;
db.auth.onAuthStateChange((event, session) => {
  // Leave the SDK's callback before calling it again (it may hold its auth lock here).
  setTimeout(() => onSession(session), 0);
});

async function onSession(session) {
  const user = session?.user ?? null;
  if (user?.id === shownUserId) {
    state.user = user;
    return;
  }
  shownUserId = user?.id ?? null;
  if (!user) return showSignedOut();
  state.user = user;
  await showSignedIn();
}

function showSignedOut() {
  state.user = null;
  state.profile = null;
  notifications.stop();
  rooms.reset();
  room.close();
  panels.closePanel();
  $('#chat-screen').hidden = true;
  $('#auth-screen').hidden = false;
  $('#auth-email').focus();
}

async function showSignedIn() {
  $('#auth-screen').hidden = true;
  $('#chat-screen').hidden = false;
  await loadMyProfile();
  notifications.start();
  await rooms.start();
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('room');
  if (fromUrl && state.rooms.has(fromUrl)) room.open(fromUrl);
}

// Sign-in form: Enter signs in; "Sign up" creates the account (and signs in when the server
// does not ask for an email confirmation).
const authError = (msg) => { $('#auth-error').textContent = msg || ''; };
$('#auth-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await authenticate('signin');
});
$('#auth-signup').addEventListener('click', () => authenticate('signup'));

async function authenticate(mode) {
  const email = $('#auth-email').value.trim();
  const password = $('#auth-password').value;
  if (!email || !password) return authError('Enter an email and a password.');
  authError('');
  const buttons = [$('#auth-signin'), $('#auth-signup')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const { data, error } = mode === 'signup'
      ? await db.auth.signUp({ email, password })
      : await db.auth.signInWithPassword({ email, password });
    if (error) return authError(error.message);
    if (mode === 'signup' && !data.session) authError('Check your email to confirm the account, then sign in.');
  } catch (e) {
    authError(e.message);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

$('#signout').addEventListener('click', async () => {
  await state.api.updateProfile({ status: 'offline', last_seen: new Date().toISOString() }).catch(() => {});
  room.close();
  await db.removeAllChannels();
  forgetAllChannels();
  const { error } = await db.auth.signOut();
  if (error) toast(`Sign out: ${error.message}`);
});

// Keyboard: "/" focuses search, Escape closes the innermost open thing.
document.addEventListener('keydown', (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName);
  if (e.key === '/' && !typing && !$('#chat-screen').hidden) {
    e.preventDefault();
    $('#search-input').focus();
  } else if (e.key === 'Escape') {
    if (room.closePickers()) return;
    if (!$('#notifications').hidden) return notifications.hide();
    if (!$('#side-panel').hidden) return panels.closePanel();
  }
});
