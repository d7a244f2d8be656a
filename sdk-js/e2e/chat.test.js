// The chat app in a real browser: two users, two browser contexts, one gateway (the built jar
// on its embedded Postgres). Every step waits for what the other user sees, with a timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { Gateway, repoRoot } from './gateway.js';
import { launch, missingBrowser } from './browser.js';

const SHOTS = join(repoRoot, 'docs/images');
const WAIT = 20_000;
const run = Math.random().toString(36).slice(2, 8);
const skip = missingBrowser();

let gateway;
let browser;
const failures = [];

before(async () => {
  if (skip) return;
  gateway = await Gateway.create();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (failures.length && gateway) console.error(`gateway log (last lines):\n${gateway.log.slice(-60).join('')}`);
  await gateway?.close();
});

const started = Date.now();
/** Logs each step with the time since the start, so a failure shows where it stopped. */
const step = (name) => console.log(`# ${((Date.now() - started) / 1000).toFixed(1)}s ${name}`);

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
const message = (page, text) => byTestId(page, 'message').filter({ has: page.locator('[data-testid="message-content"]', { hasText: text }) });
const shown = (locator, timeout = WAIT) => locator.first().waitFor({ state: 'visible', timeout });
const gone = (locator, timeout = WAIT) => locator.first().waitFor({ state: 'detached', timeout });

async function hasText(locator, text, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`expected ${locator} to contain ${text}, last saw ${JSON.stringify(last)}`);
}

async function newUser(name, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`${name}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.error(`[${name} console] ${m.text()}`); });
  // Toasts (errors, "no longer a member", ...) go to the log too: a failure then shows what the app said.
  await page.addInitScript(() => addEventListener('DOMContentLoaded', () => {
    const toast = document.getElementById('toast');
    if (toast) new MutationObserver(() => console.error(`[toast] ${toast.textContent}`)).observe(toast, { childList: true, characterData: true, subtree: true });
  }));
  await page.goto(gateway.url);
  return { name, context, page, email: `${name}_${run}@example.com`, password: `pw-${run}-secret` };
}

async function signUp(user, screenshot) {
  const { page } = user;
  await shown(byTestId(page, 'auth-email'));
  await byTestId(page, 'auth-email').fill(user.email);
  await byTestId(page, 'auth-password').fill(user.password);
  if (screenshot) await page.screenshot({ path: join(SHOTS, screenshot) });
  await byTestId(page, 'auth-signup').click();
  await shown(byTestId(page, 'current-user'));
  await hasText(byTestId(page, 'connection-status'), /^connected$/);
  user.username = (await byTestId(page, 'current-user').textContent()).trim();
  assert.ok(user.username, 'the signed-in user is shown');
}

async function send(page, text) {
  const input = byTestId(page, 'message-input');
  await input.fill(text);
  await input.press('Enter');
  await shown(message(page, text));
}

async function openRoom(page, name) {
  // by the room's own name: another room's preview can mention it ("alice: hi" in the lobby)
  const item = byTestId(page, 'room-item').filter({ has: page.locator('.room-name', { hasText: name }) });
  await shown(item, 30_000); // a room that appears for me arrives live, or with the 20 s refresh
  await item.first().click();
  await hasText(page.locator('#room-name'), name);
}

/** A 64x48 PNG (a gradient), made here so the suite needs no fixture files. */
function png() {
  const w = 64;
  const ht = 48;
  const raw = Buffer.alloc((w * 3 + 1) * ht); // each row: filter byte 0, then RGB pixels
  for (let y = 0; y < ht; y++) {
    for (let x = 0; x < w; x++) raw.set([x * 4, y * 5, 200], y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(ht, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('two users chat with every feature, and keep chatting across a gateway restart', { skip: skip || false, timeout: 480_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const alice = await newUser('alice');
  const bob = await newUser('bob');
  const A = alice.page;
  const B = bob.page;

  // Sign up; the session survives a reload.
  step('Sign up; the session survives a reload');
  await signUp(alice, 'chat-signin.png');
  await signUp(bob);
  await A.reload();
  await shown(byTestId(A, 'current-user'));
  assert.equal((await byTestId(A, 'current-user').textContent()).trim(), alice.username);

  // A bad sign-in is refused with a visible error.
  step('A bad sign-in is refused with a visible error');
  const stranger = await newUser('stranger');
  await byTestId(stranger.page, 'auth-email').fill(alice.email);
  await byTestId(stranger.page, 'auth-password').fill('wrong-password');
  await byTestId(stranger.page, 'auth-signin').click();
  await hasText(byTestId(stranger.page, 'auth-error'), /\S/);
  await stranger.context.close();

  // Alice creates a private room and invites Bob, who sees it appear and opens it.
  step('private room, invitation');
  const roomName = `Project ${run}`;
  await byTestId(A, 'room-create').click();
  await byTestId(A, 'room-name-input').fill(roomName);
  await byTestId(A, 'room-private-toggle').check();
  await byTestId(A, 'room-create-submit').click();
  await hasText(A.locator('#room-name'), roomName);
  await byTestId(A, 'room-invite').click();
  await byTestId(A, 'invite-username').fill(bob.username);
  await byTestId(A, 'invite-username').press('Enter');
  await openRoom(B, roomName);

  // Each sees the other online in the room.
  step('Each sees the other online in the room');
  await shown(byTestId(A, 'presence-user').filter({ hasText: bob.username }));
  await shown(byTestId(B, 'presence-user').filter({ hasText: alice.username }));

  // Typing indicator, then messages both ways in real time.
  step('Typing indicator, then messages both ways in real time');
  await byTestId(B, 'message-input').pressSequentially('Hello Al', { delay: 30 });
  await hasText(byTestId(A, 'typing-indicator'), `${bob.username} is typing`);
  await byTestId(B, 'message-input').pressSequentially('ice', { delay: 30 });
  await byTestId(B, 'message-input').press('Enter');
  await shown(message(A, 'Hello Alice'));
  await hasText(byTestId(A, 'typing-indicator'), /^$/);
  await send(A, `Hi Bob, the kickoff word is pineapple${run}`);
  await shown(message(B, `pineapple${run}`));
  assert.equal((await message(B, `pineapple${run}`).locator('[data-testid="message-author"]').textContent()).trim(), alice.username);

  // Shift+Enter adds a line instead of sending.
  step('Shift+Enter adds a line instead of sending');
  await byTestId(A, 'message-input').fill('line one');
  await byTestId(A, 'message-input').press('Shift+Enter');
  await byTestId(A, 'message-input').pressSequentially('line two');
  assert.equal(await byTestId(A, 'message-input').inputValue(), 'line one\nline two');
  await byTestId(A, 'message-input').press('Enter');
  await shown(message(B, 'line two'));

  // Read receipts: Bob has the room open at the bottom, so Alice sees him under her message.
  step('read receipts');
  await hasText(A.locator('#seen-by'), `Seen by ${bob.username}`);

  // Bob reacts from the emoji picker; Alice sees the reaction.
  step('Bob reacts from the emoji picker; Alice sees the reaction');
  const target = message(B, `pineapple${run}`);
  await target.hover();
  await target.locator('[data-testid="message-react"]').click();
  await B.locator('[data-testid="emoji-option"][data-emoji="🎉"]').first().click();
  await hasText(message(A, `pineapple${run}`).locator('[data-testid="reaction"]'), '🎉 1');

  // Emoji picker in the composer.
  step('Emoji picker in the composer');
  await byTestId(A, 'message-input').fill('Great ');
  await A.locator('#composer button[title="Emoji"]').click();
  await A.locator('#composer [data-testid="emoji-option"][data-emoji="🚀"]').click();
  assert.equal(await byTestId(A, 'message-input').inputValue(), 'Great 🚀');
  await byTestId(A, 'message-input').press('Enter');
  await shown(message(B, 'Great 🚀'));

  // Alice shares an image: progress shows while uploading, both see the preview.
  step('image upload');
  // The upload is held back for a moment so the progress bar can be seen.
  await A.route('**/storage/v1/object/**', async (route) => {
    await new Promise((ok) => setTimeout(ok, 1500));
    await route.continue();
  });
  await byTestId(A, 'file-input').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: png() });
  await shown(byTestId(A, 'upload-progress'));
  await A.unrouteAll({ behavior: 'wait' });
  for (const page of [A, B]) {
    const img = byTestId(page, 'message-attachment').locator('img');
    await shown(img);
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 64, await img.first().elementHandle(), { timeout: WAIT });
  }

  // Search across rooms jumps to the result.
  step('Search across rooms jumps to the result');
  await byTestId(B, 'search-input').fill(`pineapple${run}`);
  await byTestId(B, 'search-input').press('Enter');
  const result = byTestId(B, 'search-result');
  await shown(result);
  await result.first().click();
  await shown(B.locator('[data-testid="message"].flash'));

  // Edit and delete: the other side sees both, with the edited marker.
  step('Edit and delete: the other side sees both, with the edited marker');
  await send(A, 'A typo here');
  await shown(message(B, 'A typo here'));
  const mine = message(A, 'A typo here');
  await mine.hover();
  await mine.locator('[data-testid="message-edit"]').click();
  await byTestId(A, 'message-edit-input').fill('No typo here');
  await byTestId(A, 'message-edit-input').press('Enter');
  await shown(message(B, 'No typo here'));
  await hasText(message(B, 'No typo here'), '(edited)');
  await send(A, 'Delete me soon');
  await shown(message(B, 'Delete me soon'));
  await message(A, 'Delete me soon').hover();
  await message(A, 'Delete me soon').locator('[data-testid="message-delete"]').click();
  await gone(message(B, 'Delete me soon'));
  await gone(message(A, 'Delete me soon'));

  // Bob replies in a thread; Alice sees the reply count, the thread, and a reply notification.
  step('thread');
  const parent = message(B, 'Hi Bob');
  await parent.hover();
  await parent.locator('[data-testid="message-reply"]').click();
  await shown(byTestId(B, 'thread-panel'));
  await byTestId(B, 'thread-input').fill('Replying in the thread');
  await byTestId(B, 'thread-input').press('Enter');
  await shown(byTestId(B, 'thread-panel').locator('[data-testid="message"]', { hasText: 'Replying in the thread' }));
  await hasText(message(A, 'Hi Bob').locator('.thread-link'), '1 reply');
  await B.screenshot({ path: join(SHOTS, 'chat-thread.png') });
  await B.keyboard.press('Escape');
  await gone(byTestId(B, 'thread-panel'));
  await message(A, 'Hi Bob').locator('.thread-link').click();
  await shown(byTestId(A, 'thread-panel').locator('[data-testid="message"]', { hasText: 'Replying in the thread' }));
  await A.keyboard.press('Escape');

  // A mention notifies Alice (in-app).
  step('A mention notifies Alice (in-app)');
  await send(B, `@${alice.username} can you review this?`);
  await shown(A.locator('#notification-count'));
  await A.locator('#notifications-open').click();
  await shown(byTestId(A, 'notification').filter({ hasText: 'mentioned you' }));
  await shown(byTestId(A, 'notification').filter({ hasText: 'replied to your thread' }));
  await A.keyboard.press('Escape');

  // Unread badges and public rooms: Alice's public room shows up for Bob; after Bob joined it
  // and moved back, Alice's message there shows as unread.
  step('public room and unread badge');
  const lobby = `Lobby ${run}`;
  await byTestId(A, 'room-create').click();
  await byTestId(A, 'room-name-input').fill(lobby);
  await byTestId(A, 'room-create-submit').click();
  await hasText(A.locator('#room-name'), lobby);
  await openRoom(B, lobby);
  await openRoom(B, roomName);
  await send(A, 'Anyone in the lobby?');
  await hasText(byTestId(B, 'room-item').filter({ hasText: lobby }).locator('[data-testid="unread-badge"]'), '1');

  // Moderation: Alice (admin) makes Bob a moderator of the project room, so he may delete her
  // messages; in the lobby she kicks him (he may come back: it is public), then bans him (he may
  // not), then lifts the ban.
  step('moderation');
  await openRoom(A, roomName);
  await A.locator('#members-open').click();
  const bobRow = A.locator(`[data-testid="member"][data-user-id="${await userIdOf(B)}"]`);
  await bobRow.locator('[data-testid="member-role"]').selectOption('moderator');
  await A.keyboard.press('Escape');
  // His new role arrives live: the delete action appears on her message (shown on hover).
  await message(B, 'Great 🚀').locator('[data-testid="message-delete"]').waitFor({ state: 'attached', timeout: 30_000 });
  await message(B, 'Great 🚀').hover();
  await message(B, 'Great 🚀').locator('[data-testid="message-delete"]').click();
  await gone(message(A, 'Great 🚀'));
  await openRoom(A, lobby);
  await A.locator('#members-open').click();
  await A.locator(`[data-testid="member"][data-user-id="${await userIdOf(B)}"] [data-testid="member-kick"]`).click();
  await gone(A.locator(`[data-testid="member"][data-user-id="${await userIdOf(B)}"]`));
  await openRoom(B, lobby); // a public room: opening it joins again
  await shown(message(B, 'Anyone in the lobby?'));
  await openRoom(B, roomName);
  await A.locator('#members-open').click();
  await A.locator(`[data-testid="member"][data-user-id="${await userIdOf(B)}"] [data-testid="member-ban"]`).click();
  await shown(A.locator('[data-testid="member-unban"]'));
  await byTestId(B, 'room-item').filter({ hasText: lobby }).first().click();
  await hasText(B.locator('#toast'), 'Cannot open');
  await A.locator('[data-testid="member-unban"]').click();
  await gone(A.locator('[data-testid="member-unban"]'));
  await A.keyboard.press('Escape');
  await openRoom(B, lobby);
  await shown(message(B, 'Anyone in the lobby?'));
  await hasText(byTestId(B, 'connection-status'), /^connected$/);

  // Direct messages by username.
  step('Direct messages by username');
  await byTestId(A, 'dm-start').click();
  await byTestId(A, 'dm-username').fill(bob.username);
  await byTestId(A, 'dm-username').press('Enter');
  await hasText(A.locator('#room-name'), bob.username);
  await send(A, 'Just between us');
  await openRoom(B, alice.username);
  await shown(message(B, 'Just between us'));

  // Screenshots of the main screens: desktop light and dark, and a 360 px phone.
  step('screenshots');
  await openRoom(A, roomName);
  await shown(message(A, 'can you review this'));
  await imagesLoaded(A);
  await A.screenshot({ path: join(SHOTS, 'chat-room.png') });
  const state = await alice.context.storageState();
  const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', storageState: state });
  const darkPage = await dark.newPage();
  await darkPage.goto(`${gateway.url}/#room=${await roomIdOf(A, roomName)}`);
  await shown(message(darkPage, 'Hello Alice'));
  assert.equal(await darkPage.locator('[data-testid="message"].deleted').count(), 0, 'a deleted message with no thread is gone after a reload too');
  await imagesLoaded(darkPage);
  await darkPage.screenshot({ path: join(SHOTS, 'chat-room-dark.png') });
  await dark.close();
  step('screenshots: phone');
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, storageState: state });
  const phonePage = await phone.newPage();
  await phonePage.goto(gateway.url);
  await shown(byTestId(phonePage, 'room-list'));
  await phonePage.screenshot({ path: join(SHOTS, 'chat-mobile-rooms.png') });
  await openRoom(phonePage, roomName);
  await shown(message(phonePage, 'can you review this'));
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `nothing is wider than a 360 px screen (overflow ${overflow}px)`);
  await imagesLoaded(phonePage);
  await phonePage.screenshot({ path: join(SHOTS, 'chat-mobile-room.png') });
  await phone.close();
  step('screenshots: done');

  // The gateway restarts: both show the outage, reconnect by themselves, and nothing is lost.
  step('gateway restart');
  await openRoom(B, roomName);
  await shown(message(B, 'Hello Alice'));
  await gateway.stop();
  await hasText(byTestId(A, 'connection-status'), /^(reconnecting|connecting|offline)$/);
  await hasText(byTestId(B, 'connection-status'), /^(reconnecting|connecting|offline)$/);
  await gateway.start();
  // Committed right after the restart, while the browsers are still in their reconnect backoff.
  const token = await A.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith('-auth-token'));
    return JSON.parse(localStorage.getItem(key)).access_token;
  });
  const roomId = await roomIdOf(A, roomName);
  const anonKey = (await (await fetch(`${gateway.url}/config.json`)).json()).anonKey;
  const posted = await fetch(`${gateway.url}/rest/v1/messages`, {
    method: 'POST',
    headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify({ room_id: roomId, content: 'Sent while you were reconnecting' }),
  });
  assert.equal(posted.status, 201, await posted.text());
  await hasText(byTestId(A, 'connection-status'), /^connected$/, 60_000);
  await hasText(byTestId(B, 'connection-status'), /^connected$/, 60_000);
  await shown(message(B, 'Sent while you were reconnecting'));
  await send(B, 'Back after the restart');
  await shown(message(A, 'Back after the restart'));
  await send(A, 'And live again');
  await shown(message(B, 'And live again'));
  assert.equal(await message(B, 'Sent while you were reconnecting').count(), 1, 'no duplicate after the resume');

  // History pages load as you scroll up.
  step('History pages load as you scroll up');
  const many = Array.from({ length: 60 }, (_, i) => ({ room_id: roomId, content: `filler ${i}` }));
  const bulk = await fetch(`${gateway.url}/rest/v1/messages`, {
    method: 'POST',
    headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify(many),
  });
  assert.equal(bulk.status, 201, await bulk.text());
  await B.reload();
  await shown(message(B, 'filler 59'));
  assert.equal(await message(B, 'Hello Alice').count(), 0, 'the first page holds only the newest messages');
  for (let i = 0; i < 10 && !(await message(B, 'Hello Alice').count()); i++) {
    await byTestId(B, 'message-list').evaluate((el) => { el.scrollTop = 0; });
    await B.waitForTimeout(500);
  }
  await shown(message(B, 'Hello Alice'));

  // Profile: display name, status with a message, and an avatar; Bob sees the new name live.
  step('profile');
  await A.locator('#profile-open').click();
  await A.locator('#profile-name').fill('Alice Liddell');
  await A.locator('#profile-status').selectOption('busy');
  await A.locator('#profile-message').fill('In a meeting');
  await A.locator('#profile-avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png() });
  await A.locator('#dialog button[type="submit"]').click();
  await hasText(byTestId(A, 'current-user'), 'Alice Liddell');
  await hasText(A.locator('#me-status'), 'busy · In a meeting');
  const avatar = A.locator('#me-avatar img');
  await shown(avatar);
  await A.waitForFunction((el) => el.complete && el.naturalWidth === 64, await avatar.elementHandle(), { timeout: WAIT });
  await hasText(message(B, 'And live again').locator('[data-testid="message-author"]'), 'Alice Liddell');

  // Sign out returns to the sign-in screen, and the session is gone after a reload.
  step('sign out');
  await byTestId(B, 'signout').click();
  await shown(byTestId(B, 'auth-email'));
  await B.reload();
  await shown(byTestId(B, 'auth-email'));

  assert.deepEqual(failures, [], 'no uncaught errors in the pages');
});

/** Waits until the room's image previews are there and loaded (for screenshots). */
function imagesLoaded(page) {
  return page.waitForFunction(() => {
    const images = [...document.querySelectorAll('#message-items .attachment img')];
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  }, null, { timeout: WAIT });
}

async function userIdOf(page) {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith('-auth-token'));
    return JSON.parse(localStorage.getItem(key)).user.id;
  });
}

async function roomIdOf(page, name) {
  return page.locator('[data-testid="room-item"]', { hasText: name }).first().getAttribute('data-room-id');
}
